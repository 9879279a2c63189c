// --backend: an explicit backend that does not load is bad input (exit 2) naming why; auto falls back, says so, and
// records what ran (manifest.json backend and matMul, summary.csv backend). LOSSLAB_NATIVE=off forces the fallback.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { nativeAddonOrSkip } from '../helpers/native';

const CLI = path.resolve(__dirname, '../../dist/bin/losslab.js');
const FIXTURE = path.resolve(__dirname, '../fixtures/runner/jobs.yaml');
const tfjsNodeLoads = (() => {
  try {
    require.resolve('@tensorflow/tfjs-node');
    return true;
  } catch {
    return false;
  }
})();
const nativeBuilt = nativeAddonOrSkip() !== undefined;
const TFJS_NODE_SKIPPED = "(tensorflow skipped: Cannot find module '@tensorflow/tfjs-node'";

/** One epoch-0 run of one config through the CLI; returns the output and what manifest.json and summary.csv say. */
function run(args: string[], env: NodeJS.ProcessEnv = {}) {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'losslab-backend-'));
  const result = spawnSync(
    process.execPath,
    [CLI, 'run', FIXTURE, '--out', out, '--epochs', '0', '--seeds', '1', '--only', 'sigmoid-ce', ...args],
    {
      encoding: 'utf8',
      env: { ...process.env, ...env },
    },
  );
  const manifestFile = path.join(out, 'manifest.json');
  const manifest = fs.existsSync(manifestFile)
    ? (JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as { backend: string; matMul?: string })
    : undefined;
  const summaryFile = path.join(out, 'summary.csv');
  const summary = fs.existsSync(summaryFile) ? fs.readFileSync(summaryFile, 'utf8') : '';
  fs.rmSync(out, { recursive: true, force: true });
  return { ...result, firstLine: result.stdout.split('\n')[0], manifest, summary };
}

(tfjsNodeLoads ? test.skip : test)('--backend tensorflow without tfjs-node exits 2 and says why, with the fix', () => {
  const result = spawnSync(process.execPath, [CLI, 'run', FIXTURE, '--out', '/nonexistent/never-written', '--backend', 'tensorflow'], {
    encoding: 'utf8',
  });
  expect(result.status).toBe(2);
  expect(result.stderr).toMatch(
    /^losslab: --backend tensorflow: the tensorflow backend did not load \(tensorflow: Cannot find module '@tensorflow\/tfjs-node'.*\)\. Use --backend auto to fall back to one that does\.\n$/,
  );
});

(tfjsNodeLoads ? test.skip : test)(
  'run --backend auto: wasm+openblas where the addon is built, else wasm, naming what it skipped and why',
  () => {
    const result = run([]);
    expect(result.status).toBe(0);
    if (nativeBuilt) {
      expect(result.firstLine).toMatch(
        /^losslab: backend wasm\+openblas \(matMul: OpenBLAS \d+\.\d+\.\d+ \S+, 1 thread\) \(tensorflow skipped: /,
      );
      expect(result.manifest).toEqual(
        expect.objectContaining({ backend: 'wasm+openblas', matMul: expect.stringMatching(/^OpenBLAS .*, 1 thread$/) as string }),
      );
      expect(result.summary).toContain(',wasm+openblas,');
    } else {
      expect(result.firstLine).toContain(`losslab: backend wasm ${TFJS_NODE_SKIPPED}`);
      // Unbuilt, or (this suite run with LOSSLAB_NATIVE=off, which the child inherits) switched off.
      expect(result.firstLine).toContain(
        /^(off|0|false|no)$/i.test(process.env.LOSSLAB_NATIVE ?? '')
          ? '(wasm+openblas skipped: switched off by LOSSLAB_NATIVE=off)'
          : '(wasm+openblas skipped: native addon not built (apt-get install build-essential libopenblas-dev, then npm run build:native))',
      );
    }
  },
);

(tfjsNodeLoads ? test.skip : test)('LOSSLAB_NATIVE=off: auto falls back to wasm (XNNPACK) and says so; the run records wasm', () => {
  const result = run([], { LOSSLAB_NATIVE: 'off' });
  expect(result.status).toBe(0);
  expect(result.firstLine).toMatch(
    /^losslab: backend wasm \(tensorflow skipped: .*\) \(wasm\+openblas skipped: switched off by LOSSLAB_NATIVE=off\)$/,
  );
  expect(result.manifest?.backend).toBe('wasm');
  expect(result.manifest).not.toHaveProperty('matMul');
  expect(result.summary).toMatch(/,wasm,[0-9a-f]+\n$/);
});

test('--backend wasm+openblas that cannot load exits 2, naming why and the way out', () => {
  const result = run(['--backend', 'wasm+openblas'], { LOSSLAB_NATIVE: 'off' });
  expect(result.status).toBe(2);
  expect(result.stderr).toBe(
    'losslab: --backend wasm+openblas: the wasm+openblas backend did not load (wasm+openblas: switched off by LOSSLAB_NATIVE=off). Use --backend auto to fall back to one that does.\n',
  );
});

(nativeBuilt ? test : test.skip)('--backend wasm forces XNNPACK where the addon is built; --backend wasm+openblas forces OpenBLAS', () => {
  const wasm = run(['--backend', 'wasm']);
  expect(wasm.firstLine).toBe('losslab: backend wasm');
  expect(wasm.manifest?.backend).toBe('wasm');
  const native = run(['--backend', 'wasm+openblas']);
  expect(native.firstLine).toMatch(/^losslab: backend wasm\+openblas \(matMul: OpenBLAS .*, 1 thread\)$/);
  expect(native.manifest?.backend).toBe('wasm+openblas');
});
