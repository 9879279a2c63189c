// Runs losslab invocations in one child process of the built CLI (dist/, built by `npm test`'s pretest), each as
// main(argv, io) with a capturing Io: for what Jest cannot do in-process, such as importing an ES module (a user's
// loss or activation module), which needs a real dynamic import.
import { spawnSync } from 'child_process';
import * as path from 'path';
import type { CliResult } from './cli';

const MAIN = path.resolve(__dirname, '../../dist/src/cli/main.js');
const MARKER = '\u0000losslab-results\u0000';

const SCRIPT = `
const { main } = require(${JSON.stringify(MAIN)});
(async () => {
  const results = [];
  for (const argv of JSON.parse(process.argv[1])) {
    let out = '';
    let err = '';
    const code = await main(argv, { out: (t) => { out += t; }, err: (t) => { err += t; }, isTty: false });
    results.push({ code, out, err });
  }
  process.stdout.write(${JSON.stringify(MARKER)} + JSON.stringify(results));
})();
`;

/** Each argv run in turn in one fresh Node process (in `cwd`); resolves to what each returned and wrote. */
export function runCliInChild(argvs: readonly (readonly string[])[], cwd = process.cwd()): CliResult[] {
  const child = spawnSync(process.execPath, ['-e', SCRIPT, JSON.stringify(argvs)], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, CI: '1' },
    maxBuffer: 64 * 1024 * 1024,
  });
  const at = child.stdout.indexOf(MARKER);
  if (at < 0) throw new Error(`the child process did not report (exit ${child.status}):\n${child.stdout}\n${child.stderr}`);
  return JSON.parse(child.stdout.slice(at + MARKER.length)) as CliResult[];
}
