// Checkpoints: saving after k steps and restoring into a fresh model and optimiser continues bit for bit.
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../src/backend/select';
import { loadExperiment } from '../../src/config/experiment';
import { buildMlp, type Mlp } from '../../src/models/mlp';
import { OPTIMIZER_NAMES, createOptimizer } from '../../src/optimizers/registry';
import { loadCheckpoint, saveCheckpoint, type CheckpointState } from '../../src/train/checkpoint';
import { trainStep, type StepContext } from '../../src/train/step';
import { lossOf } from '../../src/train/run-functions';
import { tinyDataset } from '../helpers/dataset';
import { makeTempDir } from '../helpers/tmp';

const dataset = tinyDataset({ train: 64, test: 8 });
let tmp: ReturnType<typeof makeTempDir>;

beforeAll(async () => {
  await selectBackend('cpu');
  tmp = makeTempDir('checkpoint');
});
afterAll(() => tmp.cleanup());

const STATE: CheckpointState = {
  epoch: 3,
  step: 12,
  rng: { algorithm: 'xoshiro128**', words: [1, 2, 3, 4] },
  metricsBytes: 100,
  gradientsBytes: 2000,
  wallSeconds: 1.5,
};

function setUp(optimizerName: string, seed: number): { mlp: Mlp; optimizer: tf.Optimizer; context: StepContext } {
  const text = `name: c\ndataset: {train: 64, test: 8}\nruns: [{model: {hidden: [4]}, optimizer: {name: ${optimizerName}, learningRate: 0.05}}]`;
  const { config } = loadExperiment('c.yaml', {}, text).runs[0];
  const mlp = buildMlp(config.model, 5, 3, seed);
  const optimizer = createOptimizer(config.optimizer);
  return {
    mlp,
    optimizer,
    context: { model: mlp, optimizer, loss: lossOf(config, {}, mlp.layers[mlp.layers.length - 1].activation), l2Coefficient: 0 },
  };
}

/** Steps on batch `index` of 8 examples (fixed order, so both copies see the same batches). */
function steps(context: StepContext, from: number, to: number): void {
  for (let index = from; index < to; index++) {
    const start = (index * 8) % dataset.train.size;
    tf.tidy(() => {
      const x = tf.tensor2d(dataset.train.features.slice(start * 5, (start + 8) * 5), [8, 5]);
      const y = tf.oneHot(tf.tensor1d(Array.from(dataset.train.labels.slice(start, start + 8)), 'int32'), 3).toFloat() as tf.Tensor2D;
      trainStep(context, x, y);
    });
  }
}

const weights = (mlp: Mlp) => mlp.variables.map((v) => Array.from(v.dataSync()));

test.each(OPTIMIZER_NAMES)('%s: restore after 5 steps, then 5 more, equals 10 steps uninterrupted', async (name) => {
  const file = path.join(tmp.dir, `${name}.bin`);
  const original = setUp(name, 11);
  steps(original.context, 0, 5);
  const before = tf.memory().numTensors;
  await saveCheckpoint(file, original.mlp, original.optimizer, STATE);
  expect(tf.memory().numTensors).toBe(before);
  steps(original.context, 5, 10);

  // A different seed: every weight must come from the checkpoint.
  const restored = setUp(name, 99);
  expect(await loadCheckpoint(file, restored.mlp, restored.optimizer)).toEqual(STATE);
  steps(restored.context, 5, 10);
  expect(weights(restored.mlp)).toEqual(weights(original.mlp));
  expect(fs.statSync(file).size).toBeGreaterThan(0);
  for (const { mlp, optimizer } of [original, restored]) {
    optimizer.dispose();
    mlp.dispose();
  }
});
