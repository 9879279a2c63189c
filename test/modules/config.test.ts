// Modules in experiment files, in-process (CommonJS and TypeScript modules): resolution, grids over options, the
// identity rule across defaults and runs, hashes (built-ins keep theirs, a module's source moves only its runs'),
// and a whole training run with a loss module and an activation module that leaves tf.memory() flat.
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { loadExperiment, loadExperimentWithModules } from '../../src/config/experiment';
import { parseCsv } from '../../src/results/csv';
import { Files, type ExperimentRecord } from '../../src/results/contract';
import { trainRun } from '../../src/train/trainer';
import { tinyDataset } from '../helpers/dataset';
import { makeTempDir } from '../helpers/tmp';

const ROOT = path.join(__dirname, '..', '..');
const FIXTURES = path.join(__dirname, '..', 'fixtures', 'modules');
const load = (text: string) => loadExperimentWithModules(path.join(FIXTURES, 'inline.yaml'), {}, text);
const HEAD = 'name: inline\ndataset: { train: 100, test: 50 }\ndefaults: { model: { hidden: [4] }, batchSize: 10, epochs: 1 }\n';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

test('the shipped experiments that name no module keep their hashes: smoke matches its committed baseline', () => {
  const experiment = loadExperiment(path.join(ROOT, 'experiments', 'smoke.yaml'));
  const baseline = path.join(ROOT, 'results', 'baselines', 'smoke');
  const record = JSON.parse(fs.readFileSync(path.join(baseline, Files.experiment), 'utf8')) as ExperimentRecord;
  expect(experiment.hash).toBe(record.hash);
  const summary = parseCsv(fs.readFileSync(path.join(baseline, Files.summary), 'utf8')).rows;
  expect(experiment.runs.map((r) => [r.id, r.configHash])).toEqual(summary.map((row) => [row.run_id, row.config_hash]));
});

test('a grid varies a module option; each run gets its options with the defaults filled in', async () => {
  const experiment = await load(
    `${HEAD}runs:\n  - name: opt\n    loss: { module: ./options.cjs }\ngrid:\n  loss.options.gamma: [0, 2.5]\n`,
  );
  expect(experiment.runs.map((r) => [r.name, r.config.loss.options])).toEqual([
    ['opt[gamma=0]', { gamma: 0, mode: 'mean' }],
    ['opt[gamma=2.5]', { gamma: 2.5, mode: 'mean' }],
  ]);
  expect(new Set(experiment.runs.map((r) => r.configHash)).size).toBe(2);
});

test('a run that names its loss drops the name, module and options it would inherit from the defaults', async () => {
  const text = `name: layers\ndataset: { train: 100, test: 50 }\ndefaults:\n  loss: { module: ./options.cjs, options: { gamma: 1 }, scale: 0.5 }\nruns:\n  - name: builtin\n    loss: { name: cross-entropy }\n  - name: inherited\n`;
  const [builtin, inherited] = (await load(text)).runs;
  expect(builtin.config.loss).toEqual({ name: 'cross-entropy', outputs: 'sum', scale: 0.5, gradient: 'autodiff', labelSmoothing: 0 });
  expect(inherited.config.loss).toMatchObject({ module: './options.cjs', options: { gamma: 1, mode: 'mean' }, scale: 0.5 });
  expect(builtin.modules).toEqual({});
  expect(inherited.modules.loss!.loaded.name).toBe('options');
});

test("a module's source hash moves its runs' config hashes, not the experiment's hash", async () => {
  const tmp = makeTempDir('module-hash');
  try {
    fs.copyFileSync(path.join(FIXTURES, 'options.cjs'), path.join(tmp.dir, 'options.cjs'));
    const text = `${HEAD}runs:\n  - name: module\n    loss: { module: ./options.cjs }\n  - name: builtin\n`;
    const before = await loadExperimentWithModules(path.join(tmp.dir, 'x.yaml'), {}, text);
    fs.appendFileSync(path.join(tmp.dir, 'options.cjs'), '// edited\n');
    const after = await loadExperimentWithModules(path.join(tmp.dir, 'x.yaml'), {}, text);
    expect(after.hash).toBe(before.hash);
    expect(after.runs[0].configHash).not.toBe(before.runs[0].configHash);
    expect(after.runs[1].configHash).toBe(before.runs[1].configHash);
    expect(after.runs[0].config.loss.sha256).not.toBe(before.runs[0].config.loss.sha256);
  } finally {
    tmp.cleanup();
  }
});

test('the sync loader refuses a file that names a module, saying which loader to use', () => {
  expect(() => loadExperiment(path.join(FIXTURES, 'inline.yaml'), {}, `${HEAD}runs:\n  - loss: { module: ./options.cjs }\n`)).toThrow(
    'loss module "./options.cjs" is named, but modules load only through loadExperimentWithModules.',
  );
});

test('a whole run with a TypeScript loss module and a CommonJS activation module leaves tf.memory() flat', async () => {
  const text = [
    'name: inline',
    'dataset: { train: 100, test: 50 }',
    'defaults: { model: { hidden: [4], outputActivation: { module: ./softsign.cjs } }, batchSize: 10, epochs: 1, hooks: { every: 2 } }',
    'runs:',
    '  - name: mixed',
    '    loss: { module: ./log-cosh-copy.ts, options: { weight: 2 }, gradient: skip-activation-derivative }',
    '',
  ].join('\n');
  const [run] = (await load(text)).runs;
  const dataset = tinyDataset({ train: 100, test: 50 });
  const tmp = makeTempDir('module-train');
  try {
    const before = tf.memory().numTensors;
    const outcome = await trainRun(run, dataset, { runDir: tmp.dir });
    expect(tf.memory().numTensors).toBe(before);
    expect([outcome.status, outcome.epochsDone, outcome.steps]).toEqual(['complete', 1, 10]);
    const gradients = parseCsv(fs.readFileSync(path.join(tmp.dir, Files.gradients), 'utf8')).rows;
    const output = gradients.filter((row) => row.layer === '1' && row.tensor === 'preactivation');
    // The activation module's saturation threshold fills saturated_fraction for the output layer.
    expect(output.length).toBeGreaterThan(0);
    expect(output.every((row) => row.saturated_fraction !== '' && Number.isFinite(Number(row.saturated_fraction)))).toBe(true);
    const modelJson = JSON.parse(fs.readFileSync(path.join(tmp.dir, Files.model, 'model.json'), 'utf8')) as {
      modelTopology: { config: { layers: { config: { activation: string } }[] } };
      userDefinedMetadata: { losslab: { layers: unknown } };
    };
    expect(modelJson.modelTopology.config.layers.map((l) => l.config.activation)).toEqual(['sigmoid', 'linear']);
    expect(modelJson.userDefinedMetadata.losslab.layers).toEqual([{ layer: 'dense_1', activation: 'softsign' }]);
  } finally {
    tmp.cleanup();
  }
});
