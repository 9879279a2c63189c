// Gradient statistics reduced on the device to [Σg², Σ|g|, max|g|]; the host takes the root and the mean.
import * as tf from '@tensorflow/tfjs';
import { GRADIENT_SUMS } from '../backend/gradient-sums';

/**
 * [Σg², Σ|g|, max|g|] of each of `gradients`, as one [1, 3·n] row [Σg²₀, Σ|g|₀, max|g|₀, Σg²₁, …] (the caller owns
 * it). One kernel where the backend has LosslabGradientSums (wasm, cpu: one pass over each gradient, float64
 * sums); else five tfjs ops per gradient and a concat. Square roots and divisions by the size are left to the host
 * (statsFromSums): a recorded step runs this for every kernel, bias and pre-activation gradient.
 */
export function gradientSums(gradients: readonly tf.Tensor[]): tf.Tensor2D {
  if (tf.getKernel(GRADIENT_SUMS, tf.getBackend())) {
    const inputs: tf.NamedTensorMap = Object.fromEntries(gradients.map((g, index) => [String(index), g]));
    return tf.engine().runKernel<tf.Tensor2D>(GRADIENT_SUMS, inputs);
  }
  return tf.tidy(() =>
    tf.concat(
      gradients.flatMap((g) => {
        const row = tf.reshape(g, [1, -1]);
        const abs = tf.abs(row);
        return [tf.sum(tf.square(row), 1, true), tf.sum(abs, 1, true), tf.max(abs, 1, true)];
      }),
      1,
    ),
  ) as tf.Tensor2D;
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
