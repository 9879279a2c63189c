// Gradient statistics reduced on the device to [Σg², Σ|g|, max|g|]; the host takes the root and the mean.
import * as tf from '@tensorflow/tfjs';

/**
 * [Σg², Σ|g|, max|g|] of g as three [1,1] tensors (the caller owns them). Six kernels: a recorded step runs this
 * for every kernel, bias and pre-activation gradient, so the square root and the division by the size are left
 * to the host (statsFromSums) rather than spent as more device kernels.
 */
export function gradientSums(g: tf.Tensor): tf.Tensor2D[] {
  return tf.tidy(() => {
    const row = tf.reshape(g, [1, -1]);
    const abs = tf.abs(row);
    return [tf.sum(tf.square(row), 1, true), tf.sum(abs, 1, true), tf.max(abs, 1, true)] as tf.Tensor2D[];
  });
}

/** { l2: ‖g‖₂, meanAbs: mean |g|, maxAbs: max |g| } from gradientSums' values and the tensor's size. */
export function statsFromSums(
  sumSquares: number,
  sumAbs: number,
  maxAbs: number,
  size: number,
): { l2: number; meanAbs: number; maxAbs: number } {
  return { l2: Math.sqrt(sumSquares), meanAbs: sumAbs / size, maxAbs };
}
