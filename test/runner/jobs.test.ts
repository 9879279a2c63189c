// --jobs 2 gives the same results folder as --jobs 1, apart from timing columns (real worker processes).
import * as fs from 'fs';
import * as path from 'path';
import { Files, type Manifest } from '../../src/results/contract';
import { spawnCli, withoutTimings } from '../reliability/helpers';
import { makeTempDir } from '../helpers/tmp';

const FIXTURE = path.resolve(__dirname, '../fixtures/runner/jobs.yaml');

test('--jobs 2 writes the same summary, metrics, gradients and models as --jobs 1', async () => {
  const tmp = makeTempDir('jobs');
  const serial = path.join(tmp.dir, 'serial');
  const parallel = path.join(tmp.dir, 'parallel');
  const one = spawnCli(['run', FIXTURE, '--out', serial, '--backend', 'cpu']);
  expect(await one.exited).toBe(0);
  const two = spawnCli(['run', FIXTURE, '--out', parallel, '--backend', 'cpu', '--jobs', '2']);
  expect(await two.exited).toBe(0);
  expect(two.output()).toContain('losslab: 2 jobs merged into');

  expect(withoutTimings(path.join(parallel, Files.summary))).toEqual(withoutTimings(path.join(serial, Files.summary)));
  const ids = fs.readdirSync(path.join(serial, Files.runsDir)).sort();
  expect(ids).toEqual(['relu-mse-s1', 'relu-mse-s2', 'sigmoid-ce-s1', 'sigmoid-ce-s2']);
  expect(fs.readdirSync(path.join(parallel, Files.runsDir)).sort()).toEqual(ids);
  for (const id of ids) {
    for (const file of [Files.metrics, Files.gradients]) {
      expect(withoutTimings(path.join(parallel, Files.runsDir, id, file))).toEqual(
        withoutTimings(path.join(serial, Files.runsDir, id, file)),
      );
    }
    const weights = (dir: string) => fs.readFileSync(path.join(dir, Files.runsDir, id, Files.model, 'weights.bin'));
    expect(weights(parallel).equals(weights(serial))).toBe(true);
  }
  const manifest = JSON.parse(fs.readFileSync(path.join(parallel, Files.manifest), 'utf8')) as Manifest;
  expect(Object.values(manifest.runs).map((r) => (r as { status: string }).status)).toEqual([
    'complete',
    'complete',
    'complete',
    'complete',
  ]);
  expect(fs.existsSync(path.join(parallel, '.jobs'))).toBe(false);
  tmp.cleanup();
});
