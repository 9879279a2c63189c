// Built-in loss: the one-vs-all squared hinge on ±1 targets (Keras's squared_hinge).
import type { LossContext, LossModule, Tensor, Tensor2D } from '../../modules/contract';
import { signedTargets } from './hinge';

/** ∂/∂o max(0, 1 − yo)² = −2y·max(0, 1 − yo). */
function squaredHingeGradO(o: Tensor2D, t: Tensor2D, { tf }: LossContext): Tensor {
  const y = signedTargets(tf, t);
  return tf.mul(tf.mul(y, -2), tf.relu(tf.sub(1, tf.mul(y, o))));
}

export const squaredHinge: LossModule = {
  summary: 'One-vs-all squared hinge on ±1 targets (Keras `squared_hinge`).',
  formula: 'E[n,k] = max(0, 1 − yₖoₖ)², y = 2t − 1',
  outputs: ['linear', 'tanh'],
  instead: 'squared-hinge scores outputs on a ±1 scale: use outputActivation: linear or tanh',
  defaultOutputs: 'mean',
  terms: (z, t, { tf, output }) => tf.square(tf.relu(tf.sub(1, tf.mul(signedTargets(tf, t), output.apply(z))))),
  gradZ: (z, t, context) => {
    const o = context.output.apply(z);
    return context.output.vjp(z, o, squaredHingeGradO(o, t, context));
  },
  gradO: squaredHingeGradO,
};
