// Built-in loss: the one-vs-all hinge on ±1 targets (Keras's hinge).
import type { LossContext, LossModule, Tensor, Tensor2D, Tf } from '../../modules/contract';

/** Targets as ±1 for the one-vs-all hinge losses. */
export const signedTargets = (tf: Tf, t: Tensor2D) => tf.sub(tf.mul(t, 2), 1);

/** ∂/∂o max(0, 1 − yo) = −y where 1 − yo > 0, else 0 (the kink takes 0, like tfjs's relu). */
function hingeGradO(o: Tensor2D, t: Tensor2D, { tf }: LossContext): Tensor {
  const y = signedTargets(tf, t);
  const active = tf.cast(tf.greater(tf.sub(1, tf.mul(y, o)), 0), 'float32');
  return tf.neg(tf.mul(y, active));
}

export const hinge: LossModule = {
  summary: 'One-vs-all hinge on ±1 targets (Keras `hinge` with y = 2t − 1), not the Crammer–Singer form.',
  formula: 'E[n,k] = max(0, 1 − yₖoₖ), y = 2t − 1',
  outputs: ['linear', 'tanh'],
  instead: 'hinge scores outputs on a ±1 scale: use outputActivation: linear or tanh',
  defaultOutputs: 'mean',
  terms: (z, t, { tf, output }) => tf.relu(tf.sub(1, tf.mul(signedTargets(tf, t), output.apply(z)))),
  gradZ: (z, t, context) => {
    const o = context.output.apply(z);
    return context.output.vjp(z, o, hingeGradO(o, t, context));
  },
  gradO: hingeGradO,
};
