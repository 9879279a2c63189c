// Loss registry: each loss is a table of per-(example, output) terms with its closed-form gradient.
//
// Every loss has the form L = c · Σ_n Σ_k E(z, t)[n,k], where z are the output pre-activations (logits),
// t the one-hot targets, and the reduction constant c = scale / (N · (outputs = mean ? K : 1)): the mean over
// the N examples of a batch, then the mean (Keras) or sum (textbook) over the K outputs, times `scale`.
import * as tf from '@tensorflow/tfjs';
import { ACTIVATIONS, type ActivationName } from '../models/activations';

/** Options a loss is computed with (the resolved `loss` block of a run, plus the run's output activation). */
export interface LossOptions {
  output: ActivationName;
  outputs: 'mean' | 'sum';
  scale: number;
  labelSmoothing: number;
}

export interface LossDefinition {
  /** One line for the README and `--help`. */
  summary: string;
  /** The per-term formula E[n,k] as printed in the README. */
  formula: string;
  /** Output activations the loss is defined for; others are rejected with `instead`. */
  outputs: readonly ActivationName[];
  /** What to use instead, for an output this loss rejects. */
  instead: string;
  /**
   * The default reduction over the K outputs, following Keras: categorical cross-entropy sums over the classes
   * (one distribution per example); the elementwise losses average over the outputs.
   */
  defaultOutputs: 'mean' | 'sum';
  /** Whether ∂E/∂o exists apart from the output activation (false for losses computed from logits). */
  separableFromActivation: boolean;
  /** Whether `loss.labelSmoothing` applies (it smooths a class distribution); absent means it does not. */
  acceptsLabelSmoothing?: boolean;
  /** E[n,k], shape [N,K], from logits z and targets t. Sum over k is the per-example loss. */
  terms(z: tf.Tensor2D, t: tf.Tensor2D, options: LossOptions): tf.Tensor2D;
  /** ∂(Σ_k E[n,k])/∂z[n,k] written by hand, shape [N,K]. */
  gradZ(z: tf.Tensor2D, t: tf.Tensor2D, options: LossOptions): tf.Tensor2D;
  /** ∂E/∂o with o = f(z), for `skip-activation-derivative`; only where separableFromActivation. */
  gradO?: (o: tf.Tensor2D, t: tf.Tensor2D, options: LossOptions) => tf.Tensor2D;
}

const out = (z: tf.Tensor2D, options: LossOptions) => ACTIVATIONS[options.output].apply(z);
const fPrime = (z: tf.Tensor2D, o: tf.Tensor2D, options: LossOptions) => ACTIVATIONS[options.output].derivative(z, o);
/** Targets as ±1 for the one-vs-all hinge losses. */
const signedTargets = (t: tf.Tensor2D) => tf.sub(tf.mul(t, 2), 1) as tf.Tensor2D;

/** Label smoothing: t' = (1 − ε)·t + ε/K. */
function smooth(t: tf.Tensor2D, epsilon: number): tf.Tensor2D {
  if (epsilon === 0) return t;
  const k = t.shape[1];
  return tf.add(tf.mul(t, 1 - epsilon), epsilon / k) as tf.Tensor2D;
}

export const LOSSES = {
  'cross-entropy': {
    summary: 'Categorical cross-entropy of softmax outputs, computed stably from logits.',
    formula: "E[n,k] = −t'ₖ · log softmax(z)ₖ, t' = (1−ε)t + ε/K",
    outputs: ['softmax'],
    instead: 'use outputActivation: softmax, or binary-cross-entropy for sigmoid outputs',
    defaultOutputs: 'sum',
    separableFromActivation: false,
    acceptsLabelSmoothing: true,
    // log softmax(z) = z − logsumexp(z), and logsumexp subtracts the row max first, so no exp overflows.
    terms: (z, t, o) => tf.neg(tf.mul(smooth(t, o.labelSmoothing), tf.logSoftmax(z))) as tf.Tensor2D,
    // ∂/∂zⱼ Σₖ −t'ₖ(zₖ − logsumexp z) = −t'ⱼ + softmax(z)ⱼ · Σₖ t'ₖ = softmax(z)ⱼ − t'ⱼ, since Σₖ t'ₖ = 1.
    gradZ: (z, t, o) => tf.sub(tf.softmax(z), smooth(t, o.labelSmoothing)) as tf.Tensor2D,
  },
  'binary-cross-entropy': {
    summary: 'One-vs-all binary cross-entropy of sigmoid outputs, computed stably from logits.',
    formula: 'E[n,k] = −tₖ log σ(zₖ) − (1−tₖ) log(1−σ(zₖ)) = max(zₖ,0) − zₖtₖ + log(1+e^−|zₖ|)',
    outputs: ['sigmoid'],
    instead: 'use outputActivation: sigmoid, or cross-entropy for softmax outputs',
    defaultOutputs: 'mean',
    separableFromActivation: false,
    // −t log σ(z) − (1−t) log(1−σ(z)) = log(1+eᶻ) − tz, and log(1+eᶻ) = max(z,0) + log(1+e^−|z|) never overflows.
    terms: (z, t) => tf.add(tf.sub(tf.relu(z), tf.mul(z, t)), tf.log1p(tf.exp(tf.neg(tf.abs(z))))) as tf.Tensor2D,
    // ∂/∂z (log(1+eᶻ) − tz) = σ(z) − t.
    gradZ: (z, t) => tf.sub(tf.sigmoid(z), t) as tf.Tensor2D,
  },
  mse: {
    summary: 'Squared error between outputs and one-hot targets.',
    formula: 'E[n,k] = (oₖ − tₖ)²',
    outputs: ['softmax', 'sigmoid', 'linear', 'tanh'],
    instead: '',
    defaultOutputs: 'mean',
    separableFromActivation: true,
    terms: (z, t, o) => tf.square(tf.sub(out(z, o), t)) as tf.Tensor2D,
    // ∂/∂z (f(z) − t)² = 2(o − t)·f'(z) for elementwise f; softmax couples the outputs, so it goes through
    // the full Jacobian (softmaxVjp).
    gradZ: (z, t, o) => {
      const a = out(z, o);
      if (o.output === 'softmax') return softmaxVjp(a, tf.mul(tf.sub(a, t), 2) as tf.Tensor2D);
      return tf.mul(tf.mul(tf.sub(a, t), 2), fPrime(z, a, o)) as tf.Tensor2D;
    },
    gradO: (a, t) => tf.mul(tf.sub(a, t), 2) as tf.Tensor2D,
  },
  mae: {
    summary: 'Absolute error between outputs and one-hot targets.',
    formula: 'E[n,k] = |oₖ − tₖ|',
    outputs: ['softmax', 'sigmoid', 'linear', 'tanh'],
    instead: '',
    defaultOutputs: 'mean',
    separableFromActivation: true,
    // |d| written as d·sign(d): tfjs's own abs gradient is −1 at d = 0 (where a linear output sits on a zero
    // target), while sign's gradient is 0, so autodiff of d·sign(d) gives sign(d) with sign(0) = 0 like gradZ.
    terms: (z, t, o) => {
      const d = tf.sub(out(z, o), t);
      return tf.mul(d, tf.sign(d)) as tf.Tensor2D;
    },
    // ∂/∂z |f(z) − t| = sign(o − t)·f'(z), taking sign(0) = 0 at the kink.
    gradZ: (z, t, o) => {
      const a = out(z, o);
      if (o.output === 'softmax') return softmaxVjp(a, tf.sign(tf.sub(a, t)) as tf.Tensor2D);
      return tf.mul(tf.sign(tf.sub(a, t)), fPrime(z, a, o)) as tf.Tensor2D;
    },
    gradO: (a, t) => tf.sign(tf.sub(a, t)) as tf.Tensor2D,
  },
  hinge: {
    summary: 'One-vs-all hinge on ±1 targets (Keras `hinge` with y = 2t − 1), not the Crammer–Singer form.',
    formula: 'E[n,k] = max(0, 1 − yₖoₖ), y = 2t − 1',
    outputs: ['linear', 'tanh'],
    instead: 'hinge scores outputs on a ±1 scale: use outputActivation: linear or tanh',
    defaultOutputs: 'mean',
    separableFromActivation: true,
    terms: (z, t, o) => tf.relu(tf.sub(1, tf.mul(signedTargets(t), out(z, o)))) as tf.Tensor2D,
    // ∂/∂o max(0, 1 − yo) = −y where 1 − yo > 0, else 0 (the kink takes 0, like tfjs's relu).
    gradZ: (z, t, o) => {
      const a = out(z, o);
      return tf.mul(hingeGradO(a, t), fPrime(z, a, o)) as tf.Tensor2D;
    },
    gradO: (a, t) => hingeGradO(a, t),
  },
  'squared-hinge': {
    summary: 'One-vs-all squared hinge on ±1 targets (Keras `squared_hinge`).',
    formula: 'E[n,k] = max(0, 1 − yₖoₖ)², y = 2t − 1',
    outputs: ['linear', 'tanh'],
    instead: 'squared-hinge scores outputs on a ±1 scale: use outputActivation: linear or tanh',
    defaultOutputs: 'mean',
    separableFromActivation: true,
    terms: (z, t, o) => tf.square(tf.relu(tf.sub(1, tf.mul(signedTargets(t), out(z, o))))) as tf.Tensor2D,
    // ∂/∂o max(0, 1 − yo)² = −2y·max(0, 1 − yo).
    gradZ: (z, t, o) => {
      const a = out(z, o);
      return tf.mul(squaredHingeGradO(a, t), fPrime(z, a, o)) as tf.Tensor2D;
    },
    gradO: (a, t) => squaredHingeGradO(a, t),
  },
} satisfies Record<string, LossDefinition>;

function hingeGradO(a: tf.Tensor2D, t: tf.Tensor2D): tf.Tensor2D {
  const y = signedTargets(t);
  const active = tf.cast(tf.greater(tf.sub(1, tf.mul(y, a)), 0), 'float32');
  return tf.neg(tf.mul(y, active)) as tf.Tensor2D;
}

function squaredHingeGradO(a: tf.Tensor2D, t: tf.Tensor2D): tf.Tensor2D {
  const y = signedTargets(t);
  return tf.mul(tf.mul(y, -2), tf.relu(tf.sub(1, tf.mul(y, a)))) as tf.Tensor2D;
}

/**
 * Vector–Jacobian product through softmax: for a = softmax(z) and an upstream g = ∂E/∂a,
 * ∂E/∂zⱼ = Σₖ gₖ · aₖ(δₖⱼ − aⱼ) = aⱼ · (gⱼ − Σₖ gₖaₖ).
 */
export function softmaxVjp(a: tf.Tensor2D, g: tf.Tensor2D): tf.Tensor2D {
  return tf.mul(a, tf.sub(g, tf.sum(tf.mul(g, a), -1, true))) as tf.Tensor2D;
}

export type LossName = keyof typeof LOSSES;
export const LOSS_NAMES = Object.keys(LOSSES) as [LossName, ...LossName[]];

/** The losses whose definition passes `test`, in registry order (for messages and the schema's descriptions). */
export function lossNamesWhere(test: (definition: LossDefinition) => boolean): LossName[] {
  return LOSS_NAMES.filter((name) => test(LOSSES[name]));
}

/** How the loss's gradient at the output pre-activation is computed (`loss.gradient`). */
export const GRADIENT_MODES = ['autodiff', 'closed-form', 'skip-activation-derivative'] as const;
export type GradientMode = (typeof GRADIENT_MODES)[number];

/** The reduction constant c in L = c · Σ E: scale / (N · (outputs = mean ? K : 1)). */
export function reductionConstant(batchSize: number, numOutputs: number, options: LossOptions): number {
  return options.scale / (batchSize * (options.outputs === 'mean' ? numOutputs : 1));
}

/** The loss value, autodiff-able: c · Σ E(z, t). Shape []. */
export function lossValue(name: LossName, z: tf.Tensor2D, t: tf.Tensor2D, options: LossOptions): tf.Scalar {
  const [n, k] = z.shape;
  // tidy: the [N,K] intermediates are freed even when called outside a gradient scope (evaluation).
  return tf.tidy(() => tf.mul(tf.sum(LOSSES[name].terms(z, t, options)), reductionConstant(n, k, options)) as tf.Scalar);
}

/**
 * The loss as a function of the output pre-activations z whose backward pass is chosen by `mode`:
 * - autodiff: tfjs differentiates the terms;
 * - closed-form: ∂L/∂z = c · gradZ(z, t), written by hand;
 * - skip-activation-derivative: ∂L/∂z = c · ∂E/∂o, backpropagating as if the output activation were the identity.
 */
export function lossWithGradient(name: LossName, mode: GradientMode, z: tf.Tensor2D, t: tf.Tensor2D, options: LossOptions): tf.Scalar {
  if (mode === 'autodiff') return lossValue(name, z, t, options);
  const definition: LossDefinition = LOSSES[name];
  const gradO = definition.gradO;
  if (mode === 'skip-activation-derivative' && !gradO) {
    // The config rejects this pair; this guards direct callers.
    throw new Error(`skip-activation-derivative needs ∂E/∂o, which loss "${name}" (computed from the logits) does not have`);
  }
  const [n, k] = z.shape;
  const c = reductionConstant(n, k, options);
  const withGrad = tf.customGrad(((logits: tf.Tensor, save: tf.GradSaveFunc) => {
    const zz = logits as tf.Tensor2D;
    save([zz]);
    return {
      value: lossValue(name, zz, t, options),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const zs = saved[0] as tf.Tensor2D;
        const perTerm =
          mode === 'closed-form' ? definition.gradZ(zs, t, options) : gradO!(ACTIVATIONS[options.output].apply(zs), t, options);
        return tf.mul(tf.mul(perTerm, c), dy);
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return withGrad(z) as tf.Scalar;
}
