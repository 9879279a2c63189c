// Focal loss (Lin et al. 2017, "Focal Loss for Dense Object Detection", eq. 4) on softmax outputs, as a losslab
// loss module (ES module). E[n,k] = −tₖ (1 − pₖ)^γ log pₖ with p = softmax(z): γ = 0 is cross-entropy, and γ > 0
// scales down the loss of examples the net already gets right (pₜ near 1).

export const name = 'focal';
export const summary = 'Focal loss (Lin et al. 2017) on softmax outputs: cross-entropy scaled by (1 − p_true)^γ.';
export const formula = 'E[n,k] = −tₖ (1 − pₖ)^γ log pₖ, p = softmax(z)';
export const outputs = ['softmax'];
export const instead = 'focal loss weighs softmax probabilities: use outputActivation: softmax';
export const defaultOutputs = 'sum';
export const options = {
  gamma: { type: 'number', default: 2, min: 0, description: 'focusing parameter γ (0: cross-entropy)' },
};

/**
 * p = softmax(z), log p, the true class's probability p_y and its complement 1 − p_y, each [N,1]. For one-hot t,
 * 1 − p_y is summed over the wrong classes, Σⱼ (1 − tⱼ) pⱼ: written as 1 − p_y it would round to 0 in float32
 * once p_y rounds to 1 (logits ±30), and (1 − p_y)^γ would have no usable gradient there.
 */
function parts(tf, z, t) {
  const logP = tf.logSoftmax(z);
  const p = tf.exp(logP);
  const pTrue = tf.sum(tf.mul(t, p), 1, true);
  const complement = tf.sum(tf.mul(tf.sub(1, t), p), 1, true);
  return { logP, p, pTrue, complement };
}

export function terms(z, t, { tf, options }) {
  const { logP, complement } = parts(tf, z, t);
  return tf.neg(tf.mul(tf.mul(t, tf.pow(complement, options.gamma)), logP));
}

/**
 * With y the true class, q = 1 − p_y and E = −q^γ log p_y: dE/dp_y = γ q^(γ−1) log p_y − q^γ / p_y and
 * ∂p_y/∂zⱼ = p_y (δⱼy − pⱼ), so ∂E/∂zⱼ = (tⱼ − pⱼ) · (γ p_y q^(γ−1) log p_y − q^γ). γ = 0 gives pⱼ − tⱼ.
 */
export function gradZ(z, t, { tf, options }) {
  const { gamma } = options;
  const { logP, p, pTrue, complement } = parts(tf, z, t);
  const logPTrue = tf.sum(tf.mul(t, logP), 1, true);
  const focusing = gamma === 0 ? tf.zerosLike(pTrue) : tf.mul(tf.mul(tf.mul(pTrue, tf.pow(complement, gamma - 1)), logPTrue), gamma);
  return tf.mul(tf.sub(t, p), tf.sub(focusing, tf.pow(complement, gamma)));
}
