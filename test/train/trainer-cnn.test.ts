// A whole layer-stack run through trainRun: conv rows in gradients.csv, saved models that predict what the trainer's
// weights do, and --resume equal to an uninterrupted run (dropout masks come from the step, so they resume too).
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../src/backend/select';
import { loadExperiment, type ResolvedRun } from '../../src/config/experiment';
import { buildModel } from '../../src/models/build';
import { loadSavedModel } from '../../src/models/save';
import { createOptimizer } from '../../src/optimizers/registry';
import { Files } from '../../src/results/contract';
import { parseCsv } from '../../src/results/csv';
import { loadCheckpoint } from '../../src/train/checkpoint';
import { trainRun } from '../../src/train/trainer';
import { tinyDataset } from '../helpers/dataset';
import { makeTempDir } from '../helpers/tmp';

const dataset = tinyDataset({ train: 120, test: 40, featureSize: 784, numClasses: 10 });

function run(epochs: number): ResolvedRun {
  const text = `
name: cnn
dataset: {train: 120, test: 40}
defaults:
  model:
    hiddenActivation: relu
    kernelInitializer: he-uniform
    layers:
      - {type: conv2d, filters: 3, kernelSize: 5, strides: 2}
      - {type: maxPool2d}
      - {type: conv2d, filters: 4, kernelSize: 3, padding: same}
      - {type: avgPool2d, poolSize: 2, padding: same}
      - {type: flatten}
      - {type: dropout, rate: 0.3}
      - {type: dense, units: 8}
  optimizer: {name: momentum, learningRate: 0.05}
  batchSize: 16
  epochs: ${epochs}
  hooks: {every: 3}
`;
  return loadExperiment('cnn.yaml', {}, text).runs[0];
}

let tmp: ReturnType<typeof makeTempDir>;
beforeAll(async () => {
  await selectBackend('wasm');
  tmp = makeTempDir('trainer-cnn');
});
afterAll(() => tmp.cleanup());

const rowsOf = (file: string) => parseCsv(fs.readFileSync(file, 'utf8'));
/** A CSV without its timing column, for comparing runs. */
const withoutWall = (file: string) => rowsOf(file).rows.map(({ wall_s: _wall, ...rest }) => rest);

test('gradients.csv has kernel, bias and pre-activation rows for the conv and dense layers only, with their kind', async () => {
  const dir = path.join(tmp.dir, 'rows');
  const outcome = await trainRun(run(1), dataset, { runDir: dir, saveModels: false });
  expect(outcome.status).toBe('complete');
  const table = rowsOf(path.join(dir, Files.gradients));
  expect(table.columns[table.columns.length - 1]).toBe('layer_kind');
  const step0 = table.rows.filter((r) => r.step === '0');
  expect(step0.map((r) => `${r.layer}/${r.tensor}/${r.layer_kind}`)).toEqual(
    [0, 1, 2, 3].flatMap((layer) => ['kernel', 'bias', 'preactivation'].map((t) => `${layer}/${t}/${layer < 2 ? 'conv2d' : 'dense'}`)),
  );
  // Recorded at steps 0, 3 and 6 of the 8 steps.
  expect([...new Set(table.rows.map((r) => r.step))]).toEqual(['0', '3', '6']);
});

test("model-init/ predicts the built model's outputs, model/ those of the weights in the last checkpoint", async () => {
  const dir = path.join(tmp.dir, 'models');
  const resolved = run(2);
  await trainRun(resolved, dataset, { runDir: dir });
  const x = tf.tensor2d(dataset.test.features.subarray(0, 12 * 784), [12, 784]);
  const expectSame = async (savedDir: string, model: ReturnType<typeof buildModel>) => {
    const loaded = await loadSavedModel(savedDir);
    const predicted = loaded.predict(x) as tf.Tensor;
    const expected = tf.tidy(() => tf.softmax(model.logits(x)));
    const [got, want] = [predicted.dataSync(), expected.dataSync()];
    for (let i = 0; i < want.length; i++) expect(Math.abs(got[i] - want[i])).toBeLessThanOrEqual(1e-6);
    tf.dispose([predicted, expected]);
    loaded.dispose();
  };
  const initial = buildModel(resolved.config.model, dataset.train, resolved.seed);
  await expectSame(path.join(dir, Files.modelInit), initial);
  const optimizer = createOptimizer(resolved.config.optimizer);
  const state = await loadCheckpoint(path.join(dir, Files.checkpoint, 'checkpoint.bin'), initial, optimizer);
  expect(state.epoch).toBe(2);
  await expectSame(path.join(dir, Files.model), initial);
  optimizer.dispose();
  initial.dispose();
  x.dispose();
});

test('stopping after epoch 1 and resuming gives the rows of an uninterrupted 2-epoch run, dropout included', async () => {
  const straight = path.join(tmp.dir, 'straight');
  const resumed = path.join(tmp.dir, 'resumed');
  await trainRun(run(2), dataset, { runDir: straight, saveModels: false });
  await trainRun(run(1), dataset, { runDir: resumed, saveModels: false });
  await trainRun(run(2), dataset, { runDir: resumed, saveModels: false, resume: true });
  expect(fs.readFileSync(path.join(resumed, Files.gradients), 'utf8')).toBe(fs.readFileSync(path.join(straight, Files.gradients), 'utf8'));
  expect(withoutWall(path.join(resumed, Files.metrics))).toEqual(withoutWall(path.join(straight, Files.metrics)));
});
