// Loss registry: every (output, loss, reduction, scale) against a hand-written float64 implementation, in value and
// in ∂L/∂z by autodiff, closed form and finite differences, plus extremes, label smoothing and the skip mode. The
// built-ins are defined through the public module contract (src/modules/contract.ts) and bound as a run binds them
// (lossOf), so this table tests the contract; the pre-training checks a user's module gets pass on every row too.
import * as tf from '@tensorflow/tfjs';
import type { LossModule } from '../../src/modules/contract';
import { checkModules } from '../../src/modules/checks';
import {
  GRADIENT_MODES,
  LOSSES,
  LOSS_NAMES,
  lossValue,
  lossWithGradient,
  reductionConstant,
  type GradientMode,
  type Loss,
  type LossName,
} from '../../src/losses/registry';
import { activation, OUTPUT_ACTIVATION_NAMES } from '../../src/models/activations';
import { lossOf } from '../../src/train/run-functions';
import {
  HAND_LOSSES,
  activate,
  closeness,
  finiteDifferenceGrad,
  handLoss,
  handReduction,
  softmaxRow,
  type Matrix,
  type OutputName,
  type Reduction,
} from './hand-math';

/** Two examples, three outputs; float32-exact values, away from every kink (hinge 1 − yo ≠ 0, mae o ≠ t). */
const Z: Matrix = [
  [0.5, -1.25, 2],
  [-0.375, 0.75, -2.5],
];
const T: Matrix = [
  [0, 0, 1],
  [1, 0, 0],
];
/** Saturating logits: ±100 and an exact 0 (the kink of |z| inside the stable binary cross-entropy). */
const Z_EXTREME: Matrix = [
  [100, -100, 0],
  [-100, 100, 100],
];
const T_EXTREME: Matrix = [
  [1, 0, 0],
  [0, 0, 1],
];
const REDUCTIONS: Reduction[] = ['mean', 'sum'];
const SCALES = [1, 0.5];

/**
 * autodiff vs closed form: both are float32, so agreement is to a few ulps: 1e-6 relative, with an absolute floor
 * of 1e-8 for entries that are themselves tiny (a sum of cancelling terms has no relative precision there).
 */
const MODES_RELATIVE = 1e-6;
const MODES_ABSOLUTE = 1e-8;
/** float32 tfjs vs float64 finite differences: float32 rounding of O(1) values is ~1e-7; a wrong factor is O(c). */
const FD_ABSOLUTE = 1e-5;

interface Case {
  name: LossName;
  output: OutputName;
  outputs: Reduction;
  scale: number;
}

/** The output activations a built-in accepts ('any': every built-in output activation). */
const acceptedOutputs = (name: LossName): OutputName[] => {
  const outputs = (LOSSES[name] as LossModule).outputs;
  return (outputs === 'any' ? OUTPUT_ACTIVATION_NAMES : outputs) as OutputName[];
};
const hasGradO = (name: LossName) => (LOSSES[name] as LossModule).gradO !== undefined;

const CASES: Case[] = LOSS_NAMES.flatMap((name) =>
  acceptedOutputs(name).flatMap((output) => REDUCTIONS.flatMap((outputs) => SCALES.map((scale) => ({ name, output, outputs, scale })))),
);
const SEPARABLE_CASES = CASES.filter((c) => hasGradO(c.name));

/** How a loss is given to a run: its name, output activation, reduction, scale and label smoothing. */
interface LossOptions {
  output: OutputName;
  outputs: Reduction;
  scale: number;
  labelSmoothing: number;
}
const optionsOf = (c: Case, labelSmoothing = 0): LossOptions => ({ output: c.output, outputs: c.outputs, scale: c.scale, labelSmoothing });

/** The built-in bound as a run binds it: lossOf over the resolved loss block, with the output activation. */
function bound(name: LossName, options: LossOptions, gradient: GradientMode = 'autodiff'): Loss {
  const { output, outputs, scale, labelSmoothing } = options;
  return lossOf({ loss: { name, outputs, scale, gradient, labelSmoothing } }, {}, activation(output));
}

/** The loss value through lossValue, with no tensor left behind but the one it returns. */
function valueOf(name: LossName, z: Matrix, t: Matrix, options: LossOptions): number {
  const zt = tf.tensor2d(z);
  const tt = tf.tensor2d(t);
  const before = tf.memory().numTensors;
  const value = lossValue(bound(name, options), zt, tt);
  expect(tf.memory().numTensors).toBe(before + 1);
  const result = value.dataSync()[0];
  tf.dispose([zt, tt, value]);
  return result;
}

/** ∂L/∂z through tf.grad of lossWithGradient in `mode`; asserts the gradient computation leaks no tensor. */
function gradOf(name: LossName, mode: GradientMode, z: Matrix, t: Matrix, options: LossOptions): { value: number; grad: Matrix } {
  const zt = tf.tensor2d(z);
  const tt = tf.tensor2d(t);
  const before = tf.memory().numTensors;
  const loss = bound(name, options, mode);
  const { value, grad } = tf.valueAndGrad((logits: tf.Tensor) => lossWithGradient(loss, logits as tf.Tensor2D, tt))(zt);
  const result = { value: value.dataSync()[0], grad: grad.arraySync() as Matrix };
  tf.dispose([value, grad]);
  expect(tf.memory().numTensors).toBe(before);
  tf.dispose([zt, tt]);
  return result;
}

const handOptions = (c: Case, labelSmoothing = 0) => ({ ...optionsOf(c, labelSmoothing), output: c.output });
const scaleMatrix = (m: Matrix, factor: number): Matrix => m.map((row) => row.map((x) => x * factor));

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('the registry and the hand table cover each other', () => {
  test('every registry loss has a hand implementation, and every hand implementation is a registry loss', () => {
    expect(Object.keys(HAND_LOSSES).sort()).toEqual([...LOSS_NAMES].sort());
  });

  test.each(LOSS_NAMES)('%s accepts exactly the outputs of the hand table, with its default reduction', (name) => {
    expect([...acceptedOutputs(name)].sort()).toEqual([...HAND_LOSSES[name].validOutputs].sort());
    expect(LOSSES[name].defaultOutputs).toBe(HAND_LOSSES[name].defaultOutputs);
    expect(hasGradO(name)).toBe(HAND_LOSSES[name].gradORow !== undefined);
    expect(acceptedOutputs(name).every((o) => (OUTPUT_ACTIVATION_NAMES as string[]).includes(o))).toBe(true);
  });

  test.each(LOSS_NAMES)('%s: a loss that rejects some outputs says what to use instead', (name) => {
    const outputs = acceptedOutputs(name);
    const rejects = OUTPUT_ACTIVATION_NAMES.some((o) => !(outputs as string[]).includes(o));
    if (rejects) expect((LOSSES[name] as LossModule).instead).toContain(`use outputActivation: ${outputs[0]}`);
    else expect((LOSSES[name] as LossModule).instead).toBeUndefined();
  });

  test('every loss has at least one case in the gradient table, and every case is a valid pair', () => {
    expect([...new Set(CASES.map((c) => c.name))].sort()).toEqual([...LOSS_NAMES].sort());
    expect(CASES).toHaveLength(LOSS_NAMES.reduce((count, name) => count + acceptedOutputs(name).length * 4, 0));
  });
});

describe('values worked out on paper (they anchor the hand implementation too)', () => {
  // z = 0 for one example with K = 3 and t = (1, 0, 0); each hand row carries its paper values.
  const zero: Matrix = [[0, 0, 0]];
  const first: Matrix = [[1, 0, 0]];

  test.each(LOSS_NAMES.flatMap((name) => HAND_LOSSES[name].paper.map((row) => ({ name, ...row }))))(
    '$name with $output outputs, outputs=$outputs: $expected',
    ({ name, output, outputs, expected }) => {
      const options = { output, outputs, scale: 1, labelSmoothing: 0 };
      expect(handLoss(name, zero, first, options)).toBeCloseTo(expected, 12);
      expect(valueOf(name, zero, first, options)).toBeCloseTo(expected, 6);
    },
  );
});

describe('the pre-training checks a user module gets pass on every built-in pair (no false alarm)', () => {
  test.each(CASES.filter((c) => c.outputs === 'mean' && c.scale === 1))('$name with $output outputs', (c) => {
    const before = tf.memory().numTensors;
    const loss = bound(c.name, optionsOf(c));
    const passed = checkModules({ loss, output: activation(c.output), lossIsModule: true });
    expect(passed.length).toBeGreaterThanOrEqual(3);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('reductionConstant', () => {
  test.each([
    ['mean', 1, 1 / 6],
    ['sum', 1, 1 / 2],
    ['mean', 0.5, 0.5 / 6],
    ['sum', 0.5, 0.25],
  ] as const)('N=2, K=3, outputs=%s, scale=%d: %d', (outputs, scale, expected) => {
    expect(reductionConstant(2, 3, { outputs, scale })).toBeCloseTo(expected, 15);
  });
});

describe.each(CASES)('$name with $output outputs, outputs=$outputs, scale=$scale', (c) => {
  const options = optionsOf(c);
  const hand = handOptions(c);

  test('the loss value matches the hand formula', () => {
    const expected = handLoss(c.name, Z, T, hand);
    expect(Math.abs(valueOf(c.name, Z, T, options) - expected)).toBeLessThanOrEqual(1e-6 * Math.abs(expected));
  });

  test('∂L/∂z: autodiff, closed form and float64 finite differences agree; every mode has the same value', () => {
    const autodiff = gradOf(c.name, 'autodiff', Z, T, options);
    const closedForm = gradOf(c.name, 'closed-form', Z, T, options);
    const finite = finiteDifferenceGrad((z) => handLoss(c.name, z, T, hand), Z);
    expect(closeness(closedForm.grad, autodiff.grad, MODES_RELATIVE, MODES_ABSOLUTE)).toEqual([]);
    expect(closeness(autodiff.grad, finite, 0, FD_ABSOLUTE)).toEqual([]);
    expect(closeness(closedForm.grad, finite, 0, FD_ABSOLUTE)).toEqual([]);
    expect(closedForm.value).toBe(autodiff.value);
    expect(autodiff.value).toBe(valueOf(c.name, Z, T, options));
  });

  test('outside a gradient scope, every mode returns one scalar and frees its intermediates', () => {
    const modes = GRADIENT_MODES.filter((m) => m !== 'skip-activation-derivative' || hasGradO(c.name));
    const z = tf.tensor2d(Z);
    const t = tf.tensor2d(T);
    for (const mode of modes) {
      const loss = bound(c.name, options, mode);
      const before = tf.memory().numTensors;
      const value = lossWithGradient(loss, z, t);
      expect(tf.memory().numTensors).toBe(before + 1);
      expect(value.shape).toEqual([]);
      value.dispose();
    }
    tf.dispose([z, t]);
  });

  test('extreme logits (±100, 0) give a finite loss and finite gradients in every mode', () => {
    const modes = GRADIENT_MODES.filter((m) => m !== 'skip-activation-derivative' || hasGradO(c.name));
    const results = modes.map((mode) => gradOf(c.name, mode, Z_EXTREME, T_EXTREME, options));
    for (const { value, grad } of results) {
      expect(Number.isFinite(value)).toBe(true);
      expect(grad.flat().every(Number.isFinite)).toBe(true);
    }
    // Closed form and autodiff still agree where the activation saturates (absolute: entries are O(c) or O(100c)).
    expect(closeness(results[1].grad, results[0].grad, MODES_RELATIVE, MODES_ABSOLUTE)).toEqual([]);
  });
});

describe.each(SEPARABLE_CASES)('skip-activation-derivative: $name with $output outputs, outputs=$outputs, scale=$scale', (c) => {
  test('sends c·∂E/∂o back, dropping f′(z)', () => {
    const options = optionsOf(c);
    const o = activate(c.output, Z);
    const c0 = handReduction(2, 3, handOptions(c));
    const expected = scaleMatrix(
      o.map((row, n) => HAND_LOSSES[c.name].gradORow!(row, T[n])),
      c0,
    );
    const skipped = gradOf(c.name, 'skip-activation-derivative', Z, T, options);
    expect(closeness(skipped.grad, expected, 1e-6, 1e-8)).toEqual([]);
    expect(skipped.value).toBe(valueOf(c.name, Z, T, options));
    if (c.output === 'linear') {
      // f′ = 1: dropping it changes nothing.
      expect(skipped.grad).toEqual(gradOf(c.name, 'closed-form', Z, T, options).grad);
    }
  });
});

describe('skip-activation-derivative for the question', () => {
  test("sigmoid+mse with outputs sum, scale 0.5 (Nielsen's ½‖o − t‖²) sends exactly (o − t)/N", () => {
    const options: LossOptions = { output: 'sigmoid', outputs: 'sum', scale: 0.5, labelSmoothing: 0 };
    const skipped = gradOf('mse', 'skip-activation-derivative', Z, T, options);
    // 2(o − t) · 0.5/N with N = 2: the products by 2 and ¼ are exact in float32, so this is bitwise.
    const expected = tf.tidy(() => tf.div(tf.sub(tf.sigmoid(tf.tensor2d(Z)), tf.tensor2d(T)), 2).arraySync() as Matrix);
    expect(skipped.grad).toEqual(expected);
    const hand = activate('sigmoid', Z).map((row, n) => row.map((on, k) => (on - T[n][k]) / 2));
    expect(closeness(skipped.grad, hand, 1e-6, 1e-8)).toEqual([]);
  });

  test("Nielsen's ½‖o − t‖² skipped sends the same ∂L/∂z as sigmoid+binary-cross-entropy summed over the outputs", () => {
    const skipped = gradOf('mse', 'skip-activation-derivative', Z, T, { output: 'sigmoid', outputs: 'sum', scale: 0.5, labelSmoothing: 0 });
    const crossEntropy = gradOf('binary-cross-entropy', 'closed-form', Z, T, {
      output: 'sigmoid',
      outputs: 'sum',
      scale: 1,
      labelSmoothing: 0,
    });
    // 2(o − t)·0.5/N and (σ(z) − t)·1/N: both exact scalings of the same float32 o − t.
    expect(skipped.grad).toEqual(crossEntropy.grad);
  });

  test.each(REDUCTIONS.flatMap((outputs) => SCALES.map((scale) => ({ outputs, scale }))))(
    'outputs=$outputs, scale=$scale: sigmoid+mse skipped points the same way as sigmoid+binary-cross-entropy, at a constant ratio',
    ({ outputs, scale }) => {
      const options: LossOptions = { output: 'sigmoid', outputs, scale, labelSmoothing: 0 };
      const skipped = gradOf('mse', 'skip-activation-derivative', Z, T, options).grad.flat();
      const crossEntropy = gradOf('binary-cross-entropy', 'closed-form', Z, T, options).grad.flat();
      // mse skip: c·2(o − t); bce: c·(σ(z) − t) with the same c, so the ratio is 2 everywhere.
      expect(skipped.map(Math.sign)).toEqual(crossEntropy.map(Math.sign));
      for (const [i, g] of skipped.entries()) expect(g / crossEntropy[i]).toBeCloseTo(2, 6);
    },
  );

  test('a loss computed from the logits has no skip mode', () => {
    const z = tf.tensor2d(Z);
    const t = tf.tensor2d(T);
    const loss = bound('cross-entropy', { output: 'softmax', outputs: 'sum', scale: 1, labelSmoothing: 0 });
    expect(() => lossWithGradient(loss, z, t, 'skip-activation-derivative')).toThrow(
      'skip-activation-derivative needs ∂E/∂o, which loss "cross-entropy" (computed from the logits) does not have',
    );
    tf.dispose([z, t]);
  });
});

describe("the issue's closed forms", () => {
  test.each(['autodiff', 'closed-form'] as const)(
    '%s: softmax+cross-entropy (defaults: sum over K, scale 1) gives (softmax(z) − t)/N',
    (mode) => {
      const { grad } = gradOf('cross-entropy', mode, Z, T, {
        output: 'softmax',
        outputs: LOSSES['cross-entropy'].defaultOutputs,
        scale: 1,
        labelSmoothing: 0,
      });
      const expected = Z.map((row, n) => softmaxRow(row).map((p, k) => (p - T[n][k]) / Z.length));
      expect(closeness(grad, expected, 1e-6, 1e-8)).toEqual([]);
    },
  );

  test.each(['autodiff', 'closed-form'] as const)('%s: sigmoid+mse (mean over K and N) gives 2(o − t)·o(1 − o)/(N·K)', (mode) => {
    const { grad } = gradOf('mse', mode, Z, T, { output: 'sigmoid', outputs: 'mean', scale: 1, labelSmoothing: 0 });
    const [n, k] = [Z.length, Z[0].length];
    const expected = activate('sigmoid', Z).map((row, i) => row.map((o, j) => (2 * (o - T[i][j]) * o * (1 - o)) / (n * k)));
    expect(closeness(grad, expected, 1e-6, 1e-8)).toEqual([]);
  });
});

describe.each(REDUCTIONS.flatMap((outputs) => SCALES.map((scale) => ({ outputs, scale }))))(
  'label smoothing ε = 0.1 for cross-entropy, outputs=$outputs, scale=$scale',
  ({ outputs, scale }) => {
    const epsilon = 0.1;
    const options: LossOptions = { output: 'softmax', outputs, scale, labelSmoothing: epsilon };
    const hand = { ...options, output: 'softmax' as const };

    test('value: −Σ t′ log softmax(z) with t′ = (1 − ε)t + ε/K', () => {
      const c0 = handReduction(2, 3, hand);
      let expected = 0;
      Z.forEach((row, n) => softmaxRow(row).forEach((p, k) => (expected -= ((1 - epsilon) * T[n][k] + epsilon / 3) * Math.log(p))));
      expected *= c0;
      expect(handLoss('cross-entropy', Z, T, hand)).toBeCloseTo(expected, 12);
      expect(Math.abs(valueOf('cross-entropy', Z, T, options) - expected)).toBeLessThanOrEqual(1e-6 * expected);
    });

    test('gradient: c·(softmax(z) − t′) by autodiff, closed form and finite differences', () => {
      const c0 = handReduction(2, 3, hand);
      const expected = Z.map((row, n) => softmaxRow(row).map((p, k) => c0 * (p - ((1 - epsilon) * T[n][k] + epsilon / 3))));
      const autodiff = gradOf('cross-entropy', 'autodiff', Z, T, options).grad;
      const closedForm = gradOf('cross-entropy', 'closed-form', Z, T, options).grad;
      expect(closeness(autodiff, expected, 1e-6, 1e-8)).toEqual([]);
      expect(closeness(closedForm, autodiff, MODES_RELATIVE, MODES_ABSOLUTE)).toEqual([]);
      expect(
        closeness(
          closedForm,
          finiteDifferenceGrad((z) => handLoss('cross-entropy', z, T, hand), Z),
          0,
          FD_ABSOLUTE,
        ),
      ).toEqual([]);
    });
  },
);
