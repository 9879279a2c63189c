// Built-in loss: categorical cross-entropy of softmax outputs, computed stably from the logits.
import type { LossModule, Tensor, Tensor2D, Tf } from '../../modules/contract';

/** Label smoothing: t' = (1 − ε)·t + ε/K. */
function smooth(tf: Tf, t: Tensor2D, epsilon: number): Tensor {
  if (epsilon === 0) return t;
  const k = t.shape[1];
  return tf.add(tf.mul(t, 1 - epsilon), epsilon / k);
}

export const crossEntropy: LossModule<{ labelSmoothing: number }> = {
  summary: 'Categorical cross-entropy of softmax outputs, computed stably from logits.',
  formula: "E[n,k] = −t'ₖ · log softmax(z)ₖ, t' = (1−ε)t + ε/K",
  outputs: ['softmax'],
  instead: 'use outputActivation: softmax, or binary-cross-entropy for sigmoid outputs',
  defaultOutputs: 'sum',
  options: {
    labelSmoothing: { type: 'number', default: 0, min: 0, exclusiveMax: 1, description: 'ε in t′ = (1−ε)t + ε/K' },
  },
  // log softmax(z) = z − logsumexp(z), and logsumexp subtracts the row max first, so no exp overflows.
  terms: (z, t, { tf, options }) => tf.neg(tf.mul(smooth(tf, t, options.labelSmoothing), tf.logSoftmax(z))),
  // ∂/∂zⱼ Σₖ −t'ₖ(zₖ − logsumexp z) = −t'ⱼ + softmax(z)ⱼ · Σₖ t'ₖ = softmax(z)ⱼ − t'ⱼ, since Σₖ t'ₖ = 1.
  gradZ: (z, t, { tf, options }) => tf.sub(tf.softmax(z), smooth(tf, t, options.labelSmoothing)),
};
