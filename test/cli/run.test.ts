// `losslab run` end to end through main(argv, io) on a 1,000-example MNIST subset: the results folder contract,
// refusing another experiment's folder, --force, and the --only / --seeds / --epochs overrides.
import * as fs from 'fs';
import * as path from 'path';
import { loadExperiment } from '../../src/config/experiment';
import type { RunConfig } from '../../src/config/schema';
import { deriveSeed } from '../../src/data/rng';
import {
  Files,
  GRADIENT_COLUMNS,
  METRICS_COLUMNS,
  SUMMARY_COLUMNS,
  type ExperimentRecord,
  type Manifest,
} from '../../src/results/contract';
import { parseCsv, type CsvTable } from '../../src/results/csv';
import { experimentRecord } from '../../src/runner/output-folder';
import { runCli, type CliResult } from '../helpers/cli';
import { makeTempDir } from '../helpers/tmp';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'config');
const TWO_RUNS = path.join(FIXTURES, 'good_two_runs.yaml');
const OTHER = path.join(FIXTURES, 'good_other.yaml');
const IDS = ['sigmoid-mse-s3', 'softmax-cross-entropy-s3'];

let tmp: ReturnType<typeof makeTempDir>;
let out: string;
let first: CliResult;

const read = (...parts: string[]) => fs.readFileSync(path.join(...parts), 'utf8');
const csv = (...parts: string[]): CsvTable => parseCsv(read(...parts));
const json = <T>(...parts: string[]) => JSON.parse(read(...parts)) as T;

beforeAll(async () => {
  tmp = makeTempDir('cli-run');
  out = path.join(tmp.dir, 'two-runs');
  first = await runCli(['run', TWO_RUNS, '--out', out, '--backend', 'cpu']);
});
afterAll(() => tmp.cleanup());

describe('run on a 1,000-example subset', () => {
  test('exits 0 and prints the backend, one plain line per run and the folder', () => {
    expect(first.err).toBe('');
    expect(first.code).toBe(0);
    const lines = first.out.split('\n');
    expect(lines[0]).toBe('losslab: backend cpu');
    const accuracy = (id: string) =>
      (Number(csv(out, Files.summary).rows.find((r) => r.run_id === id)!.final_test_accuracy) * 100).toFixed(2);
    IDS.forEach((id, i) => {
      const prefix = `[${i + 1}/2] ${id}: test accuracy ${accuracy(id)}% after 2 epoch(s), `;
      expect(lines[i + 1].startsWith(prefix)).toBe(true);
      expect(lines[i + 1].slice(prefix.length)).toMatch(/^\d+s$/);
    });
    expect(lines.slice(3)).toEqual([`losslab: results in ${out}`, '']);
    // Off a terminal there are no carriage returns or escape codes.
    // eslint-disable-next-line no-control-regex -- ESC is what must be absent
    expect(first.out).not.toMatch(/[\r\x1b]/);
  });

  test('the folder holds experiment.json, manifest.json, summary.csv and runs/<id>/ for every run', () => {
    expect(fs.readdirSync(out).sort()).toEqual([Files.experiment, Files.manifest, Files.runsDir, Files.summary].sort());
    expect(fs.readdirSync(path.join(out, Files.runsDir)).sort()).toEqual(IDS);
    for (const id of IDS) {
      const runDir = path.join(out, Files.runsDir, id);
      expect(fs.readdirSync(runDir)).toEqual(expect.arrayContaining([Files.metrics, Files.gradients, Files.modelInit, Files.model]));
      for (const model of [Files.modelInit, Files.model])
        expect(fs.readdirSync(path.join(runDir, model)).sort()).toEqual(['model.json', 'weights.bin']);
    }
  });

  test("model-init/ and model/ record the run's initialisers (glorot-uniform kernels, zero biases) with their seeds", () => {
    const sizes = [784, 8, 10];
    const config = (json<ExperimentRecord>(out, Files.experiment).runs[0].config as RunConfig).model;
    expect([config.kernelInitializer, config.biasInitializer]).toEqual([{ name: 'glorot-uniform' }, { name: 'zeros' }]);
    const expected = sizes.slice(1).map((fanOut, index) => {
      const limit = Math.sqrt(6 / (sizes[index] + fanOut));
      return [
        { class_name: 'RandomUniform', config: { minval: -limit, maxval: limit, seed: deriveSeed(3, `layer${index}.kernel`) } },
        { class_name: 'Zeros', config: {} },
      ];
    });
    for (const id of IDS) {
      for (const model of [Files.modelInit, Files.model]) {
        const { modelTopology } = json<{ modelTopology: { config: { layers: { config: Record<string, unknown> }[] } } }>(
          out,
          Files.runsDir,
          id,
          model,
          'model.json',
        );
        expect(modelTopology.config.layers.map((l) => [l.config.kernel_initializer, l.config.bias_initializer])).toEqual(expected);
      }
    }
  });

  test('experiment.json is the resolved experiment', () => {
    const record = json<ExperimentRecord>(out, Files.experiment);
    expect(record).toEqual(JSON.parse(JSON.stringify(experimentRecord(loadExperiment(TWO_RUNS)))));
    expect(record.runs.map((r) => r.id)).toEqual(IDS);
  });

  test('manifest.json records versions, the backend, the hash and every run complete', () => {
    const manifest = json<Manifest>(out, Files.manifest);
    expect(manifest.backend).toBe('cpu');
    expect(manifest.experimentName).toBe('two-runs');
    expect(manifest.experimentHash).toBe(loadExperiment(TWO_RUNS).hash);
    expect(manifest.node).toBe(process.version);
    expect(manifest.tfjs).toMatch(/^4\.22\./);
    expect(manifest.losslab).toBe(json<{ version: string }>(__dirname, '..', '..', 'package.json').version);
    expect(Date.parse(manifest.endedAt!)).toBeGreaterThanOrEqual(Date.parse(manifest.startedAt));
    expect(Object.keys(manifest.runs)).toEqual(IDS);
    for (const id of IDS) expect(manifest.runs[id]).toMatchObject({ status: 'complete', epochsDone: 2 });
  });

  test('summary.csv has the contract columns in order and one complete row per run', () => {
    const summary = csv(out, Files.summary);
    expect(summary.columns).toEqual([...SUMMARY_COLUMNS]);
    expect(
      summary.rows.map((r) => [
        r.run_id,
        r.name,
        r.seed,
        r.hidden,
        r.hidden_activation,
        r.output_activation,
        r.loss,
        r.optimizer,
        r.learning_rate,
        r.batch_size,
        r.epochs,
        r.status,
        r.backend,
      ]),
    ).toEqual([
      ['sigmoid-mse-s3', 'sigmoid-mse', '3', '8', 'sigmoid', 'sigmoid', 'mse', 'sgd', '0.5', '100', '2', 'complete', 'cpu'],
      [
        'softmax-cross-entropy-s3',
        'softmax-cross-entropy',
        '3',
        '8',
        'sigmoid',
        'softmax',
        'cross-entropy',
        'sgd',
        '0.5',
        '100',
        '2',
        'complete',
        'cpu',
      ],
    ]);
    for (const row of summary.rows) {
      const metrics = csv(out, Files.runsDir, row.run_id, Files.metrics).rows;
      const last = metrics[metrics.length - 1];
      expect([row.final_train_loss, row.final_test_loss, row.final_test_accuracy]).toEqual([
        last.train_loss,
        last.test_loss,
        last.test_accuracy,
      ]);
      const best = Math.max(...metrics.map((m) => Number(m.test_accuracy)));
      expect(Number(row.best_test_accuracy)).toBe(best);
      expect(Number(metrics[Number(row.best_epoch)].test_accuracy)).toBe(best);
      expect(row.steps).toBe('20');
    }
  });

  test.each(IDS)('%s: metrics.csv has epochs 0..2 at steps 0, 10, 20, with empty validation cells', (id) => {
    const metrics = csv(out, Files.runsDir, id, Files.metrics);
    expect(metrics.columns).toEqual([...METRICS_COLUMNS]);
    expect(metrics.rows.map((r) => [r.epoch, r.step, r.validation_loss, r.validation_accuracy])).toEqual([
      ['0', '0', '', ''],
      ['1', '10', '', ''],
      ['2', '20', '', ''],
    ]);
    for (const row of metrics.rows) {
      expect(Number(row.train_loss)).toBeGreaterThan(0);
      // Accuracies are fractions of 1,000 and 500 examples.
      expect(Number.isInteger(Math.round(Number(row.train_accuracy) * 1000 * 1e6) / 1e6)).toBe(true);
      expect(Number.isInteger(Math.round(Number(row.test_accuracy) * 500 * 1e6) / 1e6)).toBe(true);
    }
  });

  test.each(IDS)('%s: gradients.csv has every layer and tensor at step 0 and every 4 steps', (id) => {
    const gradients = csv(out, Files.runsDir, id, Files.gradients);
    expect(gradients.columns).toEqual([...GRADIENT_COLUMNS]);
    const keys = gradients.rows.map((r) => `${r.step}/${r.epoch}/${r.layer}/${r.tensor}`);
    const expected = [0, 4, 8, 12, 16].flatMap((step) =>
      [0, 1].flatMap((layer) => ['kernel', 'bias', 'preactivation'].map((tensor) => `${step}/${step < 10 ? 1 : 2}/${layer}/${tensor}`)),
    );
    expect(keys).toEqual(expected);
    for (const row of gradients.rows) {
      const [l2, meanAbs, maxAbs] = [row.l2, row.mean_abs, row.max_abs].map(Number);
      expect(l2).toBeGreaterThan(0);
      expect(maxAbs).toBeGreaterThanOrEqual(meanAbs);
      expect(l2).toBeGreaterThanOrEqual(maxAbs * (1 - 1e-6));
      const saturated = row.saturated_fraction;
      if (row.tensor === 'preactivation') expect(Number(saturated) >= 0 && Number(saturated) <= 1).toBe(true);
      else expect(saturated).toBe('');
    }
  });
});

describe('a folder holding another experiment', () => {
  test('is refused with exit 2 and the exact message, leaving it untouched', async () => {
    const summaryBefore = read(out, Files.summary);
    const [two, other] = [TWO_RUNS, OTHER].map((f) => loadExperiment(f).hash);
    const result = await runCli(['run', OTHER, '--out', out, '--backend', 'cpu']);
    expect(result).toEqual({
      code: 2,
      out: '',
      err: `losslab: ${out}: the folder holds results of experiment "two-runs" (hash ${two}), not "other" (hash ${other}) — use --out to write elsewhere, or --force to replace them.\n`,
    });
    expect(read(out, Files.summary)).toBe(summaryBefore);
  });

  test('is replaced with --force', async () => {
    const forced = path.join(tmp.dir, 'forced');
    fs.cpSync(out, forced, { recursive: true });
    const result = await runCli(['run', OTHER, '--out', forced, '--backend', 'cpu', '--force']);
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    expect(fs.readdirSync(path.join(forced, Files.runsDir))).toEqual(['lone-s1']);
    expect(csv(forced, Files.summary).rows.map((r) => r.run_id)).toEqual(['lone-s1']);
    expect(json<Manifest>(forced, Files.manifest).experimentName).toBe('other');
    // hooks.every: 0 records nothing: gradients.csv holds only its header.
    expect(read(forced, Files.runsDir, 'lone-s1', Files.gradients)).toBe(`${GRADIENT_COLUMNS.join(',')}\n`);
  });
});

test('--only, --seeds and --epochs select runs, replace seeds and epochs', async () => {
  const dir = path.join(tmp.dir, 'overrides');
  const result = await runCli([
    'run',
    TWO_RUNS,
    '--out',
    dir,
    '--backend',
    'cpu',
    '--only',
    'softmax-*',
    '--seeds',
    '4,6',
    '--epochs',
    '1',
  ]);
  expect(result.err).toBe('');
  expect(result.code).toBe(0);
  const ids = ['softmax-cross-entropy-s4', 'softmax-cross-entropy-s6'];
  expect(csv(dir, Files.summary).rows.map((r) => [r.run_id, r.seed, r.epochs, r.status])).toEqual(
    ids.map((id, i) => [id, ['4', '6'][i], '1', 'complete']),
  );
  expect(json<ExperimentRecord>(dir, Files.experiment).runs.map((r) => r.id)).toEqual(ids);
  for (const id of ids) expect(csv(dir, Files.runsDir, id, Files.metrics).rows.map((r) => r.epoch)).toEqual(['0', '1']);
  // Different seeds, different initial weights.
  const [a, b] = ids.map((id) => fs.readFileSync(path.join(dir, Files.runsDir, id, Files.modelInit, 'weights.bin')));
  expect(a.equals(b)).toBe(false);
});

// Each rule once through the CLI (the full table is in test/cli/commands/run.test.ts): exit 2, nothing written.
test.each([
  [['--seeds', '1,x'], '--seeds: expected comma-separated integers >= 0 such as 1,2,3, received "1,x".'],
  [['--epochs', '-2'], '--epochs: expected an integer >= 0, received "-2".'],
  [['--jobs', '0'], '--jobs: expected an integer >= 1, received "0".'],
  [['--jobs', 'two'], '--jobs: expected an integer >= 1, received "two".'],
  [['--jobs'], '--jobs: expected a value, received nothing.'],
  [
    ['--jobs', '2', '--shard', '1/2'],
    "--jobs and --shard conflict: --shard picks one machine's part of a sweep; run --jobs inside each shard by sharding further (e.g. --shard 3/8) instead.",
  ],
  [['--jobs', '2', '--jobs', '3'], '--jobs: given 2 times ("2", "3"); give it once.'],
  [
    ['--force', '--resume'],
    '--force and --resume conflict: --force replaces the results in the folder, --resume continues them. Pick one.',
  ],
])('bad flags %j: exit 2 with the exact message', async (flags, message) => {
  const result = await runCli(['run', TWO_RUNS, '--out', path.join(tmp.dir, 'never'), '--backend', 'cpu', ...flags]);
  expect(result).toEqual({ code: 2, out: '', err: `losslab: ${message}\n` });
  expect(fs.existsSync(path.join(tmp.dir, 'never'))).toBe(false);
});
