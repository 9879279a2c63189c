// The recorder's statistics as one kernel: [Σg², Σ|g|, max|g|] of several gradients in a single pass over each, on
// backends whose tensors JS can read in place (wasm: the heap; cpu: the stored arrays). Other backends compose it
// from tfjs ops (src/hooks/stats.ts).
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { OpenBlasAddon } from './openblas-addon';

/** Kernel name, for tf.engine().runKernel and tf.getKernel. */
export const GRADIENT_SUMS = 'LosslabGradientSums';

/** The two backends' views of a tensor's float32 values (no copy) and of a fresh [1, n] output. */
interface MemoryAccess {
  values(backend: unknown, tensor: tf.TensorInfo): Float32Array;
  output(backend: unknown, values: Float32Array): tf.TensorInfo;
}

const ACCESS: Record<'wasm' | 'cpu', MemoryAccess> = {
  wasm: {
    values: (backend, tensor) => (backend as BackendWasm).typedArrayFromHeap(tensor) as Float32Array,
    output: (backend, values) => {
      const wasm = backend as BackendWasm;
      const out = wasm.makeOutput([1, values.length], 'float32');
      (wasm.typedArrayFromHeap(out) as Float32Array).set(values);
      return out;
    },
  },
  cpu: {
    values: (backend, tensor) => (backend as { readSync(dataId: object): Float32Array }).readSync(tensor.dataId),
    output: (backend, values) =>
      (backend as { makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): tf.TensorInfo }).makeTensorInfo(
        [1, values.length],
        'float32',
        values,
      ),
  },
};

/**
 * Σv², Σ|v| and max|v| of `values`, written to out[at..at+2] as float32. Sums run in float64 in a fixed order: four
 * lanes, element i into lane i mod 4 (independent additions: the loop does not wait on one chain), the remainder
 * into lane 0, then (l0 + l1) + (l2 + l3). The native addon's sums() follows the same order, so both give the same
 * bits. A NaN anywhere makes all three NaN, as the composed ops would.
 */
export function sumsInto(values: Float32Array, out: Float32Array, at: number): void {
  // Plain locals, unrolled: V8 keeps twelve of them in registers (eight lanes spill and run ~1.5× slower).
  let q0 = 0;
  let q1 = 0;
  let q2 = 0;
  let q3 = 0;
  let a0 = 0;
  let a1 = 0;
  let a2 = 0;
  let a3 = 0;
  let m0 = 0;
  let m1 = 0;
  let m2 = 0;
  let m3 = 0;
  const whole = values.length - (values.length % 4);
  for (let i = 0; i < whole; i += 4) {
    const v0 = values[i];
    const v1 = values[i + 1];
    const v2 = values[i + 2];
    const v3 = values[i + 3];
    const b0 = Math.abs(v0);
    const b1 = Math.abs(v1);
    const b2 = Math.abs(v2);
    const b3 = Math.abs(v3);
    q0 += v0 * v0;
    q1 += v1 * v1;
    q2 += v2 * v2;
    q3 += v3 * v3;
    a0 += b0;
    a1 += b1;
    a2 += b2;
    a3 += b3;
    if (b0 > m0) m0 = b0;
    if (b1 > m1) m1 = b1;
    if (b2 > m2) m2 = b2;
    if (b3 > m3) m3 = b3;
  }
  for (let i = whole; i < values.length; i++) {
    const magnitude = Math.abs(values[i]);
    q0 += values[i] * values[i];
    a0 += magnitude;
    if (magnitude > m0) m0 = magnitude;
  }
  const sumAbs = a0 + a1 + (a2 + a3);
  out[at] = q0 + q1 + (q2 + q3);
  out[at + 1] = sumAbs;
  out[at + 2] = Number.isNaN(sumAbs) ? NaN : Math.max(m0, m1, m2, m3);
}

/**
 * Registers the kernel for `backendName` (idempotent). Inputs: any number of float32 tensors, keyed 0, 1, …;
 * output: a [1, 3·n] float32 row [Σg²₀, Σ|g|₀, max|g|₀, Σg²₁, …].
 */
export function registerGradientSumsKernel(backendName: 'wasm' | 'cpu', addon?: Pick<OpenBlasAddon, 'sums'>): void {
  if (tf.getKernel(GRADIENT_SUMS, backendName)) return;
  const access = ACCESS[backendName];
  // With the native addon (wasm only) the same sums run in C++ on the heap in place.
  const native = backendName === 'wasm' ? addon : undefined;
  tf.registerKernel({
    kernelName: GRADIENT_SUMS,
    backendName,
    kernelFunc: ({ inputs, backend }) => {
      const tensors = Object.values(inputs) as tf.TensorInfo[];
      const out = new Float32Array(3 * tensors.length);
      tensors.forEach((tensor, index) => {
        if (!native) return sumsInto(access.values(backend, tensor), out, 3 * index);
        const wasm = backend as BackendWasm;
        const heap = (wasm.wasm as unknown as { HEAPU8: Uint8Array<ArrayBuffer> }).HEAPU8.buffer;
        native.sums(heap, wasm.dataIdMap.get(tensor.dataId).memoryOffset, tf.util.sizeFromShape(tensor.shape), out, 3 * index);
      });
      return access.output(backend, out);
    },
  });
}
