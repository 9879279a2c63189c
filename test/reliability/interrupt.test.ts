// A real child process interrupted mid-run by SIGINT/SIGTERM exits 3, and --resume then equals an uninterrupted run.
import * as fs from 'fs';
import * as path from 'path';
import { ExitCode } from '../../src/errors';
import { Files, type Manifest } from '../../src/results/contract';
import { parseCsv } from '../../src/results/csv';
import { makeTempDir } from '../helpers/tmp';
import { CLI, FIXTURES, exitWithin, spawnCli, waitFor, withoutTimings } from './helpers';

const EXPERIMENT = path.join(FIXTURES, 'interrupt.yaml');
const FIRST = 'first-s5';
const SECOND = 'second-s5';
const RESULT_FILES = [
  Files.summary,
  path.join(Files.runsDir, FIRST, Files.metrics),
  path.join(Files.runsDir, FIRST, Files.gradients),
  path.join(Files.runsDir, SECOND, Files.metrics),
  path.join(Files.runsDir, SECOND, Files.gradients),
];
const WEIGHTS = [FIRST, SECOND].map((id) => path.join(Files.runsDir, id, Files.model, 'weights.bin'));

const tmp = makeTempDir('interrupt');
afterAll(tmp.cleanup);

const runArgs = (out: string, ...extra: string[]) => ['run', EXPERIMENT, '--out', out, '--backend', 'cpu', ...extra];
const readManifest = (out: string) => JSON.parse(fs.readFileSync(path.join(out, Files.manifest), 'utf8')) as Manifest;

/** The uninterrupted run every resumed one is compared with; started once, in parallel with the first case. */
let reference: Promise<{ code: number | string; out: string }> | undefined;
function uninterrupted(): Promise<{ code: number | string; out: string }> {
  reference ??= (async () => {
    const out = path.join(tmp.dir, 'uninterrupted');
    const child = spawnCli(runArgs(out));
    return { code: await child.exited, out };
  })();
  return reference;
}

beforeAll(() => {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: build the CLI with npx tsc -p tsconfig.json first`);
});

describe.each(['SIGINT', 'SIGTERM'] as const)('%s during the first run', (signal) => {
  test('exits 3 with the run marked interrupted, and --resume gives the uninterrupted results', async () => {
    const referenceRun = uninterrupted();
    const out = path.join(tmp.dir, signal);
    const metricsFile = path.join(out, Files.runsDir, FIRST, Files.metrics);
    const child = spawnCli(runArgs(out));
    // Epoch 1 is written, so the signal lands during epoch 2 (of 3) of the first run.
    await waitFor(() => fs.existsSync(metricsFile) && /\n1,/.test(fs.readFileSync(metricsFile, 'utf8')), 'epoch 1 of the first run');
    child.process.kill(signal);
    expect(await exitWithin(child, 20000)).toBe(ExitCode.interrupted);
    expect(child.output()).toContain(`losslab: ${signal}: stopping after this step; results so far are kept`);

    const manifest = readManifest(out);
    expect(manifest.runs[FIRST].status).toBe('interrupted');
    expect(manifest.runs[SECOND].status).toBe('pending');
    expect(manifest.endedAt).not.toBeNull();
    const summary = parseCsv(fs.readFileSync(path.join(out, Files.summary), 'utf8')).rows;
    expect(summary.map((r) => [r.run_id, r.status])).toEqual([[FIRST, 'interrupted']]);
    const metrics = parseCsv(fs.readFileSync(metricsFile, 'utf8')).rows;
    expect(metrics.length).toBeLessThan(4);
    expect(metrics.map((r) => r.epoch)).toEqual(['0', '1', '2'].slice(0, metrics.length));
    parseCsv(fs.readFileSync(path.join(out, Files.runsDir, FIRST, Files.gradients), 'utf8'));

    const resumed = spawnCli(runArgs(out, '--resume'));
    expect(await resumed.exited).toBe(ExitCode.ok);
    const { code, out: referenceOut } = await referenceRun;
    expect(code).toBe(ExitCode.ok);
    expect(Object.values(readManifest(out).runs).map((r) => r.status)).toEqual(['complete', 'complete']);
    for (const file of RESULT_FILES) {
      expect({ file, ...withoutTimings(path.join(out, file)) }).toEqual({ file, ...withoutTimings(path.join(referenceOut, file)) });
    }
    for (const file of WEIGHTS) {
      expect(fs.readFileSync(path.join(out, file)).equals(fs.readFileSync(path.join(referenceOut, file)))).toBe(true);
    }
  });
});
