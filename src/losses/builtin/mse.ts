// Built-in loss: squared error between the outputs and the one-hot targets.
import type { LossModule } from '../../modules/contract';

export const mse: LossModule = {
  summary: 'Squared error between outputs and one-hot targets.',
  formula: 'E[n,k] = (oₖ − tₖ)²',
  outputs: 'any',
  defaultOutputs: 'mean',
  terms: (z, t, { tf, output }) => tf.square(tf.sub(output.apply(z), t)),
  // ∂/∂z (f(z) − t)² = Jᵀ·2(o − t): 2(o − t)·f'(z) for elementwise f; softmax couples the outputs, so its
  // vector–Jacobian product applies the full Jacobian.
  gradZ: (z, t, { tf, output }) => {
    const o = output.apply(z);
    return output.vjp(z, o, tf.mul(tf.sub(o, t), 2));
  },
  gradO: (o, t, { tf }) => tf.mul(tf.sub(o, t), 2),
};
