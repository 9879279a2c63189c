// Plain SGD's update w ← w + c·∇ (c = −η) as one kernel on wasm with the native addon, in place of tfjs's Multiply
// then Add: one pass instead of two and one kernel dispatch instead of two per variable, with the same two float32
// roundings (the product, then the sum), so the weights are the same bits.
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { OpenBlasAddon } from './openblas-addon';

/** Kernel name: inputs { value, gradient } (float32, one shape), attrs { c }; output value + c·gradient. */
export const SGD_UPDATE = 'LosslabSgdUpdate';

/** Registers the kernel for wasm (idempotent). */
export function registerSgdUpdateKernel(addon: Pick<OpenBlasAddon, 'sgdUpdate'>): void {
  if (tf.getKernel(SGD_UPDATE, 'wasm')) return;
  tf.registerKernel({
    kernelName: SGD_UPDATE,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { value, gradient } = inputs as { value: tf.TensorInfo; gradient: tf.TensorInfo };
      const wasm = backend as BackendWasm;
      // Allocate first: makeOutput may grow the heap, which detaches the buffer taken before it.
      const out = wasm.makeOutput(value.shape, 'float32');
      const offsetOf = (t: tf.TensorInfo) => wasm.dataIdMap.get(t.dataId).memoryOffset;
      const heap = (wasm.wasm as unknown as { HEAPU8: Uint8Array<ArrayBuffer> }).HEAPU8.buffer;
      addon.sgdUpdate(
        heap,
        offsetOf(out),
        offsetOf(value),
        offsetOf(gradient),
        tf.util.sizeFromShape(value.shape),
        (attrs as { c: number }).c,
      );
      return out;
    },
  });
}

/** Removes the kernel (tests compare with tfjs's own update). */
export function unregisterSgdUpdateKernel(): void {
  if (tf.getKernel(SGD_UPDATE, 'wasm')) tf.unregisterKernel(SGD_UPDATE, 'wasm');
}
