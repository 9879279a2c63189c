// Built-in loss: one-vs-all binary cross-entropy of sigmoid outputs, computed stably from the logits.
import type { LossModule } from '../../modules/contract';

export const binaryCrossEntropy: LossModule = {
  summary: 'One-vs-all binary cross-entropy of sigmoid outputs, computed stably from logits.',
  formula: 'E[n,k] = −tₖ log σ(zₖ) − (1−tₖ) log(1−σ(zₖ)) = max(zₖ,0) − zₖtₖ + log(1+e^−|zₖ|)',
  outputs: ['sigmoid'],
  instead: 'use outputActivation: sigmoid, or cross-entropy for softmax outputs',
  defaultOutputs: 'mean',
  // −t log σ(z) − (1−t) log(1−σ(z)) = log(1+eᶻ) − tz, and log(1+eᶻ) = max(z,0) + log(1+e^−|z|) never overflows.
  terms: (z, t, { tf }) => tf.add(tf.sub(tf.relu(z), tf.mul(z, t)), tf.log1p(tf.exp(tf.neg(tf.abs(z))))),
  // ∂/∂z (log(1+eᶻ) − tz) = σ(z) − t.
  gradZ: (z, t, { tf }) => tf.sub(tf.sigmoid(z), t),
};
