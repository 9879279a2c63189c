// The sparsemax loss (Martins & Astudillo 2016, eq. 17), as a losslab loss module (ES module): the loss whose
// gradient at the logits is sparsemax(z) − t, as cross-entropy's is softmax(z) − t. Pair it with sparsemax.mjs.
import { sparsemaxSupport } from './sparsemax.mjs';

export const name = 'sparsemax-loss';
export const summary = 'Sparsemax loss (Martins & Astudillo 2016): gradient sparsemax(z) − t at the logits.';
export const formula = 'E[n,k] = −tₖzₖ + ½ sₖ(zₖ² − τ²) + ½tₖ², s = support of sparsemax(z)';
export const outputs = ['sparsemax'];
export const instead = 'the sparsemax loss is defined with sparsemax outputs: use outputActivation: { module: ./losses/sparsemax.mjs }';
export const defaultOutputs = 'sum';

/** L = −tᵀz + ½ Σ_{j∈S} (zⱼ² − τ²) + ½‖t‖², split over the outputs. */
export function terms(z, t, { tf }) {
  const { support, tau } = sparsemaxSupport(tf, z);
  const inSupport = tf.mul(0.5, tf.mul(support, tf.sub(tf.square(z), tf.square(tau))));
  return tf.add(tf.sub(inSupport, tf.mul(t, z)), tf.mul(0.5, tf.square(t)));
}

/** ∂L/∂zⱼ = −tⱼ + sⱼzⱼ − τ·|S|·sⱼ/|S| = sparsemax(z)ⱼ − tⱼ (the support does not move under a small step). */
export function gradZ(z, t, { tf, output }) {
  return tf.sub(output.apply(z), t);
}
