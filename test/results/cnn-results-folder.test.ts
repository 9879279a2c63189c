// Results folders of layer stacks through the one validator: the committed smoke-cnn baseline and a fresh tiny CNN
// are read by report, compare, merge and --resume; gradients.csv's layer_kind is a typed cell (from the layer
// registry) when present and may be absent (older files); a CNN's checkpoint is checked against the run's own shapes.
import * as fs from 'fs';
import * as path from 'path';
import { ResultsError } from '../../src/errors';
import { parameterLayerKinds } from '../../src/models/layers';
import { Files, GRADIENT_CELL_TYPES, REQUIRED_SUMMARY_COLUMNS } from '../../src/results/contract';
import { parseCsv, toCsv } from '../../src/results/csv';
import { readResultsCsv, readResultsFolder } from '../../src/results/results-folder';
import { runCli } from '../helpers/cli';
import { makeTempDir } from '../helpers/tmp';

const tmp = makeTempDir('cnn-results-folder');
afterAll(tmp.cleanup);
const ROOT = path.join(__dirname, '..', '..');
const BASELINE = path.join(ROOT, 'results', 'baselines', 'smoke-cnn');
const EXPERIMENT = path.join(__dirname, '..', 'fixtures', 'reliability', 'tiny-cnn.yaml');
const MLP_EXPERIMENT = path.join(__dirname, '..', 'fixtures', 'reliability', 'tiny.yaml');
const RUN = ['--backend', 'cpu'];
const base = path.join(tmp.dir, 'base');
const mlpBase = path.join(tmp.dir, 'mlp-base');
const HINT = 'delete its checkpoint folder to train this run again from scratch with --resume, or rerun without --resume';

beforeAll(async () => {
  for (const [experiment, out] of [
    [EXPERIMENT, base],
    [MLP_EXPERIMENT, mlpBase],
  ]) {
    const result = await runCli(['run', experiment, '--out', out, ...RUN]);
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
  }
}, 120000);

let counter = 0;
/** A copy of `from`, changed by `mutate`. */
function copyOf(from: string, mutate: (dir: string) => void = () => undefined): string {
  const dir = path.join(tmp.dir, `case-${++counter}`);
  fs.cpSync(from, dir, { recursive: true });
  mutate(dir);
  return dir;
}
const gradientsOf = (dir: string, id: string) => path.join(dir, Files.runsDir, id, Files.gradients);
/** Marks run `id` interrupted in manifest.json, so --resume continues it from its checkpoint. */
const interrupt = (dir: string, id: string) => {
  const file = path.join(dir, Files.manifest);
  const manifest = JSON.parse(fs.readFileSync(file, 'utf8')) as { runs: Record<string, { status: string }> };
  manifest.runs[id].status = 'interrupted';
  fs.writeFileSync(file, JSON.stringify(manifest, null, 2));
};

test.each([
  ['the committed smoke-cnn baseline', () => BASELINE],
  ['a fresh tiny CNN folder', () => base],
])('%s passes the validator, and report, compare and merge accept it', async (_what, folderOf) => {
  const folder = readResultsFolder(folderOf(), { require: ['experiment', 'manifest', 'summary'], summaryColumns: REQUIRED_SUMMARY_COLUMNS });
  const ids = folder.summary!.rows.map((row) => row.run_id);
  for (const id of ids) {
    const gradients = readResultsCsv(gradientsOf(folderOf(), id), ['layer_kind'], GRADIENT_CELL_TYPES);
    expect(new Set(gradients.rows.map((row) => row.layer_kind))).toEqual(new Set(['conv2d', 'dense']));
  }
  const copy = copyOf(folderOf());
  const report = await runCli(['report', copy, '--out', path.join(tmp.dir, `report-${counter}`), '--format', 'csv']);
  expect([report.code, report.err]).toEqual([0, '']);
  expect(await runCli(['compare', copy, folderOf()])).toMatchObject({ code: 0, err: '' });
  expect(await runCli(['merge', copy, '--out', path.join(tmp.dir, `merge-${counter}`)])).toMatchObject({ code: 0, err: '' });
});

test.each(['conv3d', '', 'Dense', 'maxPool2d'])('a layer_kind cell %j is refused by report and compare, naming the kinds from the registry', async (kind) => {
  const dir = copyOf(base, (d) => {
    const file = gradientsOf(d, 'ce-s3');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(/,conv2d\n/, `,${kind}\n`));
  });
  const message =
    `${gradientsOf(dir, 'ce-s3')}: row 2, column layer_kind: expected a kind of layer with parameters ` +
    `(${parameterLayerKinds().join(', ')}), received "${kind}"`;
  expect(parameterLayerKinds()).toEqual(['conv2d', 'dense']);
  expect(() => readResultsCsv(gradientsOf(dir, 'ce-s3'), [], GRADIENT_CELL_TYPES)).toThrow(new ResultsError(message));
  expect(await runCli(['report', dir, '--out', path.join(tmp.dir, `kind-report-${counter}`), '--format', 'csv'])).toEqual({
    code: 2,
    out: '',
    err: `losslab: ${message}\n`,
  });
  expect(await runCli(['compare', dir, base])).toEqual({ code: 2, out: '', err: `losslab: ${message}\n` });
});

test('a gradients.csv without layer_kind (written before layer stacks) is read by report, compare, merge and --resume', async () => {
  const dir = copyOf(mlpBase, (d) => {
    for (const id of ['ce-s3', 'mse-s3']) {
      const table = parseCsv(fs.readFileSync(gradientsOf(d, id), 'utf8'));
      expect(table.columns).toContain('layer_kind');
      fs.writeFileSync(gradientsOf(d, id), toCsv(table.columns.filter((c) => c !== 'layer_kind'), table.rows));
    }
  });
  const out = path.join(tmp.dir, 'no-kind-report');
  expect(await runCli(['report', dir, '--out', out, '--format', 'csv'])).toMatchObject({ code: 0, err: '' });
  // The report reads the missing kind as dense: such files hold MLPs only.
  const table = parseCsv(fs.readFileSync(path.join(out, 'tables', 'gradients.csv'), 'utf8'));
  expect(new Set(table.rows.map((row) => row.layer_kind))).toEqual(new Set(['dense']));
  expect(await runCli(['compare', dir, mlpBase])).toMatchObject({ code: 0, err: '' });
  expect(await runCli(['merge', dir, '--out', path.join(tmp.dir, 'no-kind-merge')])).toMatchObject({ code: 0, err: '' });
  expect(await runCli(['run', MLP_EXPERIMENT, '--out', dir, '--resume', ...RUN])).toMatchObject({ code: 0, err: '' });
});

describe('--resume of a CNN folder', () => {
  const checkpointOf = (dir: string, id: string) => path.join(dir, Files.runsDir, id, Files.checkpoint, 'checkpoint.bin');

  test("an interrupted CNN run is continued from its checkpoint (checked against the stack's shapes), its rows unchanged", async () => {
    const dir = copyOf(base, (d) => interrupt(d, 'ce-s3'));
    const result = await runCli(['run', EXPERIMENT, '--out', dir, '--resume', ...RUN]);
    expect([result.code, result.err]).toEqual([0, '']);
    expect(result.out).toContain('ce-s3');
    const text = (file: string) => fs.readFileSync(file, 'utf8');
    expect(text(gradientsOf(dir, 'ce-s3'))).toBe(text(gradientsOf(base, 'ce-s3')));
  });

  test("a checkpoint of another model is refused naming both shapes, from the run's layer stack", async () => {
    const dir = copyOf(base, (d) => {
      interrupt(d, 'ce-s3');
      fs.copyFileSync(checkpointOf(mlpBase, 'ce-s3'), checkpointOf(d, 'ce-s3'));
    });
    const result = await runCli(['run', EXPERIMENT, '--out', dir, '--resume', ...RUN]);
    // The stack: conv2d 3×3×1→4 on 28×28 (stride 2: 13×13×4), maxPool 2 (6×6×4 = 144), dense 144→8, output 8→10.
    const reason = "it holds a model of shapes [784,8] [8] [8,10] [10], the run's model has [3,3,1,4] [4] [144,8] [8] [8,10] [10]";
    expect(result).toEqual({ code: 2, out: '', err: `losslab: ${checkpointOf(dir, 'ce-s3')}: corrupt checkpoint: ${reason} — ${HINT}\n` });
  });
});
