// The in-process interleaving (levers, and each worker's arms) trains every arm over exactly one epoch: its slices
// cover each step once, so each losslab arm ends with the mean loss of an uninterrupted epoch, leaving no tensor.
import * as tf from '@tensorflow/tfjs';
import { timeEpoch } from '../../scripts/bench/epoch';
import { interleave, variantArm } from '../../scripts/bench/interleaved';
import { hooksEvery, runConfig, type LosslabVariant, type Workload } from '../../scripts/bench/workloads';
import { selectBackend } from '../../src/backend/select';
import { Rng } from '../../src/data/rng';
import { tinySplit } from '../helpers/dataset';

/** 1,000 images of 784 features in 10 classes: 16 batches of 64, the last one short, over 10 slices. */
const split = tinySplit(1000, 784, 10, new Rng(3));
const workload: Workload = {
  kind: 'mlp',
  id: 'tiny',
  title: 'tiny',
  batchSize: 64,
  hidden: 16,
  hiddenActivation: 'relu',
  outputActivation: 'softmax',
  loss: 'cross-entropy',
  learningRate: 0.1,
  kernelInitializer: 'glorot-uniform',
  variants: ['hooks-off', 'hooks-every-100', 'hooks-every-1'],
  fitBaseline: true,
};
const variants = ['hooks-off', 'hooks-every-100', 'hooks-every-1', 'model-fit'] as const;

beforeAll(async () => {
  await selectBackend('cpu');
});

test('every arm trains one whole epoch: each losslab mean loss equals an uninterrupted epoch of the same config', async () => {
  const before = tf.memory().numTensors;
  const results = await interleave(variants.length, (index) => variantArm(variants[index], workload, split), 16);
  expect(tf.memory().numTensors).toBe(before);
  expect(results.map((r) => r.name)).toEqual([...variants]);
  for (const result of results) {
    // 10 slices of 16 steps, each range once, in order.
    expect(result.slices.map((s) => [s.from, s.to])).toEqual(
      [0, 2, 3, 5, 6, 8, 10, 11, 13, 14].map((from, i, all) => [from, all[i + 1] ?? 16]),
    );
    expect(result.seconds).toBeCloseTo(
      result.slices.reduce((sum, s) => sum + s.seconds, 0),
      9,
    );
    if (result.name === 'model-fit') {
      // model.fit shuffles on its own, unseeded: only its range is checked (ln 10 ≈ 2.30 at the start).
      expect(result.meanLoss).toBeGreaterThan(0.5);
      expect(result.meanLoss).toBeLessThan(2.5);
      continue;
    }
    const whole = timeEpoch(runConfig(workload, hooksEvery(result.name as LosslabVariant)), split);
    expect(Math.abs(result.meanLoss - whole.meanLoss)).toBeLessThan(1e-6);
  }
});
