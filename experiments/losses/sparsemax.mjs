// Sparsemax (Martins & Astudillo 2016, "From Softmax to Sparsemax"), as a losslab output-activation module (ES
// module): the Euclidean projection of the logits onto the probability simplex. Unlike softmax it gives exact zeros.

export const name = 'sparsemax';
export const summary = 'Sparsemax (Martins & Astudillo 2016): the projection of z onto the simplex, with exact zeros.';
export const elementwise = false;

/**
 * The support of sparsemax(z) and its threshold τ, [N,K] and [N,1], without sorting. For each k, let Sₖ be the
 * entries at least as large as zₖ, with count cₖ and sum sₖ; k is in the support iff 1 + cₖ zₖ > sₖ (eq. 2 of the
 * paper, where the sort becomes comparisons), and τ = (Σ_{support} z − 1) / |support|. The mask has zero gradient
 * (comparisons and a step), so autodiff of z − τ gives the paper's Jacobian diag(s) − s sᵀ/|S|.
 */
export function sparsemaxSupport(tf, z) {
  // atLeast[n,k,j] = 1 where z[n,j] ≥ z[n,k].
  const atLeast = tf.cast(tf.greaterEqual(tf.expandDims(z, 1), tf.expandDims(z, 2)), 'float32');
  const count = tf.sum(atLeast, 2);
  const sum = tf.sum(tf.mul(atLeast, tf.expandDims(z, 1)), 2);
  const support = tf.step(tf.sub(tf.add(1, tf.mul(count, z)), sum));
  const tau = tf.div(tf.sub(tf.sum(tf.mul(support, z), 1, true), 1), tf.sum(support, 1, true));
  return { support, tau };
}

export function apply(z, { tf }) {
  const { tau } = sparsemaxSupport(tf, z);
  return tf.relu(tf.sub(z, tau));
}

/** Jᵀg = s ⊙ (g − mean of g over the support), with s = [a > 0]. */
export function vjp(z, a, g, { tf }) {
  const s = tf.cast(tf.greater(a, 0), 'float32');
  const mean = tf.div(tf.sum(tf.mul(g, s), 1, true), tf.sum(s, 1, true));
  return tf.mul(s, tf.sub(g, mean));
}

/** The Jacobian's diagonal sₖ(1 − 1/|S|): zero outside the support, and for a lone winner. */
export function derivative(z, a, { tf }) {
  const s = tf.cast(tf.greater(a, 0), 'float32');
  return tf.mul(s, tf.sub(1, tf.div(1, tf.sum(s, 1, true))));
}

/** Saturated: the diagonal below 1% (outside the support, where no gradient passes). */
export const saturatedBelow = 0.01;

/** Where every output is positive, sparsemax(o) = o (τ = 0), so o is its own logits. */
export function inverse(o) {
  return o.clone();
}
