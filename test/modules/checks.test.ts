// The checks a module passes before training, on modules written here: each check catches its fault with the numbers,
// at the tolerances stated in docs/losses.md, and a sound module passes every check without leaving a tensor behind.
import * as tf from '@tensorflow/tfjs';
import type { LossModule, OutputActivationModule, Tensor2D } from '../../src/modules/contract';
import { checkModules, PROBE_CLASSES, PROBE_EXAMPLES, TOLERANCES } from '../../src/modules/checks';
import { bindLoss, type GradientMode } from '../../src/losses/registry';
import { activation, bindActivation, softmaxVjp, type Activation } from '../../src/models/activations';

/** Cross-entropy written as a module, with its closed form scaled by `factor` (1: correct). */
const crossEntropy = (factor = 1): LossModule => ({
  outputs: ['softmax'],
  defaultOutputs: 'sum',
  terms: (z, t, { tf }) => tf.neg(tf.mul(t, tf.logSoftmax(z))),
  gradZ: (z, t, { tf }) => tf.mul(tf.sub(tf.softmax(z), t), factor),
});

/** Squared error of the outputs with ∂E/∂o scaled by `factor`. */
const squaredError = (factor = 1): LossModule => ({
  outputs: 'any',
  defaultOutputs: 'mean',
  terms: (z, t, { tf, output }) => tf.square(tf.sub(output.apply(z), t)),
  gradO: (o, t, { tf }) => tf.mul(tf.sub(o, t), 2 * factor),
});

/** softmax as a module: a coupled activation with vjp, derivative (the Jacobian's diagonal) and inverse. */
const softmaxModule = (overrides: Partial<OutputActivationModule> = {}): OutputActivationModule => ({
  elementwise: false,
  apply: (z, { tf }) => tf.softmax(z),
  vjp: (_z, a, g, { tf }) => softmaxVjp(tf, a, g),
  derivative: (_z, a, { tf }) => tf.mul(a, tf.sub(1, a)),
  inverse: (o, { tf }) => tf.log(o),
  saturatedBelow: 0.0025,
  ...overrides,
});

function check(
  loss: LossModule,
  output: Activation = activation('softmax'),
  outputModule?: OutputActivationModule,
  gradient: GradientMode = 'autodiff',
) {
  const bound = bindLoss('test', loss, {}, output, { outputs: loss.defaultOutputs, scale: 1, gradient });
  return checkModules({ loss: bound, output, lossIsModule: true, outputModule });
}

function failure(run: () => unknown): string {
  const before = tf.memory().numTensors;
  let message = '';
  try {
    run();
  } catch (error) {
    message = (error as Error).message;
  }
  // A failing check frees its probes and intermediates too.
  expect(tf.memory().numTensors).toBe(before);
  return message;
}

const ORDINARY = `ordinary probe (${PROBE_EXAMPLES}×${PROBE_CLASSES} logits in [−3, 3])`;

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('a sound module passes every check and leaves nothing behind', () => {
  test('a loss with a closed form', () => {
    const before = tf.memory().numTensors;
    expect(check(crossEntropy())).toEqual([
      'terms: shape [N,K], finite, and finite autodiff gradients on the ordinary and the extreme probe',
      expect.stringMatching(
        /^autodiff ∂L\/∂z: agrees with central finite differences along 3 directions \(at most \d+% of the tolerance\)$/,
      ),
      'gradZ: agrees with autodiff to 1e-5 relative on both probes',
      'no tensor leaks across calls',
    ]);
    expect(tf.memory().numTensors).toBe(before);
  });

  test('a coupled output activation, with a loss of the outputs that gives ∂E/∂o', () => {
    const module = softmaxModule();
    const passed = check(squaredError(), bindActivation(module, 'softmax-module'), module);
    expect(passed.filter((line) => line.startsWith('output activation '))).toHaveLength(6);
    expect(passed).toContain('gradO: through the output activation, agrees with autodiff to 1e-5 relative');
  });
});

describe('closed forms against autodiff, to 1e-5 of the largest entry', () => {
  test('a closed form off by 1 + 2e-6 is float32 rounding: it passes', () => {
    expect(check(crossEntropy(1 + 2e-6))).toContain('gradZ: agrees with autodiff to 1e-5 relative on both probes');
  });

  test('off by 1 + 1e-4 fails, naming the check and the numbers', () => {
    expect(failure(() => check(crossEntropy(1 + 1e-4)))).toMatch(
      new RegExp(
        `^closed form gradZ\\(\\) against autodiff ∂L/∂z on the ${escape(ORDINARY)}: max \\|closed form − autodiff\\| = [\\d.e-]+ > 1e-5 × max \\|autodiff\\| = [\\d.e-]+\\.$`,
      ),
    );
  });

  test('a factor 2 is named as one', () => {
    expect(failure(() => check(crossEntropy(2)))).toContain('(the closed form is 2× autodiff everywhere).');
  });

  test('∂E/∂o with the wrong sign fails the chain through the output activation', () => {
    expect(failure(() => check(squaredError(-1), activation('sigmoid')))).toMatch(
      /^gradO\(\) sent back through the output activation \(Jᵀ·∂E\/∂o\) against autodiff ∂L\/∂z on the ordinary probe .*: max \|closed form − autodiff\| = .* \(the closed form is -1× autodiff everywhere\)\.$/,
    );
  });

  test.each([
    [
      'vjp',
      {
        vjp: (_z: Tensor2D, a: Tensor2D, g: Tensor2D, { tf }: { tf: typeof import('@tensorflow/tfjs') }) =>
          tf.mul(softmaxVjp(tf, a, g), 1.5),
      },
      'vjp() against autodiff of apply()',
    ],
    [
      'derivative',
      { derivative: (_z: Tensor2D, a: Tensor2D, { tf }: { tf: typeof import('@tensorflow/tfjs') }) => tf.mul(a, tf.sub(1, tf.mul(a, 2))) },
      "derivative() against autodiff (the Jacobian's diagonal ∂aₖ/∂zₖ)",
    ],
  ])('an output activation whose %s is wrong', (_name, override, what) => {
    const module = softmaxModule(override);
    expect(failure(() => check(squaredError(), bindActivation(module, 'softmax-module'), module))).toMatch(
      new RegExp(`^${escape(what)}: max`),
    );
  });

  test('an inverse that does not invert', () => {
    const module = softmaxModule({ inverse: (o) => o.clone() });
    expect(failure(() => check(squaredError(), bindActivation(module, 'm'), module))).toMatch(
      /^inverse\(\): apply\(inverse\(o\)\) differs from o by up to [\d.]+ \(> 1e-4\)\.$/,
    );
  });
});

describe('autodiff against central finite differences', () => {
  test('a gradient cut by a value read off the device is caught along the gradient', () => {
    const detached: LossModule = {
      outputs: ['softmax'],
      defaultOutputs: 'sum',
      terms: (z, t, { tf }) => tf.neg(tf.mul(t, tf.sub(z, tf.tensor2d(tf.logSumExp(z, 1, true).arraySync() as number[][])))),
    };
    expect(failure(() => check(detached))).toMatch(
      /^autodiff ∂L\/∂z disagrees with central finite differences along the gradient on the ordinary probe .*: autodiff gives 2; h = 0\.01: finite difference 1\.7\d+, off by 0\.25\d* > tolerance 0\.0\d+; h = 0\.001: .* Autodiff follows tensor operations only/,
    );
  });

  test('a loss that does not depend on the logits at all has no autodiff path', () => {
    const constant: LossModule = { outputs: 'any', defaultOutputs: 'mean', terms: (_z, t, { tf }) => tf.mul(t, 1) };
    expect(failure(() => check(constant))).toMatch(
      /^autodiff ∂L\/∂z on the ordinary probe .*: autodiff finds no path from the logits to the loss\. Autodiff follows/,
    );
  });

  test('the stated tolerances', () => {
    expect(TOLERANCES).toEqual({
      closedFormRelative: 1e-5,
      finiteDifferenceRelative: 1e-2,
      finiteDifferenceOfNorm: 1e-3,
      finiteDifferenceRounding: 4e-7,
      finiteDifferenceSteps: [1e-2, 1e-3],
    });
  });
});

describe('what the functions return', () => {
  const returning = (value: () => unknown): LossModule => ({ outputs: 'any', defaultOutputs: 'mean', terms: value as LossModule['terms'] });

  test.each([
    ['a plain array', () => [[0]], `terms() on the ${ORDINARY} returned a plain array, expected a tensor of shape [4,10].`],
    ['a number', () => 3, `terms() on the ${ORDINARY} returned a number, expected a tensor of shape [4,10].`],
    ['nothing', () => undefined, `terms() on the ${ORDINARY} returned nothing, expected a tensor of shape [4,10].`],
    [
      'the per-example sum',
      () => tf.zeros([4, 1]),
      `terms() on the ${ORDINARY} returned shape [4,1], expected [4,10] (N examples × K outputs).`,
    ],
    ['integers', () => tf.zeros([4, 10], 'int32'), `terms() on the ${ORDINARY} returned dtype int32, expected float32.`],
  ])('%s', (_what, value, message) => {
    expect(failure(() => check(returning(value)))).toBe(message);
  });

  test('NaN at logits of ±30 names the entry, its logit and target', () => {
    const naive: LossModule = {
      outputs: ['sigmoid'],
      defaultOutputs: 'mean',
      terms: (z, t, { tf }) => {
        const p = tf.sigmoid(z);
        return tf.neg(tf.add(tf.mul(t, tf.log(p)), tf.mul(tf.sub(1, t), tf.log(tf.sub(1, p)))));
      },
    };
    expect(failure(() => check(naive, activation('sigmoid')))).toBe(
      'terms() on the extreme probe (logits of ±30) is not finite: 17 of 40 entries; the first is NaN at [0,1] (z = 30, t = 1). Compute from the logits (log softmax, log1p(exp(−|z|))) rather than from probabilities, which round to exactly 0 or 1 in float32.',
    );
  });
});

describe('leaks across calls', () => {
  test('a tf.variable made on every call is a leak of one tensor per call', () => {
    const variables: tf.Variable[] = [];
    const leaky: LossModule = {
      ...crossEntropy(),
      terms: (z, t, { tf }) => {
        variables.push(tf.variable(tf.zeros([1])));
        return tf.neg(tf.mul(t, tf.logSoftmax(z)));
      },
    };
    const message = failure(() => {
      try {
        check(leaky);
      } finally {
        // The leaked variables are the module's; free them so the count stays exact for the assertion above.
        tf.dispose(variables);
      }
    });
    expect(message).toMatch(
      /^terms\(\) leaks 1 tensor\(s\) per call \(tf\.memory\(\)\.numTensors after 3 calls: (\d+), \d+, \d+\)\. The harness runs each call in tf\.tidy/,
    );
  });

  test('a constant made once and kept (a cache) is not a leak', () => {
    let cached: tf.Tensor | undefined;
    const caching: LossModule = {
      ...crossEntropy(),
      terms: (z, t, { tf }) => {
        cached ??= tf.keep(tf.scalar(-1));
        return tf.mul(tf.mul(t, tf.logSoftmax(z)), cached);
      },
    };
    expect(check(caching)).toContain('no tensor leaks across calls');
    cached!.dispose();
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
