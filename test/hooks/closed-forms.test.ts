// Gradient hooks on a 5-4-3 net with hand-set weights, against closed forms computed here in float64 and
// against central finite differences of the objective.
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../src/backend/select';
import type { RunConfig } from '../../src/config/schema';
import { GradientRecorder } from '../../src/hooks/recorder';
import { activation, type ActivationName } from '../../src/models/activations';
import { Mlp } from '../../src/models/mlp';
import type { GradientRow } from '../../src/results/contract';
import { lossOf } from '../../src/train/run-functions';
import { objective, objectiveGradients, type StepContext } from '../../src/train/step';

const N = 6;
const INPUTS = 5;
const HIDDEN = 4;
const CLASSES = 3;
const LABELS = [0, 1, 2, 0, 1, 2];

type Matrix = number[][];
const matrix = (rows: number, cols: number, f: (r: number, c: number) => number): Matrix =>
  Array.from({ length: rows }, (_, r) => Array.from({ length: cols }, (_, c) => Math.fround(f(r, c))));
const matMul = (a: Matrix, b: Matrix): Matrix => a.map((row) => b[0].map((_, j) => row.reduce((s, v, k) => s + v * b[k][j], 0)));
const transpose = (a: Matrix): Matrix => a[0].map((_, j) => a.map((row) => row[j]));
const addBias = (a: Matrix, bias: number[]): Matrix => a.map((row) => row.map((v, j) => v + bias[j]));
const map2 = (a: Matrix, b: Matrix, f: (x: number, y: number) => number): Matrix => a.map((row, i) => row.map((v, j) => f(v, b[i][j])));
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
const softmaxRow = (row: number[]) => {
  const max = Math.max(...row);
  const exps = row.map((v) => Math.exp(v - max));
  const total = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / total);
};

/** [‖g‖₂, mean |g|, max |g|] in float64, the statistics the recorder keeps. */
function stats(g: Matrix | number[]): [number, number, number] {
  const flat = (g as (number | number[])[]).flat();
  const abs = flat.map(Math.abs);
  return [Math.sqrt(flat.reduce((s, v) => s + v * v, 0)), abs.reduce((a, b) => a + b, 0) / abs.length, Math.max(...abs)];
}

const HIDDEN_FN: Partial<Record<ActivationName, { f: (z: number) => number; df: (z: number) => number }>> = {
  sigmoid: { f: sigmoid, df: (z) => sigmoid(z) * (1 - sigmoid(z)) },
  tanh: { f: Math.tanh, df: (z) => 1 - Math.tanh(z) ** 2 },
  relu: { f: (z) => Math.max(z, 0), df: (z) => (z > 0 ? 1 : 0) },
};

/** Hand-set values, exactly representable as float32 (Math.fround) so the JS maths sees what the device sees. */
const X = matrix(N, INPUTS, (n, i) => 0.9 * Math.sin(1.3 * n + 0.7 * i + 0.2));
const T = matrix(N, CLASSES, (n, k) => (LABELS[n] === k ? 1 : 0));
const W1 = matrix(INPUTS, HIDDEN, (i, j) => 1.1 * Math.cos(0.9 * i - 1.7 * j + 0.4));
const B1 = matrix(1, HIDDEN, (_, j) => 0.2 * j - 0.3)[0];
const W2 = matrix(HIDDEN, CLASSES, (j, k) => 1.4 * Math.sin(0.5 * j + 1.1 * k - 0.6));
const B2 = matrix(1, CLASSES, (_, k) => 0.1 - 0.15 * k)[0];

function handMlp(hidden: ActivationName, output: ActivationName, w1 = W1, b1 = B1): Mlp {
  return new Mlp([
    {
      kernel: tf.variable(tf.tensor2d(w1), true, 'h/l0/kernel'),
      bias: tf.variable(tf.tensor1d(b1), true, 'h/l0/bias'),
      activation: activation(hidden),
    },
    {
      kernel: tf.variable(tf.tensor2d(W2), true, 'h/l1/kernel'),
      bias: tf.variable(tf.tensor1d(B2), true, 'h/l1/bias'),
      activation: activation(output),
    },
  ]);
}

function lossConfig(
  name: RunConfig['loss']['name'],
  outputs: 'mean' | 'sum',
  gradient: RunConfig['loss']['gradient'] = 'autodiff',
): RunConfig['loss'] {
  return { name, outputs, scale: 1, gradient, labelSmoothing: 0 };
}

/** The loss config bound to the net's output activation, as the trainer binds it. */
const bound = (mlp: Mlp, loss: RunConfig['loss']) => lossOf({ loss }, {}, mlp.layers[mlp.layers.length - 1].activation);

/** Runs objectiveGradients with a recorder attached and returns the flushed rows plus the gradients as arrays. */
function recorded(mlp: Mlp, loss: RunConfig['loss']): { rows: GradientRow[]; grads: Record<string, number[]> } {
  const optimizer = tf.train.sgd(0.1);
  const context: StepContext = { model: mlp, optimizer, loss: bound(mlp, loss), l2Coefficient: 0 };
  const recorder = new GradientRecorder();
  const x = tf.tensor2d(X);
  const y = tf.tensor2d(T);
  const { value, grads } = objectiveGradients(context, x, y, { recorder, step: 0, epoch: 0 });
  const rows = recorder.flush();
  const arrays = Object.fromEntries(Object.entries(grads).map(([name, g]) => [name, Array.from(g.dataSync())]));
  tf.dispose([value, x, y, ...Object.values(grads)]);
  optimizer.dispose();
  return { rows, grads: arrays };
}

function row(rows: GradientRow[], layer: number, tensor: string): GradientRow {
  const found = rows.filter((r) => r.layer === layer && r.tensor === tensor);
  expect(found).toHaveLength(1);
  return found[0];
}

function expectStats(actual: GradientRow, expected: [number, number, number]): void {
  const got = [actual.l2, actual.mean_abs, actual.max_abs] as number[];
  got.forEach((value, i) => expect(Math.abs(value - expected[i])).toBeLessThanOrEqual(2e-6 * Math.max(1, Math.abs(expected[i])) + 1e-7));
  expect(expected[0]).toBeGreaterThan(1e-3); // a gradient that vanished would make the comparison empty
}

/** The forward pass in float64: hidden pre-activation, hidden activation, output logits. */
function forward(hidden: ActivationName) {
  const zHidden = addBias(matMul(X, W1), B1);
  const h = zHidden.map((r) => r.map(HIDDEN_FN[hidden]!.f));
  const zOut = addBias(matMul(h, W2), B2);
  return { zHidden, h, zOut };
}

beforeAll(async () => {
  await selectBackend('cpu');
});

describe.each(['autodiff', 'closed-form'] as const)('loss.gradient %s', (gradient) => {
  test('softmax + cross-entropy: ∂L/∂z_out = (softmax(z) − t)/N, and the layers below follow by the chain rule', () => {
    const mlp = handMlp('sigmoid', 'softmax');
    const { rows } = recorded(mlp, lossConfig('cross-entropy', 'sum', gradient));
    mlp.dispose();
    const { zHidden, h, zOut } = forward('sigmoid');
    const deltaOut = zOut.map((r, n) => softmaxRow(r).map((p, k) => (p - T[n][k]) / N));
    expectStats(row(rows, 1, 'preactivation'), stats(deltaOut));
    expectStats(row(rows, 1, 'kernel'), stats(matMul(transpose(h), deltaOut)));
    expectStats(row(rows, 1, 'bias'), stats(transpose(deltaOut).map((c) => c.reduce((a, b) => a + b, 0))));
    const deltaHidden = map2(matMul(deltaOut, transpose(W2)), zHidden, (g, z) => g * HIDDEN_FN.sigmoid!.df(z));
    expectStats(row(rows, 0, 'preactivation'), stats(deltaHidden));
    expectStats(row(rows, 0, 'kernel'), stats(matMul(transpose(X), deltaHidden)));
  });

  test('sigmoid outputs + mse (mean over K): ∂L/∂z_out = 2(o − t)·o(1 − o)/(N·K)', () => {
    const mlp = handMlp('tanh', 'sigmoid');
    const { rows } = recorded(mlp, lossConfig('mse', 'mean', gradient));
    mlp.dispose();
    const { zOut } = forward('tanh');
    const o = zOut.map((r) => r.map(sigmoid));
    const deltaOut = map2(o, T, (a, t) => (2 * (a - t) * a * (1 - a)) / (N * CLASSES));
    expectStats(row(rows, 1, 'preactivation'), stats(deltaOut));
  });
});

test('rows come out ordered by layer and tensor, with a saturated fraction on preactivation rows only', () => {
  const mlp = handMlp('sigmoid', 'softmax');
  const { rows } = recorded(mlp, lossConfig('cross-entropy', 'sum'));
  mlp.dispose();
  expect(rows.map((r) => [r.step, r.epoch, r.layer, r.tensor, typeof r.saturated_fraction])).toEqual([
    [0, 0, 0, 'kernel', 'string'],
    [0, 0, 0, 'bias', 'string'],
    [0, 0, 0, 'preactivation', 'number'],
    [0, 0, 1, 'kernel', 'string'],
    [0, 0, 1, 'bias', 'string'],
    [0, 0, 1, 'preactivation', 'number'],
  ]);
});

test.each([
  ['sigmoid', 'softmax', 'cross-entropy', 'sum'],
  ['tanh', 'sigmoid', 'mse', 'mean'],
  ['relu', 'linear', 'hinge', 'mean'],
] as const)('hidden kernel gradient (%s hidden, %s + %s) matches central finite differences', (hidden, output, lossName, outputs) => {
  const mlp = handMlp(hidden, output);
  const loss = lossConfig(lossName, outputs);
  const { grads, rows } = recorded(mlp, loss);
  const optimizer = tf.train.sgd(0.1);
  const context: StepContext = { model: mlp, optimizer, loss: bound(mlp, loss), l2Coefficient: 0 };
  const x = tf.tensor2d(X);
  const y = tf.tensor2d(T);
  const objectiveAt = (w: Matrix) => {
    const value = tf.tensor2d(w);
    mlp.layers[0].kernel.assign(value);
    value.dispose();
    return tf.tidy(() => objective(context, x, y).dataSync()[0]);
  };
  const epsilon = 1e-2;
  const numeric = matrix(INPUTS, HIDDEN, () => 0);
  for (let i = 0; i < INPUTS; i++) {
    for (let j = 0; j < HIDDEN; j++) {
      const plus = W1.map((r) => [...r]);
      const minus = W1.map((r) => [...r]);
      plus[i][j] += epsilon;
      minus[i][j] -= epsilon;
      numeric[i][j] = (objectiveAt(plus) - objectiveAt(minus)) / (2 * epsilon);
    }
  }
  tf.dispose([x, y]);
  optimizer.dispose();
  mlp.dispose();
  const analytic = grads['h/l0/kernel'];
  const scale = Math.max(...analytic.map(Math.abs));
  expect(scale).toBeGreaterThan(1e-3);
  numeric.flat().forEach((value, index) => expect(Math.abs(value - analytic[index])).toBeLessThanOrEqual(1e-2 * scale));
  // The recorded kernel row is the statistics of that same gradient.
  const recordedKernel = row(rows, 0, 'kernel');
  const [l2, meanAbs, maxAbs] = stats(numeric);
  expect(Math.abs((recordedKernel.l2 as number) - l2)).toBeLessThanOrEqual(1e-2 * l2);
  expect(Math.abs((recordedKernel.mean_abs as number) - meanAbs)).toBeLessThanOrEqual(1e-2 * meanAbs);
  expect(Math.abs((recordedKernel.max_abs as number) - maxAbs)).toBeLessThanOrEqual(1e-2 * maxAbs);
});

test.each([
  ['sigmoid', 'softmax', 'cross-entropy', 'sum'],
  ['relu', 'sigmoid', 'mse', 'mean'],
] as const)(
  'the probe does not change the gradient (%s / %s): identical with and without the recorder',
  (hidden, output, lossName, outputs) => {
    const mlp = handMlp(hidden, output);
    const loss = lossConfig(lossName, outputs);
    const optimizer = tf.train.sgd(0.1);
    const context: StepContext = { model: mlp, optimizer, loss: bound(mlp, loss), l2Coefficient: 0 };
    const x = tf.tensor2d(X);
    const y = tf.tensor2d(T);
    const plain = objectiveGradients(context, x, y);
    const { grads } = recorded(mlp, loss);
    for (const variable of mlp.variables) {
      expect(grads[variable.name]).toEqual(Array.from(plain.grads[variable.name].dataSync()));
    }
    tf.dispose([x, y, plain.value, ...Object.values(plain.grads)]);
    optimizer.dispose();
    mlp.dispose();
  },
);

describe('saturated and dead fractions', () => {
  /** Larger hidden weights, so a good share of sigmoid units sit in the flat tails and relu units below zero. */
  const W1_LARGE = matrix(INPUTS, HIDDEN, (i, j) => 6 * Math.cos(0.9 * i - 1.7 * j + 0.4));
  const B1_LARGE = [-5, 3, 0.5, 6].map(Math.fround);

  test('sigmoid: the fraction of hidden units with σ′(z) below 1% of its maximum 1/4', () => {
    const z = addBias(matMul(X, W1_LARGE), B1_LARGE);
    const derivatives = z.flat().map((v) => sigmoid(v) * (1 - sigmoid(v)));
    // No unit sits so near the threshold that float32 rounding could flip it.
    for (const d of derivatives) expect(Math.abs(d - 0.0025)).toBeGreaterThan(1e-6);
    const expected = derivatives.filter((d) => d < 0.0025).length / derivatives.length;
    expect(expected).toBeGreaterThan(0.1);
    expect(expected).toBeLessThan(0.9);
    const mlp = handMlp('sigmoid', 'softmax', W1_LARGE, B1_LARGE);
    const { rows } = recorded(mlp, lossConfig('cross-entropy', 'sum'));
    mlp.dispose();
    expect(row(rows, 0, 'preactivation').saturated_fraction).toBeCloseTo(expected, 6);
  });

  test('relu: the fraction of hidden units with z ≤ 0 (zero derivative)', () => {
    const z = addBias(matMul(X, W1_LARGE), B1_LARGE);
    for (const v of z.flat()) expect(Math.abs(v)).toBeGreaterThan(1e-4);
    const expected = z.flat().filter((v) => v <= 0).length / z.flat().length;
    expect(expected).toBeGreaterThan(0.1);
    expect(expected).toBeLessThan(0.9);
    const mlp = handMlp('relu', 'softmax', W1_LARGE, B1_LARGE);
    const { rows } = recorded(mlp, lossConfig('cross-entropy', 'sum'));
    mlp.dispose();
    expect(row(rows, 0, 'preactivation').saturated_fraction).toBeCloseTo(expected, 6);
  });

  test('a layer whose units all saturate reports 1, a linear layer 0', () => {
    const mlp = handMlp('sigmoid', 'linear', W1, [40, -40, 50, -50].map(Math.fround));
    const { rows } = recorded(mlp, lossConfig('mse', 'mean'));
    mlp.dispose();
    expect([row(rows, 0, 'preactivation').saturated_fraction, row(rows, 1, 'preactivation').saturated_fraction]).toEqual([1, 0]);
  });
});
