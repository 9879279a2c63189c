// Built-in loss: absolute error between the outputs and the one-hot targets.
import type { LossModule } from '../../modules/contract';

export const mae: LossModule = {
  summary: 'Absolute error between outputs and one-hot targets.',
  formula: 'E[n,k] = |oₖ − tₖ|',
  outputs: 'any',
  defaultOutputs: 'mean',
  // |d| written as d·sign(d): tfjs's own abs gradient is −1 at d = 0 (where a linear output sits on a zero
  // target), while sign's gradient is 0, so autodiff of d·sign(d) gives sign(d) with sign(0) = 0 like gradZ.
  terms: (z, t, { tf, output }) => {
    const d = tf.sub(output.apply(z), t);
    return tf.mul(d, tf.sign(d));
  },
  // ∂/∂z |f(z) − t| = Jᵀ·sign(o − t), taking sign(0) = 0 at the kink.
  gradZ: (z, t, { tf, output }) => {
    const o = output.apply(z);
    return output.vjp(z, o, tf.sign(tf.sub(o, t)));
  },
  gradO: (o, t, { tf }) => tf.sign(tf.sub(o, t)),
};
