// Activation registry: each entry is f(z), its derivative, and what counts as a saturated or dead unit.
import * as tf from '@tensorflow/tfjs';

/** One activation function, applied elementwise (softmax: along the last axis). */
export interface ActivationDefinition {
  /** a = f(z). */
  apply(z: tf.Tensor2D): tf.Tensor2D;
  /**
   * f'(z) elementwise, written through a = f(z) where that is cheaper. For softmax this is the Jacobian's
   * diagonal a(1 − a), which is all the saturation statistic needs.
   */
  derivative(z: tf.Tensor2D, a: tf.Tensor2D): tf.Tensor2D;
  /**
   * 1 where the unit is saturated (derivative below 1% of its maximum) or dead (relu with zero derivative),
   * else 0. Undefined where the derivative is constant (linear), so the fraction is always 0.
   */
  saturated?(z: tf.Tensor2D, a: tf.Tensor2D): tf.Tensor2D;
  /** Where the activation may stand. */
  roles: readonly ('hidden' | 'output')[];
  /** The tfjs-layers identifier used in the saved model.json. */
  layersName: 'sigmoid' | 'tanh' | 'relu' | 'linear' | 'softmax';
}

/** σ'(z) = σ(1 − σ) peaks at 1/4; saturated below 1% of that. */
const SIGMOID_SATURATED = 0.01 * 0.25;
/** tanh'(z) = 1 − tanh² peaks at 1; saturated below 1% of that. */
const TANH_SATURATED = 0.01;

// The derivatives and masks below take several ops; tf.tidy frees the intermediates, so each returns one tensor.
const logisticDerivative = (_z: tf.Tensor2D, a: tf.Tensor2D) => tf.tidy(() => tf.mul(a, tf.sub(1, a)) as tf.Tensor2D);
const logisticSaturated = (z: tf.Tensor2D, a: tf.Tensor2D) =>
  tf.tidy(() => tf.cast(tf.less(logisticDerivative(z, a), SIGMOID_SATURATED), 'float32') as tf.Tensor2D);

export const ACTIVATIONS = {
  sigmoid: {
    apply: (z) => tf.sigmoid(z),
    derivative: logisticDerivative,
    saturated: logisticSaturated,
    roles: ['hidden', 'output'],
    layersName: 'sigmoid',
  },
  tanh: {
    apply: (z) => tf.tanh(z),
    derivative: (_z, a) => tf.tidy(() => tf.sub(1, tf.square(a)) as tf.Tensor2D),
    saturated: (_z, a) => tf.tidy(() => tf.cast(tf.less(tf.sub(1, tf.square(a)), TANH_SATURATED), 'float32') as tf.Tensor2D),
    roles: ['hidden', 'output'],
    layersName: 'tanh',
  },
  relu: {
    apply: (z) => tf.relu(z),
    // tfjs's relu gradient is 0 at z = 0, so a unit at exactly 0 is dead too.
    derivative: (z) => tf.tidy(() => tf.cast(tf.greater(z, 0), 'float32') as tf.Tensor2D),
    saturated: (z) => tf.tidy(() => tf.cast(tf.lessEqual(z, 0), 'float32') as tf.Tensor2D),
    roles: ['hidden'],
    layersName: 'relu',
  },
  linear: {
    apply: (z) => z.clone(),
    derivative: (z) => tf.onesLike(z),
    roles: ['hidden', 'output'],
    layersName: 'linear',
  },
  softmax: {
    apply: (z) => tf.softmax(z),
    derivative: logisticDerivative,
    saturated: logisticSaturated,
    roles: ['output'],
    layersName: 'softmax',
  },
} satisfies Record<string, ActivationDefinition>;

export type ActivationName = keyof typeof ACTIVATIONS;
export const ACTIVATION_NAMES = Object.keys(ACTIVATIONS) as ActivationName[];
export const HIDDEN_ACTIVATION_NAMES = ACTIVATION_NAMES.filter((n) => (ACTIVATIONS[n].roles as readonly string[]).includes('hidden')) as [
  ActivationName,
  ...ActivationName[],
];
export const OUTPUT_ACTIVATION_NAMES = ACTIVATION_NAMES.filter((n) => (ACTIVATIONS[n].roles as readonly string[]).includes('output')) as [
  ActivationName,
  ...ActivationName[],
];
