// Optimiser registry: steps on f(w) = ½‖w‖² (so ∇f = w) against each update rule written out by hand.
import * as tf from '@tensorflow/tfjs';
import { OPTIMIZERS, OPTIMIZER_NAMES, createOptimizer, type OptimizerName, type OptimizerOptions } from '../../src/optimizers/registry';

/** float32-exact start, with coordinates of both signs and sizes. */
const W0 = [1, -2, 0.5, 3];

const BASE: Omit<OptimizerOptions, 'name'> = {
  learningRate: 0.1,
  momentum: 0.9,
  nesterov: false,
  beta1: 0.9,
  beta2: 0.999,
  epsilon: 1e-7,
  rho: 0.9,
};

type Rule = (w0: number[], o: OptimizerOptions, steps: number) => number[][];

/**
 * One row per optimiser: its update rule in float64, one coordinate at a time (the gradient of ½‖w‖² is w itself),
 * and the option overrides that pin each part of the rule (ε = 0.5 shows where ε enters).
 */
const OPTIMIZER_ROWS: Record<OptimizerName, { rule: Rule; cases: { label: string; overrides: Partial<OptimizerOptions> }[] }> = {
  // w ← w − η∇
  sgd: {
    rule: (w0, o, steps) => trajectory(w0, steps, (w) => w - o.learningRate * w),
    cases: [{ label: 'η = 0.1', overrides: {} }],
  },
  // v ← μv + ∇; w ← w − ηv, or with Nesterov w ← w − η(∇ + μv).
  momentum: {
    rule: (w0, o, steps) => {
      const v = w0.map(() => 0);
      return trajectory(w0, steps, (w, i) => {
        v[i] = o.momentum * v[i] + w;
        return w - o.learningRate * (o.nesterov ? w + o.momentum * v[i] : v[i]);
      });
    },
    cases: [
      { label: 'μ = 0.9', overrides: {} },
      { label: 'μ = 0.9, nesterov', overrides: { nesterov: true } },
    ],
  },
  // m ← β₁m + (1−β₁)∇; v ← β₂v + (1−β₂)∇²; w ← w − η·m̂/(√v̂ + ε) with m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ).
  adam: {
    rule: (w0, o, steps) => {
      const m = w0.map(() => 0);
      const v = w0.map(() => 0);
      return trajectory(w0, steps, (w, i, t) => {
        m[i] = o.beta1 * m[i] + (1 - o.beta1) * w;
        v[i] = o.beta2 * v[i] + (1 - o.beta2) * w * w;
        const mHat = m[i] / (1 - o.beta1 ** t);
        const vHat = v[i] / (1 - o.beta2 ** t);
        return w - (o.learningRate * mHat) / (Math.sqrt(vHat) + o.epsilon);
      });
    },
    cases: [
      { label: 'defaults', overrides: {} },
      { label: 'ε = 0.5, β₂ = 0.9', overrides: { epsilon: 0.5, beta2: 0.9 } },
    ],
  },
  // s ← ρs + (1−ρ)∇²; w ← w − η∇/√(s + ε): tfjs puts ε inside the square root (Keras adds it outside).
  rmsprop: {
    rule: (w0, o, steps) => {
      const s = w0.map(() => 0);
      return trajectory(w0, steps, (w, i) => {
        s[i] = o.rho * s[i] + (1 - o.rho) * w * w;
        return w - (o.learningRate * w) / Math.sqrt(s[i] + o.epsilon);
      });
    },
    cases: [
      { label: 'defaults', overrides: {} },
      { label: 'ε = 0.5, ρ = 0.5', overrides: { epsilon: 0.5, rho: 0.5 } },
    ],
  },
};

/** Applies `update(w, coordinate, step t ≥ 1)` coordinatewise, returning w after each step. */
function trajectory(w0: number[], steps: number, update: (w: number, i: number, t: number) => number): number[][] {
  const out: number[][] = [];
  let w = [...w0];
  for (let t = 1; t <= steps; t++) {
    w = w.map((wi, i) => update(wi, i, t));
    out.push(w);
  }
  return out;
}

/** Runs `steps` optimiser steps on ½‖w‖² from W0; asserts the tensor count is flat across steps and after dispose. */
function run(options: OptimizerOptions, steps: number): number[][] {
  const before = tf.memory().numTensors;
  const initial = tf.tensor1d(W0);
  const w = tf.variable(initial);
  initial.dispose();
  const optimizer = createOptimizer(options);
  const out: number[][] = [];
  const counts: number[] = [];
  for (let t = 0; t < steps; t++) {
    optimizer.minimize(() => tf.mul(tf.sum(tf.square(w)), 0.5) as tf.Scalar, false, [w]);
    out.push(Array.from(w.dataSync()));
    counts.push(tf.memory().numTensors);
  }
  // The first step creates the optimiser's slots; after that nothing may accumulate.
  expect(new Set(counts.slice(1)).size).toBeLessThanOrEqual(1);
  optimizer.dispose();
  w.dispose();
  expect(tf.memory().numTensors).toBe(before);
  return out;
}

/**
 * float32 agreement: adam's bias correction 1 − β₂ᵗ = 1 − 0.999² cancels to ~4 significant digits in float32, which
 * moves its step by ~1e-5 relative (~2e-6 on w); every rule differs from its neighbours by O(η) = 0.1.
 */
const TRAJECTORY_TOLERANCE = 1e-5;

function expectTrajectory(actual: number[][], expected: number[][]): void {
  const problems: string[] = [];
  expected.forEach((row, t) =>
    row.forEach((e, i) => {
      if (!(Math.abs(actual[t][i] - e) <= TRAJECTORY_TOLERANCE * Math.max(1, Math.abs(e))))
        problems.push(`step ${t + 1} w[${i}]: got ${actual[t][i]}, expected ${e}`);
    }),
  );
  expect(problems).toEqual([]);
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

test('every registry optimiser has a row, and every row is a registry optimiser', () => {
  expect(Object.keys(OPTIMIZER_ROWS).sort()).toEqual([...OPTIMIZER_NAMES].sort());
});

describe.each(OPTIMIZER_NAMES.flatMap((name) => OPTIMIZER_ROWS[name].cases.map((row) => ({ name, ...row }))))(
  '$name $label',
  ({ name, overrides }) => {
    test('three steps on ½‖w‖² follow the rule written by hand', () => {
      const options: OptimizerOptions = { ...BASE, ...overrides, name };
      expectTrajectory(run(options, 3), OPTIMIZER_ROWS[name].rule(W0, options, 3));
    });
  },
);

test('sgd: one step is w − ηw', () => {
  expectTrajectory(run({ ...BASE, name: 'sgd' }, 1), [W0.map((w) => w - 0.1 * w)]);
});

test('adam: the first step moves every coordinate by ≈ η·sign(∇) (m̂ = ∇ and v̂ = ∇² after bias correction)', () => {
  const [after] = run({ ...BASE, name: 'adam' }, 1);
  // η·∇/(|∇| + ε) with ε = 1e-7, read back through float32 w (ulp 2.4e-7 at |w| = 3): within 5e-6 of η.
  for (const [i, w] of W0.entries()) expect(w - after[i]).toBeCloseTo(0.1 * Math.sign(w), 5);
});

describe.each(OPTIMIZER_NAMES)('%s reads exactly the options in `uses`', (name) => {
  // Two steps, so that μ, β₁, β₂ and ρ (which the bias-corrected or zero-started first step can hide) all act.
  const base: OptimizerOptions = { ...BASE, epsilon: 0.01, name };
  const perturbed: { [K in Exclude<keyof OptimizerOptions, 'name'>]: OptimizerOptions[K] } = {
    learningRate: 0.05,
    momentum: 0.5,
    nesterov: true,
    beta1: 0.5,
    beta2: 0.5,
    epsilon: 0.2,
    rho: 0.5,
  };
  test.each(Object.keys(perturbed) as (keyof typeof perturbed)[])('%s', (key) => {
    const reference = run(base, 2);
    const changed = run({ ...base, [key]: perturbed[key] }, 2);
    const reads = (OPTIMIZERS[name].uses as readonly string[]).includes(key);
    if (reads) expect(changed).not.toEqual(reference);
    else expect(changed).toEqual(reference);
  });
});
