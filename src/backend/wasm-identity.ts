// Identity (and a Cast to the same dtype) on wasm without a copy: the output shares the input's heap memory.
//
// tfjs clones every tensor it saves for the backward pass (engine.saveTensorsForBackwardMode), and customGrad
// outputs must be clones; the wasm kernel copies each one (a 784×128 kernel is 400 KB a step). tfjs's cpu backend
// shares the data and counts references instead; the wasm backend counts references too (Reshape shares this way),
// and no tfjs kernel writes into its inputs, so sharing is safe here as well.
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/** The wasm backend's own kernels while ours are registered. */
let stock: { identity: tf.KernelConfig; cast: tf.KernelConfig } | undefined;

function share(backend: BackendWasm, x: tf.TensorInfo): tf.TensorInfo {
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

/** Replaces wasm's Identity, and Cast where the dtype does not change, with reference-counted sharing (idempotent). */
export function registerSharingIdentity(): void {
  if (stock) return;
  const identity = tf.getKernel(tf.Identity, 'wasm');
  const cast = tf.getKernel(tf.Cast, 'wasm');
  if (!identity || !cast)
    throw new Error('the wasm backend has no Identity or Cast kernel to replace (is @tensorflow/tfjs-backend-wasm loaded?)');
  stock = { identity, cast };
  tf.unregisterKernel(tf.Identity, 'wasm');
  tf.unregisterKernel(tf.Cast, 'wasm');
  tf.registerKernel({
    ...identity,
    kernelFunc: (args) => {
      const { x } = args.inputs as { x: tf.TensorInfo };
      return x.dtype === 'string' ? identity.kernelFunc(args) : share(args.backend as BackendWasm, x);
    },
  });
  tf.registerKernel({
    ...cast,
    kernelFunc: (args) => {
      const { x } = args.inputs as { x: tf.TensorInfo };
      const { dtype } = args.attrs as { dtype: tf.DataType };
      return dtype === x.dtype && dtype !== 'string' ? share(args.backend as BackendWasm, x) : cast.kernelFunc(args);
    },
  });
}

/** Puts wasm's copying Identity and Cast back (tests compare the two). */
export function unregisterSharingIdentity(): void {
  if (!stock) return;
  tf.unregisterKernel(tf.Identity, 'wasm');
  tf.unregisterKernel(tf.Cast, 'wasm');
  tf.registerKernel(stock.identity);
  tf.registerKernel(stock.cast);
  stock = undefined;
}
