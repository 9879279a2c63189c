// Log-cosh loss on one-hot targets (Keras's log_cosh), as a losslab loss module in TypeScript: ≈ ½(o − t)² for small
// errors and ≈ |o − t| − log 2 for large ones. Loaded with TypeScript's transpiler; the contract types are erased.
import type { LossModule } from '../../src/modules/contract';

const logCosh: LossModule = {
  name: 'log-cosh',
  summary: 'log cosh(o − t) on one-hot targets: quadratic near 0, linear far out (Keras log_cosh).',
  formula: 'E[n,k] = log cosh(oₖ − tₖ)',
  outputs: 'any',
  defaultOutputs: 'mean',
  // log cosh(x) = |x| + log(1 + e^(−2|x|)) − log 2, which never overflows.
  terms: (z, t, { tf, output }) => {
    const x = tf.abs(tf.sub(output.apply(z), t));
    return tf.sub(tf.add(x, tf.log1p(tf.exp(tf.mul(x, -2)))), Math.log(2));
  },
  // d/do log cosh(o − t) = tanh(o − t).
  gradO: (o, t, { tf }) => tf.tanh(tf.sub(o, t)),
  gradZ: (z, t, { tf, output }) => {
    const o = output.apply(z);
    return output.vjp(z, o, tf.tanh(tf.sub(o, t)));
  },
};

export default logCosh;
