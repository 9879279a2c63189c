// Tensors are owned: training steps (with and without hooks), evaluation and a whole run leave tf.memory() flat.
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../src/backend/select';
import type { ResolvedRun } from '../../src/config/experiment';
import { loadExperiment } from '../../src/config/experiment';
import { GradientRecorder } from '../../src/hooks/recorder';
import { buildMlp, type Mlp } from '../../src/models/mlp';
import { createOptimizer } from '../../src/optimizers/registry';
import { evaluate } from '../../src/train/evaluate';
import { lossOf } from '../../src/train/run-functions';
import { trainStep, type StepContext } from '../../src/train/step';
import { trainRun } from '../../src/train/trainer';
import { tinyDataset } from '../helpers/dataset';
import { makeTempDir } from '../helpers/tmp';

const dataset = tinyDataset({ train: 200, test: 60, validation: 40 });

/** The run's loss bound to the net's output activation, as the trainer binds it. */
const boundLoss = (run: ResolvedRun, mlp: Mlp) => lossOf(run.config, run.modules, mlp.layers[mlp.layers.length - 1].activation);

/** One resolved run of a small experiment written inline (hidden [6, 4], sigmoid/softmax + cross-entropy). */
function resolvedRun(extra = ''): ResolvedRun {
  const text = `
name: leaks
dataset: {train: 200, test: 60}
defaults:
  model: {hidden: [6, 4]}
  batchSize: 16
  epochs: 2
  hooks: {every: 3}
${extra}
`;
  return loadExperiment('leaks.yaml', {}, text).runs[0];
}

/** One-hot float targets of the first `count` training examples. */
const oneHotTargets = (count: number) =>
  tf.tidy(() => tf.oneHot(tf.tensor1d(Array.from(dataset.train.labels.subarray(0, count)), 'int32'), 3).toFloat() as tf.Tensor2D);

const memory = () => {
  const { numTensors, numBytes } = tf.memory();
  return { numTensors, numBytes };
};

beforeAll(async () => {
  await selectBackend('cpu');
});

test.each([
  ['sgd', 'every step', 1, 0],
  ['sgd', 'never', 0, 0],
  ['momentum', 'every 7 steps', 7, 1],
  ['adam', 'every step', 1, 1],
])('50 steps of %s with hooks %s: numTensors and numBytes unchanged', (optimizerName, _label, every, warmUp) => {
  const run = resolvedRun(`  optimizer: {name: ${optimizerName}, learningRate: 0.05}\n  l2: 0.5`);
  const mlp = buildMlp(run.config.model, dataset.train.featureSize, dataset.train.numClasses, run.seed);
  const optimizer = createOptimizer(run.config.optimizer);
  const context: StepContext = {
    model: mlp,
    optimizer,
    loss: boundLoss(run, mlp),
    l2Coefficient: run.config.l2 / (2 * dataset.train.size),
  };
  const recorder = new GradientRecorder();
  const batch = 16;
  const x = tf.tensor2d(dataset.train.features.subarray(0, batch * 5), [batch, 5]);
  const y = oneHotTargets(batch);
  const step = (index: number) => {
    const record = every > 0 && index % every === 0 ? { recorder, step: index, epoch: 1 } : undefined;
    const loss = tf.tidy(() => trainStep(context, x, y, record));
    loss.dataSync();
    loss.dispose();
    return record ? recorder.flush().length : 0;
  };
  // Optimisers with slots (momentum, adam) create them on their first step; count from after it.
  for (let index = 0; index < warmUp; index++) step(index);
  const before = memory();
  let rows = 0;
  for (let index = warmUp; index < warmUp + 50; index++) rows += step(index);
  expect(memory()).toEqual(before);
  // 3 layers × 3 tensors per recorded step.
  const recordedSteps = every === 0 ? 0 : Array.from({ length: 50 }, (_, i) => i + warmUp).filter((i) => i % every === 0).length;
  expect(rows).toBe(recordedSteps * 9);
  tf.dispose([x, y]);
  recorder.dispose();
  optimizer.dispose();
  mlp.dispose();
});

test('evaluate() on train, validation and test leaves memory unchanged', () => {
  const run = resolvedRun();
  const mlp = buildMlp(run.config.model, 5, 3, run.seed);
  const bound = boundLoss(run, mlp);
  const before = memory();
  for (const split of [dataset.train, dataset.validation, dataset.test]) {
    const { loss, accuracy } = evaluate(mlp, split, bound);
    expect(Number.isFinite(loss) && accuracy >= 0 && accuracy <= 1).toBe(true);
  }
  expect(memory()).toEqual(before);
  mlp.dispose();
});

test('rows recorded but never flushed (a run stopped mid-way) are released by dispose()', () => {
  const recorder = new GradientRecorder();
  const before = memory();
  const run = resolvedRun();
  const mlp = buildMlp(run.config.model, 5, 3, run.seed);
  const optimizer = createOptimizer(run.config.optimizer);
  const x = tf.tensor2d(dataset.train.features.subarray(0, 40), [8, 5]);
  const y = oneHotTargets(8);
  tf.tidy(() =>
    trainStep({ model: mlp, optimizer, loss: boundLoss(run, mlp), l2Coefficient: 0 }, x, y, { recorder, step: 0, epoch: 1 }),
  ).dispose();
  recorder.dispose();
  tf.dispose([x, y]);
  optimizer.dispose();
  mlp.dispose();
  expect(memory()).toEqual(before);
});

test('trainRun on a 200-example dataset leaves numTensors and numBytes where they started', async () => {
  const { dir, cleanup } = makeTempDir('leaks');
  try {
    const before = memory();
    const outcome = await trainRun({ ...resolvedRun('  optimizer: {name: adam, learningRate: 0.01}'), id: 'leaks-s1' }, dataset, {
      runDir: dir,
    });
    expect([outcome.status, outcome.epochsDone, outcome.steps]).toEqual(['complete', 2, 2 * Math.ceil(200 / 16)]);
    expect(memory()).toEqual(before);
  } finally {
    cleanup();
  }
});
