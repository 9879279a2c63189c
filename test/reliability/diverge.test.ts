// experiments/diverge.yaml: the run with learning rate 1e4 stops as `diverged` at its step, the sane run completes, exit 1.
import * as fs from 'fs';
import * as path from 'path';
import { ExitCode } from '../../src/errors';
import { Files, type Manifest } from '../../src/results/contract';
import { parseCsv } from '../../src/results/csv';
import { runCli } from '../helpers/cli';
import { makeTempDir } from '../helpers/tmp';

const tmp = makeTempDir('diverge');
afterAll(tmp.cleanup);
const DIVERGING = 'linear-mse-lr-1e4-s1';
const SANE = 'softmax-cross-entropy-s1';

/** experiments/diverge.yaml as committed, with only its dataset cut to a 1,000-image subset. */
function subsetCopy(): string {
  const text = fs.readFileSync(path.resolve(__dirname, '../../experiments/diverge.yaml'), 'utf8');
  const subset = text.replace('dataset: { name: mnist, train: 5000, test: 2000 }', 'dataset: { name: mnist, train: 1000, test: 300 }');
  expect(subset).not.toBe(text);
  const file = path.join(tmp.dir, 'diverge.yaml');
  fs.writeFileSync(file, subset.replace('$schema: ../losslab.schema.json\n', ''));
  return file;
}

test('the diverging run is diverged at the step of its first non-finite gradient, its rows kept; the other completes; exit 1', async () => {
  const out = path.join(tmp.dir, 'out');
  const result = await runCli(['run', subsetCopy(), '--out', out, '--backend', 'cpu', '--epochs', '1']);
  expect(result.err).toBe('');
  expect(result.code).toBe(ExitCode.runsFailed);

  const runDir = path.join(out, Files.runsDir, DIVERGING);
  const gradients = parseCsv(fs.readFileSync(path.join(runDir, Files.gradients), 'utf8')).rows;
  const finite = (row: Record<string, string>) => ['l2', 'mean_abs', 'max_abs'].every((c) => Number.isFinite(Number(row[c])));
  const firstBad = gradients.find((row) => !finite(row));
  expect(firstBad).toBeDefined();
  const divergedStep = Number(firstBad!.step);
  // Every step before it was recorded (hooks every 1) and finite; nothing after it was written.
  expect([...new Set(gradients.map((r) => Number(r.step)))]).toEqual(Array.from({ length: divergedStep + 1 }, (_, i) => i));
  expect(gradients.filter((r) => Number(r.step) < divergedStep).every(finite)).toBe(true);

  const manifest = JSON.parse(fs.readFileSync(path.join(out, Files.manifest), 'utf8')) as Manifest;
  expect(manifest.runs[DIVERGING]).toMatchObject({ status: 'diverged', divergedStep, epochsDone: 0 });
  expect(manifest.runs[SANE]).toMatchObject({ status: 'complete', epochsDone: 1 });
  expect(manifest.runs[SANE].divergedStep).toBeUndefined();

  const summary = parseCsv(fs.readFileSync(path.join(out, Files.summary), 'utf8')).rows;
  expect(summary.map((r) => [r.run_id, r.status, r.diverged_step, r.steps])).toEqual([
    [DIVERGING, 'diverged', String(divergedStep), String(divergedStep)],
    [SANE, 'complete', '', '50'],
  ]);
  // The epoch-0 evaluation before training is kept; no epoch finished.
  expect(parseCsv(fs.readFileSync(path.join(runDir, Files.metrics), 'utf8')).rows.map((r) => r.epoch)).toEqual(['0']);
  expect(fs.existsSync(path.join(runDir, Files.model))).toBe(false);
  expect(result.out).toContain(`[1/2] ${DIVERGING}: diverged at step ${divergedStep} (loss or gradient not finite)`);
});
