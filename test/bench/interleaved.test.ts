// The interleaved bench trains every variant over exactly one epoch: its slices cover each step once, so each
// losslab variant ends with the mean loss of an uninterrupted epoch, and nothing is left on the device.
import * as tf from '@tensorflow/tfjs';
import { timeEpoch } from '../../scripts/bench/epoch';
import { interleavedEpoch } from '../../scripts/bench/interleaved';
import { hooksEvery, runConfig, VARIANTS, type Workload } from '../../scripts/bench/workloads';
import { selectBackend } from '../../src/backend/select';
import { Rng } from '../../src/data/rng';
import { tinySplit } from '../helpers/dataset';

/** 1,000 images of 784 features in 10 classes: 16 batches of 64, the last one short, over 10 slices. */
const split = tinySplit(1000, 784, 10, new Rng(3));
const workload: Workload = {
  name: 'tiny',
  batchSize: 64,
  hidden: 16,
  hiddenActivation: 'relu',
  outputActivation: 'softmax',
  loss: 'cross-entropy',
  learningRate: 0.1,
};

beforeAll(async () => {
  await selectBackend('cpu');
});

test('every variant trains one whole epoch: each losslab mean loss equals an uninterrupted epoch of the same config', async () => {
  const before = tf.memory().numTensors;
  const results = await interleavedEpoch(workload, split);
  expect(tf.memory().numTensors).toBe(before);
  expect(results.map((r) => [r.variant, r.examples])).toEqual(VARIANTS.map((v) => [v, 1000]));
  for (const result of results) {
    expect(result.seconds).toBeGreaterThan(0);
    if (result.variant === 'model-fit') {
      // model.fit shuffles on its own, unseeded: only its range is checked (ln 10 ≈ 2.30 at the start).
      expect(result.meanLoss).toBeGreaterThan(0.5);
      expect(result.meanLoss).toBeLessThan(2.5);
      continue;
    }
    const whole = timeEpoch(runConfig(workload, hooksEvery(result.variant)), split);
    expect(Math.abs(result.meanLoss - whole.meanLoss)).toBeLessThan(1e-6);
  }
});
