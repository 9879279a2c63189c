// Plain float64 JS implementations of the output activations and losses, independent of tfjs, for the tests.
import type { LossName } from '../../src/losses/registry';

export type Matrix = number[][];
export type OutputName = 'softmax' | 'sigmoid' | 'linear' | 'tanh';
export type Reduction = 'mean' | 'sum';

export const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/** softmax of one row, with the row max subtracted so exp never overflows. */
export function softmaxRow(row: number[]): number[] {
  const max = Math.max(...row);
  const exps = row.map((x) => Math.exp(x - max));
  const total = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / total);
}

/** o = f(z) for one row. */
export function activateRow(output: OutputName, row: number[]): number[] {
  switch (output) {
    case 'softmax':
      return softmaxRow(row);
    case 'sigmoid':
      return row.map(sigmoid);
    case 'tanh':
      return row.map(Math.tanh);
    case 'linear':
      return [...row];
  }
}

export const activate = (output: OutputName, z: Matrix): Matrix => z.map((row) => activateRow(output, row));

/** One loss written out by hand: its per-term formula, and ∂E/∂o for the losses of the outputs. */
export interface HandLoss {
  /** The output activations the registry must accept; every other output must be rejected. */
  validOutputs: OutputName[];
  /** Keras's default reduction over the K outputs. */
  defaultOutputs: Reduction;
  /** E[k] for one example, from its logits z, one-hot target t, output activation and label smoothing ε. */
  termsRow(z: number[], t: number[], output: OutputName, labelSmoothing: number): number[];
  /** ∂E[k]/∂o[k]; present exactly for the losses `skip-activation-derivative` accepts. */
  gradORow?(o: number[], t: number[]): number[];
  /** Values worked out on paper for z = (0, 0, 0) and t = (1, 0, 0): they anchor this row and the registry. */
  paper: { output: OutputName; outputs: Reduction; expected: number }[];
}

const signed = (t: number[]) => t.map((tk) => 2 * tk - 1);

/**
 * The loss test table, keyed by every registry loss: a built-in is one module under src/losses/builtin/ plus one row
 * here (a loss added to the registry without a row fails the suite).
 */
export const HAND_LOSSES: Record<LossName, HandLoss> = {
  'cross-entropy': {
    validOutputs: ['softmax'],
    defaultOutputs: 'sum',
    termsRow: (z, t, output, epsilon) => {
      const p = activateRow(output, z);
      const smoothed = t.map((tk) => (1 - epsilon) * tk + epsilon / t.length);
      return smoothed.map((tk, k) => -tk * Math.log(p[k]));
    },
    // −log(1/3), summed over the classes.
    paper: [{ output: 'softmax', outputs: 'sum', expected: Math.log(3) }],
  },
  'binary-cross-entropy': {
    validOutputs: ['sigmoid'],
    defaultOutputs: 'mean',
    termsRow: (z, t) => z.map((zk, k) => -t[k] * Math.log(sigmoid(zk)) - (1 - t[k]) * Math.log(1 - sigmoid(zk))),
    // each of the three terms is −log ½.
    paper: [
      { output: 'sigmoid', outputs: 'mean', expected: Math.log(2) },
      { output: 'sigmoid', outputs: 'sum', expected: 3 * Math.log(2) },
    ],
  },
  mse: {
    validOutputs: ['softmax', 'sigmoid', 'linear', 'tanh'],
    defaultOutputs: 'mean',
    termsRow: (z, t, output) => activateRow(output, z).map((ok, k) => (ok - t[k]) ** 2),
    gradORow: (o, t) => o.map((ok, k) => 2 * (ok - t[k])),
    // (1² + 0 + 0)/3; sigmoid: 3·(½)²/3; softmax: ((2/3)² + 2·(1/3)²)/3 = 2/9.
    paper: [
      { output: 'linear', outputs: 'mean', expected: 1 / 3 },
      { output: 'sigmoid', outputs: 'mean', expected: 0.25 },
      { output: 'softmax', outputs: 'mean', expected: 2 / 9 },
    ],
  },
  mae: {
    validOutputs: ['softmax', 'sigmoid', 'linear', 'tanh'],
    defaultOutputs: 'mean',
    termsRow: (z, t, output) => activateRow(output, z).map((ok, k) => Math.abs(ok - t[k])),
    gradORow: (o, t) => o.map((ok, k) => Math.sign(ok - t[k])),
    // (1 + 0 + 0)/3; softmax: (2/3 + 1/3 + 1/3)/3 = 4/9.
    paper: [
      { output: 'linear', outputs: 'mean', expected: 1 / 3 },
      { output: 'softmax', outputs: 'mean', expected: 4 / 9 },
    ],
  },
  hinge: {
    validOutputs: ['linear', 'tanh'],
    defaultOutputs: 'mean',
    termsRow: (z, t, output) => {
      const y = signed(t);
      return activateRow(output, z).map((ok, k) => Math.max(0, 1 - y[k] * ok));
    },
    gradORow: (o, t) => {
      const y = signed(t);
      return o.map((ok, k) => (1 - y[k] * ok > 0 ? -y[k] : 0));
    },
    // max(0, 1 − y·0) = 1 for each output.
    paper: [{ output: 'linear', outputs: 'mean', expected: 1 }],
  },
  'squared-hinge': {
    validOutputs: ['linear', 'tanh'],
    defaultOutputs: 'mean',
    termsRow: (z, t, output) => {
      const y = signed(t);
      return activateRow(output, z).map((ok, k) => Math.max(0, 1 - y[k] * ok) ** 2);
    },
    gradORow: (o, t) => {
      const y = signed(t);
      return o.map((ok, k) => -2 * y[k] * Math.max(0, 1 - y[k] * ok));
    },
    paper: [{ output: 'tanh', outputs: 'sum', expected: 3 }],
  },
};

/** Options as the registry takes them. */
export interface HandOptions {
  output: OutputName;
  outputs: Reduction;
  scale: number;
  labelSmoothing: number;
}

/** c = scale / (N · (K if mean)), written out again rather than imported. */
export const handReduction = (n: number, k: number, o: HandOptions): number => o.scale / (n * (o.outputs === 'mean' ? k : 1));

/** L = c · Σₙ Σₖ E[n,k]. */
export function handLoss(name: LossName, z: Matrix, t: Matrix, o: HandOptions): number {
  let total = 0;
  z.forEach((row, n) => HAND_LOSSES[name].termsRow(row, t[n], o.output, o.labelSmoothing).forEach((e) => (total += e)));
  return total * handReduction(z.length, z[0].length, o);
}

/** ∂L/∂z by central differences in float64 (h = 1e-6: truncation ~h², rounding ~1e-16/h, both far below 1e-8). */
export function finiteDifferenceGrad(f: (z: Matrix) => number, z: Matrix, h = 1e-6): Matrix {
  return z.map((row, n) =>
    row.map((_, k) => {
      const plus = z.map((r) => [...r]);
      const minus = z.map((r) => [...r]);
      plus[n][k] += h;
      minus[n][k] -= h;
      return (f(plus) - f(minus)) / (2 * h);
    }),
  );
}

/**
 * Elementwise |actual − expected| ≤ max(relative·|expected|, absolute); returns the violations (empty when all
 * agree) so a failure prints where and by how much.
 */
export function closeness(actual: Matrix, expected: Matrix, relative: number, absolute: number): string[] {
  const problems: string[] = [];
  expected.forEach((row, n) =>
    row.forEach((e, k) => {
      const a = actual[n][k];
      const allowed = Math.max(relative * Math.abs(e), absolute);
      if (!(Math.abs(a - e) <= allowed)) problems.push(`[${n},${k}] got ${a}, expected ${e} (allowed ±${allowed})`);
    }),
  );
  return problems;
}
