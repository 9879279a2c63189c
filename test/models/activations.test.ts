// Activation registry: f(z) against hand formulas, f'(z) and the vjp against float64 finite differences, the inverse,
// saturation masks. Each built-in is an OutputActivationModule bound as a layer binds it (activation(name)).
import * as tf from '@tensorflow/tfjs';
import {
  ACTIVATIONS,
  ACTIVATION_NAMES,
  HIDDEN_ACTIVATION_NAMES,
  OUTPUT_ACTIVATION_NAMES,
  activation,
  type ActivationName,
} from '../../src/models/activations';
import { closeness, finiteDifferenceGrad, sigmoid, softmaxRow, type Matrix } from '../losses/hand-math';

/** One row per activation: f of a row written by hand, and where it may stand. */
const HAND: Record<ActivationName, { row: (z: number[]) => number[]; roles: ('hidden' | 'output')[] }> = {
  sigmoid: { row: (z) => z.map(sigmoid), roles: ['hidden', 'output'] },
  tanh: { row: (z) => z.map(Math.tanh), roles: ['hidden', 'output'] },
  relu: { row: (z) => z.map((x) => Math.max(0, x)), roles: ['hidden'] },
  linear: { row: (z) => [...z], roles: ['hidden', 'output'] },
  softmax: { row: softmaxRow, roles: ['output'] },
};

/** float32-exact inputs away from relu's kink. */
const Z: Matrix = [
  [-2.5, -0.75, 0.25, 1.5],
  [3, -4, 0.5, -0.125],
];

function applyAndDerive(name: ActivationName, z: Matrix): { a: Matrix; derivative: Matrix } {
  const bound = activation(name);
  const zt = tf.tensor2d(z);
  const before = tf.memory().numTensors;
  const at = bound.apply(zt);
  const dt = bound.derivative!(zt, at);
  const result = { a: at.arraySync(), derivative: dt.arraySync() };
  tf.dispose([at, dt]);
  expect(tf.memory().numTensors).toBe(before);
  zt.dispose();
  return result;
}

function saturatedMask(name: ActivationName, z: Matrix): Matrix | undefined {
  const bound = activation(name);
  if (!bound.saturated) return undefined;
  const zt = tf.tensor2d(z);
  const at = bound.apply(zt);
  const before = tf.memory().numTensors;
  const mask = bound.saturated(zt, at);
  expect(tf.memory().numTensors).toBe(before + 1);
  const result = mask.arraySync();
  tf.dispose([zt, at, mask]);
  return result;
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

test('every registry activation has a hand row, and every hand row is a registry activation', () => {
  expect(Object.keys(HAND).sort()).toEqual([...ACTIVATION_NAMES].sort());
});

test('roles: softmax only at the output, relu only hidden', () => {
  expect([...OUTPUT_ACTIVATION_NAMES].sort()).toEqual(ACTIVATION_NAMES.filter((n) => HAND[n].roles.includes('output')).sort());
  expect([...HIDDEN_ACTIVATION_NAMES].sort()).toEqual(ACTIVATION_NAMES.filter((n) => HAND[n].roles.includes('hidden')).sort());
  expect([...OUTPUT_ACTIVATION_NAMES].sort()).toEqual(['linear', 'sigmoid', 'softmax', 'tanh']);
});

describe.each(ACTIVATION_NAMES)('%s', (name) => {
  test('apply() matches the hand formula', () => {
    const { a } = applyAndDerive(name, Z);
    expect(closeness(a, Z.map(HAND[name].row), 1e-6, 1e-7)).toEqual([]);
  });

  test("derivative() matches float64 central differences of f (softmax: the Jacobian's diagonal ∂aₖ/∂zₖ)", () => {
    const { derivative } = applyAndDerive(name, Z);
    // Perturbing z[n][k] alone and reading a[n][k] gives ∂aₖ/∂zₖ, the diagonal, for softmax too.
    const expected = Z.map((row, n) => row.map((_, k) => finiteDifferenceGrad((z) => HAND[name].row(z[n])[k], Z)[n][k]));
    expect(closeness(derivative, expected, 1e-5, 1e-6)).toEqual([]);
  });

  test('vjp(z, a, g) = Jᵀg matches float64 central differences of Σ g·f(z)', () => {
    const g: Matrix = Z.map((row, n) => row.map((_, k) => Math.cos(n + 1.7 * k)));
    const bound = activation(name);
    const [zt, gt] = [tf.tensor2d(Z), tf.tensor2d(g)];
    const before = tf.memory().numTensors;
    const at = bound.apply(zt);
    const vt = bound.vjp(zt, at, gt);
    const vjp = vt.arraySync();
    tf.dispose([at, vt]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([zt, gt]);
    const expected = finiteDifferenceGrad(
      (z) => z.reduce((s, row, n) => s + HAND[name].row(row).reduce((t, a, k) => t + g[n][k] * a, 0), 0),
      Z,
    );
    expect(closeness(vjp, expected, 1e-5, 1e-6)).toEqual([]);
  });
});

describe.each(OUTPUT_ACTIVATION_NAMES)('%s (an output activation) has an inverse', (name) => {
  test('apply(inverse(o)) = o for outputs o = f(z)', () => {
    const bound = activation(name);
    const back = tf.tidy(() => bound.apply(bound.inverse!(bound.apply(tf.tensor2d(Z)))).arraySync());
    expect(closeness(back, Z.map(HAND[name].row), 1e-5, 1e-6)).toEqual([]);
  });
});

describe('saturated()', () => {
  // σ'(z) < 1% of ¼ beyond |z| ≈ 5.99; tanh'(z) < 1% beyond |z| ≈ 2.99; relu is dead at z ≤ 0.
  test.each([
    ['sigmoid', [[-7, -5, 0, 5, 7]], [[1, 0, 0, 0, 1]]],
    ['tanh', [[-3.5, -2.5, 0, 2.5, 3.5]], [[1, 0, 0, 0, 1]]],
    ['relu', [[-7, -1e-3, 0, 1e-3, 7]], [[1, 1, 1, 0, 0]]],
    // softmax uses a(1 − a): (10, 0, 0) puts 0.99991 and 4.5e-5 both below 1%·¼; (0, 0, 0) gives ⅓ each.
    [
      'softmax',
      [
        [10, 0, 0],
        [0, 0, 0],
      ],
      [
        [1, 1, 1],
        [0, 0, 0],
      ],
    ],
  ] as [ActivationName, Matrix, Matrix][])('%s at %j', (name, z, expected) => {
    expect(saturatedMask(name, z)).toEqual(expected);
  });

  test('linear has no saturation mask (its derivative is constant)', () => {
    expect(saturatedMask('linear', Z)).toBeUndefined();
  });

  test('every activation with a saturation threshold has a row above', () => {
    expect(ACTIVATION_NAMES.filter((n) => Object.hasOwn(ACTIVATIONS[n], 'saturatedBelow')).sort()).toEqual([
      'relu',
      'sigmoid',
      'softmax',
      'tanh',
    ]);
  });
});
