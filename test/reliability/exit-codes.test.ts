// The documented exit codes of `losslab run` through main(): 0 all complete, 1 some diverged, 2 bad input, 3 interrupted.
import * as fs from 'fs';
import * as path from 'path';
import { ExitCode } from '../../src/errors';
import { Files, type Manifest } from '../../src/results/contract';
import { runCli } from '../helpers/cli';
import { makeTempDir } from '../helpers/tmp';
import { FIXTURES, waitFor } from './helpers';

const tmp = makeTempDir('exit-codes');
afterAll(tmp.cleanup);
const TWO_RUNS = path.join(FIXTURES, 'interrupt.yaml');
const DIVERGE = path.resolve(__dirname, '../../experiments/diverge.yaml');
const out = (name: string) => path.join(tmp.dir, name);

test.each([
  ['0: every run complete', ['run', TWO_RUNS, '--out', out('ok'), '--backend', 'cpu', '--epochs', '0'], ExitCode.ok, ''],
  [
    '1: a run diverged',
    ['run', DIVERGE, '--out', out('diverged'), '--backend', 'cpu', '--epochs', '1', '--only', 'linear-*'],
    ExitCode.runsFailed,
    '',
  ],
  [
    '2: missing experiment file',
    ['run', out('nope.yaml'), '--backend', 'cpu'],
    ExitCode.badInput,
    `losslab: ${out('nope.yaml')}: cannot read the experiment file: no such file.\n`,
  ],
  [
    '2: conflicting flags',
    ['run', TWO_RUNS, '--out', out('flags'), '--force', '--resume'],
    ExitCode.badInput,
    'losslab: --force and --resume conflict: --force replaces the results in the folder, --resume continues them. Pick one.\n',
  ],
  [
    '2: unknown flag',
    ['run', TWO_RUNS, '--epoch', '1'],
    ExitCode.badInput,
    'losslab: unknown option "--epoch" — did you mean "--epochs"? Options: --out, --backend, --force, --resume, --report, --epochs, --seeds, --only, --shard, --jobs. Usage: losslab run <file> [options].\n',
  ],
])('exit %s', async (_name, argv, code, err) => {
  const result = await runCli(argv);
  expect(result.err).toBe(err);
  expect(result.code).toBe(code);
});

test('exit 3: a SIGINT during a run in this process stops it after the current step', async () => {
  const folder = out('interrupted');
  const metricsFile = path.join(folder, Files.runsDir, 'first-s5', Files.metrics);
  const running = runCli(['run', TWO_RUNS, '--out', folder, '--backend', 'cpu', '--epochs', '2']);
  await waitFor(() => fs.existsSync(metricsFile) && /\n0,/.test(fs.readFileSync(metricsFile, 'utf8')), 'the epoch-0 row');
  // Only the run command's handler listens while it runs; emit rather than kill so nothing else in jest sees it.
  expect(process.listenerCount('SIGINT')).toBeGreaterThan(0);
  process.emit('SIGINT', 'SIGINT');
  const result = await running;
  expect(result.err).toBe('\nlosslab: SIGINT: stopping after this step; results so far are kept (send again to quit at once)\n');
  expect(result.code).toBe(ExitCode.interrupted);
  const manifest = JSON.parse(fs.readFileSync(path.join(folder, Files.manifest), 'utf8')) as Manifest;
  expect(manifest.runs['first-s5'].status).toBe('interrupted');
  expect(result.out).toContain('[1/2] first-s5: interrupted after epoch ');
  expect(process.listenerCount('SIGINT')).toBe(0);
});

/** Every file under `dir` with its bytes, to show a refused command changed nothing. */
function snapshot(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile())
      files[path.relative(dir, path.join(entry.parentPath, entry.name))] = fs.readFileSync(
        path.join(entry.parentPath, entry.name),
        'base64',
      );
  }
  return files;
}

const RESUME_HINT = 'rerun without --resume to train every run again, or with --force to replace the folder';

/** JSON.parse's own message for `text` (its wording is Node's, so the test asks Node rather than copying it). */
function jsonError(text: string): string {
  try {
    JSON.parse(text);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected invalid JSON');
}

test.each([
  [
    'a truncated manifest.json',
    Files.manifest,
    '{"losslab": "0.1.0", "runs": {',
    (file: string, text: string) =>
      `${file}:1:${text.length + 1}: malformed JSON: ${jsonError(text).replace(/ in JSON at position \d+.*$/, '')} — ${RESUME_HINT}`,
  ],
  [
    'a manifest.json whose runs are a list',
    Files.manifest,
    '{"losslab": "0.1.0", "node": "v20", "tfjs": "4.22.0", "backend": "cpu", "experimentName": "x", "experimentHash": "h", "startedAt": "t", "endedAt": null, "runs": []}',
    (file: string) => `${file}: runs: expected a mapping, received a list of 0 items — ${RESUME_HINT}`,
  ],
  [
    'a ragged summary.csv',
    Files.summary,
    'run_id,status\nfirst-s5\n',
    (file: string) => `${file}:2: malformed CSV: row 2 has 1 cells, the header has 2 — ${RESUME_HINT}`,
  ],
])('exit 2: --resume over %s names the file and what to do, and leaves every file as it was', async (_name, fileName, text, message) => {
  const folder = out(`resume-${fileName}-${text.length}`);
  expect((await runCli(['run', TWO_RUNS, '--out', folder, '--backend', 'cpu', '--epochs', '0'])).code).toBe(ExitCode.ok);
  const file = path.join(folder, fileName);
  fs.writeFileSync(file, text);
  const before = snapshot(folder);
  const result = await runCli(['run', TWO_RUNS, '--out', folder, '--backend', 'cpu', '--epochs', '0', '--resume']);
  expect(result.err).toBe(`losslab: ${message(file, text)}\n`);
  expect(result.code).toBe(ExitCode.badInput);
  expect(snapshot(folder)).toEqual(before);
});
