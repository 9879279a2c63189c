// gradientSums reduces on the device to [Σg², Σ|g|, max|g|]; statsFromSums turns them into L2, mean |g|, max |g|.
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../src/backend/select';
import { gradientSums, statsFromSums } from '../../src/hooks/stats';

beforeAll(async () => {
  await selectBackend('cpu');
});

test.each([
  ['a vector', tf.tensor1d([3, -4, 0, 12])],
  [
    'a matrix',
    tf.tensor2d([
      [3, -4],
      [0, 12],
    ]),
  ],
])('sums and statistics of %s against the hand values', (_, g) => {
  const before = tf.memory().numTensors;
  const parts = gradientSums(g);
  expect(parts.map((p) => p.shape)).toEqual([
    [1, 1],
    [1, 1],
    [1, 1],
  ]);
  const [sumSquares, sumAbs, maxAbs] = parts.map((p) => p.dataSync()[0]);
  tf.dispose(parts);
  // 9 + 16 + 0 + 144 = 169; 3 + 4 + 0 + 12 = 19; max 12.
  expect([sumSquares, sumAbs, maxAbs]).toEqual([169, 19, 12]);
  expect(statsFromSums(sumSquares, sumAbs, maxAbs, g.size)).toEqual({ l2: 13, meanAbs: 19 / 4, maxAbs: 12 });
  expect(tf.memory().numTensors).toBe(before);
  g.dispose();
});
