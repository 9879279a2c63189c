// A BatchMatMul gradient that transposes explicitly, so the wasm backend's XNNPACK path serves the backward pass.
//
// tfjs-core's gradient computes dA = matMul(dy, B, false, true) and dB = matMul(A, dy, true, false). The wasm
// kernel hands a matMul to XNNPACK only when neither operand is transposed, else it runs a scalar loop ~8x
// slower. Writing the same products with tf.transpose first gives identical values on the fast path.
import * as tf from '@tensorflow/tfjs';

/** Swaps the last two axes (the matrix transpose of a possibly batched operand). */
function transposeLast2(x: tf.Tensor): tf.Tensor {
  const rank = x.rank;
  const perm = [...Array(rank).keys()];
  [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1], perm[rank - 2]];
  return tf.transpose(x, perm);
}

/** tfjs-core's own BatchMatMul gradient while ours is registered. */
let stockGrad: tf.GradConfig | undefined;

/**
 * Re-registers the BatchMatMul gradient. For C = op(A)·op(B), with T = transpose:
 *   (A, B):     dA = dy·Bᵀ,     dB = Aᵀ·dy
 *   (A, Bᵀ):    dA = dy·B,      dB = dyᵀ·A
 *   (Aᵀ, B):    dA = B·dyᵀ,     dB = A·dy
 *   (Aᵀ, Bᵀ):   dA = Bᵀ·dyᵀ,    dB = dyᵀ·Aᵀ
 * Called once, explicitly, when the wasm backend is chosen (never on import).
 */
export function registerTransposedMatMulGrad(): void {
  if (stockGrad) return;
  stockGrad = tf.getGradient(tf.BatchMatMul);
  tf.registerGradient({
    kernelName: tf.BatchMatMul,
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, saved, attrs) => {
      const [a, b] = saved;
      const { transposeA, transposeB } = attrs as unknown as { transposeA: boolean; transposeB: boolean };
      const g = dy as tf.Tensor;
      const T = transposeLast2;
      if (!transposeA && !transposeB) return { a: () => tf.matMul(g, T(b)), b: () => tf.matMul(T(a), g) };
      if (!transposeA && transposeB) return { a: () => tf.matMul(g, b), b: () => tf.matMul(T(g), a) };
      if (transposeA && !transposeB) return { a: () => tf.matMul(b, T(g)), b: () => tf.matMul(a, g) };
      return { a: () => tf.matMul(T(b), T(g)), b: () => tf.matMul(T(g), T(a)) };
    },
  });
}

/**
 * Puts tfjs-core's own gradient back: with the OpenBLAS matMul, sgemm takes the transpose flags itself, so the
 * explicit transposes would only add copies.
 */
export function restoreStockMatMulGrad(): void {
  if (!stockGrad) return;
  tf.registerGradient(stockGrad);
  stockGrad = undefined;
}
