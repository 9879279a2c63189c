// The few wasm-backend calls losslab's own wasm kernels make: allocate an output, view a tensor's heap memory, and
// call another registered kernel (BatchMatMul, Transpose, Slice) on tensor infos without going through the engine.
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/** A float32 tensor as kernels see it: its data id, shape and dtype. */
export type Info = tf.TensorInfo;

/** The arguments tfjs passes a kernel function. */
export interface KernelArgs {
  inputs: tf.NamedTensorInfoMap;
  backend: object;
  attrs?: tf.NamedAttrMap;
}

/** The wasm backend behind a kernel call. */
export function wasmBackend(args: KernelArgs): BackendWasm {
  return args.backend as BackendWasm;
}

/**
 * A Float32Array view of `info`'s memory on the wasm heap. Allocating (makeOutput, another kernel) may grow the heap
 * and detach earlier views, so take views after the last allocation of a stretch of code.
 */
export function heapView(backend: BackendWasm, info: Info): Float32Array {
  return backend.typedArrayFromHeap(info) as Float32Array;
}

/** The same memory seen with another shape (a free reshape: the data id is shared, not copied). */
export function withShape(info: Info, shape: number[]): Info {
  return { dataId: info.dataId, shape, dtype: info.dtype };
}

/** Runs the kernel currently registered for `name` on the wasm backend (looked up per call, so a replacement is used). */
export function runWasmKernel(backend: BackendWasm, name: string, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap): Info {
  const kernel = tf.getKernel(name, 'wasm');
  if (!kernel) throw new Error(`the wasm backend has no ${name} kernel`);
  return kernel.kernelFunc({ inputs, backend, attrs }) as Info;
}

/** C = A·B through the registered BatchMatMul kernel (neither operand transposed: XNNPACK's path). A [m,k], B [k,n]. */
export function matMul(backend: BackendWasm, a: Info, b: Info): Info {
  return runWasmKernel(backend, tf.BatchMatMul, { a, b }, { transposeA: false, transposeB: false });
}

/** Frees a kernel's intermediate tensor. */
export function free(backend: BackendWasm, info: Info): void {
  backend.disposeData(info.dataId);
}
