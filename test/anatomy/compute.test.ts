// losslab anatomy in numbers: the sweeps against the closed forms of the issue (softmax+CE gives p − t, sigmoid+MSE
// gives 2(o − t)o(1 − o)/K, the skip mode points where BCE points), the summary and its verdicts.
import * as tf from '@tensorflow/tfjs';
import { ANATOMY_CLASSES, CONFIDENTLY_WRONG, SWEEP, anatomyOf, type AnatomyRow } from '../../src/anatomy/compute';
import type { GradientMode, LossName } from '../../src/losses/registry';
import { activation, type ActivationName } from '../../src/models/activations';
import { lossOf } from '../../src/train/run-functions';

const K = ANATOMY_CLASSES;

function anatomy(
  output: ActivationName,
  name: LossName,
  gradient: GradientMode = 'autodiff',
  outputs: 'mean' | 'sum' = name === 'cross-entropy' ? 'sum' : 'mean',
) {
  const loss = lossOf({ loss: { name, outputs, scale: 1, gradient, labelSmoothing: 0 } }, {}, activation(output));
  const before = tf.memory().numTensors;
  const result = anatomyOf(`${output}:${name}`, loss);
  expect(tf.memory().numTensors).toBe(before);
  return result;
}

/** The outputs of the sweep rows: the swept class at p, the other K − 1 classes at (1 − p)/(K − 1). */
const rest = (p: number) => (1 - p) / (K - 1);
/** |a − e| ≤ 1e-6·max(1, |e|) for float32 results against float64 closed forms. */
const close = (actual: number, expected: number) =>
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(expected)));

beforeAll(async () => {
  await tf.setBackend('cpu');
});

test('the sweep runs from 0.001 to 0.999 and holds the summary points 0.01 and 0.99', () => {
  expect(SWEEP).toHaveLength(203);
  expect([SWEEP[0], SWEEP[SWEEP.length - 1]]).toEqual([0.001, 0.999]);
  expect(SWEEP).toContain(0.01);
  expect(SWEEP).toContain(0.99);
  expect([...SWEEP].sort((a, b) => a - b)).toEqual(SWEEP);
});

describe('softmax + cross-entropy gives p − t and −log p_true', () => {
  const { rows, summary } = anatomy('softmax', 'cross-entropy');
  test.each(['true', 'wrong'] as const)('the %s-class sweep', (sweep) => {
    for (const row of rows.filter((r) => r.sweep === sweep)) {
      const pTrue = sweep === 'true' ? row.p : rest(row.p);
      const pWrong = sweep === 'true' ? rest(row.p) : row.p;
      close(row.loss_value, -Math.log(pTrue));
      close(row.dLdz_true, pTrue - 1);
      close(row.dLdz_wrong, pWrong);
      close(row.dLdz_other, rest(row.p));
    }
  });
  test('holds when confidently wrong: |p − t| = 0.99 at p_true = 0.01, the peak is 0.999', () => {
    close(summary.grad_at_wrong, 0.99);
    close(summary.grad_at_right, 0.01);
    close(summary.grad_peak, 0.999);
    expect(summary.verdict).toBe('holds');
  });
});

describe('sigmoid + MSE gives 2(o − t)o(1 − o)/K, which vanishes as o saturates on the wrong answer', () => {
  const { rows, summary } = anatomy('sigmoid', 'mse');
  const expected = (o: number, t: number) => (2 * (o - t) * o * (1 - o)) / K;
  test.each(['true', 'wrong'] as const)('the %s-class sweep', (sweep) => {
    for (const row of rows.filter((r) => r.sweep === sweep)) {
      const oTrue = sweep === 'true' ? row.p : rest(row.p);
      const oWrong = sweep === 'true' ? rest(row.p) : row.p;
      close(row.loss_value, ((oTrue - 1) ** 2 + oWrong ** 2 + (K - 2) * rest(row.p) ** 2) / K);
      close(row.dLdz_true, expected(oTrue, 1));
      close(row.dLdz_wrong, expected(oWrong, 0));
    }
  });
  test('the verdict: at p_true = 0.01 the largest entry is 7% of its peak', () => {
    const at = rows.find((r) => r.sweep === 'true' && r.p === CONFIDENTLY_WRONG)!;
    close(summary.grad_at_wrong, Math.max(Math.abs(expected(0.01, 1)), expected(rest(0.01), 0)));
    expect(summary.grad_at_wrong).toBe(at.max_abs_dLdz);
    // The true class's term 2(1 − o)²o/K peaks at o = 1/3 (8/270); the sweep's nearest point is 0.335.
    expect(summary.grad_peak).toBeCloseTo(8 / 270, 4);
    expect(summary.wrong_over_peak).toBeCloseTo(0.0727, 3);
    expect(summary.verdict).toBe('vanishes');
  });
});

test('skip-activation-derivative on sigmoid + MSE points exactly where sigmoid + BCE points, twice as far', () => {
  const skip = anatomy('sigmoid', 'mse', 'skip-activation-derivative').rows;
  const bce = anatomy('sigmoid', 'binary-cross-entropy').rows;
  const mse = anatomy('sigmoid', 'mse').rows;
  const entries = (r: AnatomyRow) => [r.dLdz_true, r.dLdz_wrong, r.dLdz_other];
  skip.forEach((row, i) => {
    // Both c·(o − t) with the same c = 1/K: mse's 2(o − t) and bce's σ(z) − t = o − t.
    entries(row).forEach((g, k) => close(g, 2 * entries(bce[i])[k]));
    expect(row.loss_value).toBe(mse[i].loss_value);
  });
  expect(anatomy('sigmoid', 'mse', 'skip-activation-derivative').summary.verdict).toBe('holds');
});

test('a module activation without an inverse is placed by trying log o, o and logit o', () => {
  // The built-in linear activation, minus its inverse: o itself are its logits.
  const { inverse: _inverse, ...linear } = activation('linear');
  const loss = lossOf({ loss: { name: 'mse', outputs: 'mean', scale: 1, gradient: 'autodiff', labelSmoothing: 0 } }, {}, linear);
  const { rows } = anatomyOf('linear:mse', loss);
  for (const row of rows.filter((r) => r.sweep === 'true')) close(row.dLdz_true, (2 * (row.p - 1)) / K);
});
