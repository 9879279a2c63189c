// Builds the optional native matMul at `npm ci` (the install script); a failed build is one line and exit 0.
//
// Usage: node native/build.js   (npm run build:native). LOSSLAB_NATIVE=off skips the build (and the addon is not
// loaded at run time either). Without a compiler or OpenBLAS's headers, losslab runs on wasm (XNNPACK) as before.
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const NATIVE_DIR = __dirname;
const ADDON = path.join(NATIVE_DIR, 'build', 'Release', 'losslab_openblas.node');
const LOG = path.join(NATIVE_DIR, 'build.log');
const HOW_TO_GET_IT = 'To enable it: apt-get install build-essential libopenblas-dev (Debian/Ubuntu), then npm run build:native.';

/** node-gyp: npm's own (npm passes its path to scripts), else one on PATH. */
function nodeGypCommand() {
  const fromNpm = process.env.npm_config_node_gyp;
  if (fromNpm && fs.existsSync(fromNpm)) return [process.execPath, [fromNpm]];
  return ['node-gyp', []];
}

/** Node's headers next to this node binary (Debian's nodejs, nvm, official tarballs), so node-gyp need not download them. */
function localNodeDir() {
  if (process.env.npm_config_nodedir) return undefined;
  const prefix = path.resolve(path.dirname(process.execPath), '..');
  return fs.existsSync(path.join(prefix, 'include', 'node', 'common.gypi')) ? prefix : undefined;
}

/** Whether `command` (a path, or a name looked up in PATH) is an executable file. */
function executable(command) {
  const candidates = command.includes(path.sep)
    ? [command]
    : (process.env.PATH ?? '').split(path.delimiter).map((dir) => path.join(dir, command));
  return candidates.some((file) => {
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return fs.statSync(file).isFile() && fs.statSync(file).size > 0;
    } catch {
      return false;
    }
  });
}

/** Why the build cannot start at all (no compiler, no make), checked before node-gyp prints pages about it. */
function missingTool() {
  const compilers = process.env.CXX ? [process.env.CXX.split(' ')[0]] : ['c++', 'g++', 'clang++'];
  if (!compilers.some(executable)) return `no C++ compiler was found (${compilers.join(', ')})`;
  if (process.platform !== 'win32' && !executable('make')) return 'make was not found';
  return undefined;
}

/** The first cause a failed build's log shows, in a few words. */
function reasonFromLog(log, status) {
  if (/cblas\.h: No such file|'cblas\.h' file not found/.test(log)) return "OpenBLAS's header cblas.h was not found";
  if (/cblas_sgemm. was not declared|Cblas\w+. was not declared|use of undeclared identifier 'cblas/.test(log))
    return "the cblas.h found is not OpenBLAS's";
  if (/cannot find -lopenblas|library not found for -lopenblas/.test(log)) return 'the OpenBLAS library (libopenblas) was not found';
  if (/(c\+\+|g\+\+|cc|make|clang\+\+)(: command)? not found|spawn (c\+\+|g\+\+|make) ENOENT|not found: make/.test(log))
    return 'no C++ compiler or make was found';
  if (/Could not find any Python|find Python.*\n.*gyp ERR/.test(log)) return 'node-gyp found no Python';
  if (/gyp ERR!.*(download|tarball|headers)|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT/.test(log)) return "node-gyp could not get Node's headers";
  const firstError = /error: (.*)/.exec(log);
  if (firstError) return `the compiler said: ${firstError[1].slice(0, 120)}`;
  return status === null ? 'node-gyp could not be run' : `node-gyp exited with ${status}`;
}

/** Loads the built addon in a child process and multiplies two 2×2 matrices; returns OpenBLAS's config or throws. */
function checkAddon() {
  const script = `
    const addon = require(${JSON.stringify(ADDON)});
    const heap = new Float32Array([1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 0]);
    addon.sgemm(heap.buffer, false, false, 1, 2, 2, 2, 0, 0, 16, 0, 32);
    if (heap.slice(8).join() !== '19,22,43,50') throw new Error('wrong product ' + heap.slice(8).join());
    process.stdout.write(addon.config());`;
  const child = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
  if (child.status !== 0) throw new Error((child.stderr || `exit ${child.status}`).trim().split('\n').pop());
  return child.stdout.trim();
}

function main() {
  if (/^(off|0|false|no)$/i.test(process.env.LOSSLAB_NATIVE ?? '')) {
    console.log('losslab: native OpenBLAS matMul skipped (LOSSLAB_NATIVE=off), so matMuls run on wasm (XNNPACK).');
    return;
  }
  const missing = missingTool();
  if (missing) {
    console.log(`losslab: native OpenBLAS matMul not built (${missing}), so matMuls run on wasm (XNNPACK). ${HOW_TO_GET_IT}`);
    return;
  }
  const [command, prefixArgs] = nodeGypCommand();
  const nodeDir = localNodeDir();
  const args = [...prefixArgs, 'rebuild', ...(nodeDir ? [`--nodedir=${nodeDir}`] : [])];
  const child = spawnSync(command, args, { cwd: NATIVE_DIR, encoding: 'utf8', timeout: 10 * 60 * 1000, maxBuffer: 64 * 1024 * 1024 });
  const log = `$ ${command} ${args.join(' ')}\n${child.stdout ?? ''}${child.stderr ?? ''}${child.error ? `\n${child.error.message}` : ''}`;
  let reason;
  if (child.status !== 0) reason = reasonFromLog(log, child.status);
  else {
    try {
      const config = checkAddon();
      fs.rmSync(LOG, { force: true });
      console.log(`losslab: native OpenBLAS matMul built (${config}); --backend auto uses wasm+openblas`);
      return;
    } catch (error) {
      reason = `the built addon did not load: ${error.message}`;
      fs.rmSync(ADDON, { force: true });
    }
  }
  fs.writeFileSync(LOG, log);
  console.log(
    `losslab: native OpenBLAS matMul not built (${reason}), so matMuls run on wasm (XNNPACK). ${HOW_TO_GET_IT} Log: native/build.log`,
  );
}

try {
  main();
} catch (error) {
  // Never fail the install over an optional part.
  console.log(`losslab: native OpenBLAS matMul not built (${error.message}), so matMuls run on wasm (XNNPACK). ${HOW_TO_GET_IT}`);
}
