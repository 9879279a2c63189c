// Gradient statistics computed on the device: L2 norm, mean |g|, max |g| (and the saturated fraction).
import * as tf from '@tensorflow/tfjs';

/** Number of values tensorStats produces per tensor. */
export const STATS_PER_TENSOR = 3;

/** [‖g‖₂, mean |g|, max |g|] as a float32 tensor of shape [3]. The caller owns it. */
export function tensorStats(g: tf.Tensor): tf.Tensor1D {
  return tf.tidy(() => {
    const abs = tf.abs(g);
    return tf.stack([tf.sqrt(tf.sum(tf.square(g))), tf.mean(abs), tf.max(abs)]) as tf.Tensor1D;
  });
}
