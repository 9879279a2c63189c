// The wasm backend's BatchMatMul through OpenBLAS: cblas_sgemm on the wasm heap in place, transposes passed through.
//
// XNNPACK (the wasm kernel) repacks a weight matrix whenever its tensor id is new, which SGD makes every step, and
// takes only untransposed operands at full speed. sgemm reads tfjs's own memory with the transpose flags as given:
// no copy, no transpose kernel, no packed-weight cache to go stale.
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { OpenBlasAddon } from './openblas-addon';

interface BatchMatMulArgs {
  inputs: { a: tf.TensorInfo; b: tf.TensorInfo };
  backend: BackendWasm;
  attrs: { transposeA: boolean; transposeB: boolean };
}

/** The Emscripten module's view of the heap; replaced (and the old buffer detached) whenever the heap grows. */
interface EmscriptenHeap {
  HEAPU8: Uint8Array<ArrayBuffer>;
}

/** The wasm backend's own BatchMatMul while ours is registered (for the cases ours hands back, and to restore). */
let stockKernel: tf.KernelConfig | undefined;

/**
 * Maps the flat index of a matrix in a broadcast batch of shape `outer` to the flat index of the matrix it reads in
 * an operand whose batch shape is `dims` (right-aligned, with 1 where the operand broadcasts).
 */
function broadcastIndex(outer: number[], dims: number[]): (index: number) => number {
  const padded = [...Array<number>(outer.length - dims.length).fill(1), ...dims];
  return (index) => {
    let rest = index;
    let flat = 0;
    let stride = 1;
    for (let axis = outer.length - 1; axis >= 0; axis--) {
      const position = rest % outer[axis];
      rest = Math.floor(rest / outer[axis]);
      if (padded[axis] !== 1) flat += position * stride;
      stride *= padded[axis];
    }
    return flat;
  };
}

/**
 * op(a)·op(b) for a [..., m, k] (or [..., k, m] with transposeA) and b [..., k, n] (or [..., n, k]), as tfjs's
 * BatchMatMul: the leading (batch) dimensions broadcast, the result is [...broadcast batch, m, n]. Non-float32
 * inputs go to the stock kernel (which rejects them).
 */
function openBlasBatchMatMul(addon: OpenBlasAddon, stock: tf.KernelConfig, args: BatchMatMulArgs): tf.TensorInfo {
  const { inputs, backend, attrs } = args;
  const { a, b } = inputs;
  const { transposeA, transposeB } = attrs;
  if (a.dtype !== 'float32' || b.dtype !== 'float32') return stock.kernelFunc(args) as tf.TensorInfo;
  const aRank = a.shape.length;
  const bRank = b.shape.length;
  const m = transposeA ? a.shape[aRank - 1] : a.shape[aRank - 2];
  const k = transposeA ? a.shape[aRank - 2] : a.shape[aRank - 1];
  const kOfB = transposeB ? b.shape[bRank - 1] : b.shape[bRank - 2];
  const n = transposeB ? b.shape[bRank - 2] : b.shape[bRank - 1];
  if (k !== kOfB) {
    // tfjs's own wording, so a shape error reads the same on either path.
    throw new Error(
      `Error in matMul: inner shapes (${k}) and (${kOfB}) of Tensors with shapes ${a.shape.join()} and ${b.shape.join()} and transposeA=${transposeA} and transposeB=${transposeB} must match.`,
    );
  }
  const outerA = a.shape.slice(0, -2);
  const outerB = b.shape.slice(0, -2);
  const outer = tf.broadcast_util.assertAndGetBroadcastShape(outerA, outerB);
  const batch = tf.util.sizeFromShape(outer);
  const batchA = tf.util.sizeFromShape(outerA);
  const batchB = tf.util.sizeFromShape(outerB);
  // Allocate first: makeOutput may grow the heap, which detaches the buffer taken before it.
  const out = backend.makeOutput([...outer, m, n], 'float32');
  const heap = (backend.wasm as unknown as EmscriptenHeap).HEAPU8.buffer;
  const offsetOf = (t: tf.TensorInfo) => backend.dataIdMap.get(t.dataId).memoryOffset;
  const [aOffset, bOffset, outOffset] = [offsetOf(a), offsetOf(b), offsetOf(out)];
  // Equal batch sizes after broadcasting mean equal batch shapes (every dimension is the larger of the two), so
  // each operand either walks its matrices in step with the output or repeats its only one: one strided call.
  if ((batchA === 1 || batchA === batch) && (batchB === 1 || batchB === batch)) {
    const aStride = batchA === 1 ? 0 : m * k;
    const bStride = batchB === 1 ? 0 : k * n;
    addon.sgemm(heap, transposeA, transposeB, batch, m, n, k, aOffset, aStride, bOffset, bStride, outOffset);
    return out;
  }
  // Broadcast on several axes (e.g. [2, 1] against [1, 3]): one call per output matrix, each operand's matrix found
  // by its own batch index. (tfjs 4.22's wasm kernel gets this case wrong: it broadcasts only a batch of 1.)
  const aIndex = broadcastIndex(outer, outerA);
  const bIndex = broadcastIndex(outer, outerB);
  for (let i = 0; i < batch; i++) {
    const aAt = aOffset + 4 * aIndex(i) * m * k;
    const bAt = bOffset + 4 * bIndex(i) * k * n;
    addon.sgemm(heap, transposeA, transposeB, 1, m, n, k, aAt, 0, bAt, 0, outOffset + 4 * i * m * n);
  }
  return out;
}

/**
 * Replaces the wasm backend's BatchMatMul with the OpenBLAS one (idempotent). The stock kernel's setup and dispose
 * hooks are kept, so the fallback works even when the wasm backend initialises after this call.
 */
export function registerOpenBlasMatMul(addon: OpenBlasAddon): void {
  if (stockKernel) return;
  const stock = tf.getKernel(tf.BatchMatMul, 'wasm');
  if (!stock) throw new Error('the wasm backend has no BatchMatMul kernel to replace (is @tensorflow/tfjs-backend-wasm loaded?)');
  stockKernel = stock;
  // unregister first: registering over an existing kernel logs a warning.
  tf.unregisterKernel(tf.BatchMatMul, 'wasm');
  tf.registerKernel({
    ...stock,
    kernelFunc: (args) => openBlasBatchMatMul(addon, stock, args as unknown as BatchMatMulArgs),
  });
}

/** Puts the wasm backend's own BatchMatMul back (tests switch between the two paths in one process). */
export function unregisterOpenBlasMatMul(): void {
  if (!stockKernel) return;
  tf.unregisterKernel(tf.BatchMatMul, 'wasm');
  tf.registerKernel(stockKernel);
  stockKernel = undefined;
}

/** Whether BatchMatMul on wasm runs through OpenBLAS now. */
export function openBlasMatMulRegistered(): boolean {
  return stockKernel !== undefined;
}
