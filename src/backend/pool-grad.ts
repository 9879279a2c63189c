// Pooling gradients that tfjs 4.22 gets wrong: max pooling's on wasm, average pooling's with `same` padding everywhere.
//
// MaxPoolGrad (wasm): the stock kernel starts each window's running maximum at numeric_limits<float>::min(), the
// smallest *positive* float, so a window whose maximum is zero or negative sends its gradient to the wrong place
// (position 0). The kernel below follows the cpu backend: ∂L/∂x[p] = Σ over windows whose first maximum (in row-major
// window order, in-bounds pixels only) is p of dy[window].
//
// AvgPool (every backend): the forward pass divides each window's sum by the number of its in-bounds pixels (with
// `same` padding a border window has fewer), but the stock gradient divides by the full window size. With
// count[oh, ow] the in-bounds pixels of window (oh, ow), y = Σ_window x / count, so
//   ∂L/∂x[p] = Σ over windows containing p of dy[window] / count[window].
// The stock AvgPoolGrad kernel computes Σ dy'[window] / (poolHeight·poolWidth); feeding it
// dy' = dy · poolHeight·poolWidth / count gives exactly the sum above.
import * as tf from '@tensorflow/tfjs';
import { heapView, wasmBackend, type Info, type KernelArgs } from './wasm-heap';

interface PoolAttrs {
  filterSize: [number, number] | number;
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

const poolInfo = (xShape: number[], attrs: PoolAttrs) =>
  tf.backend_util.computePool2DInfo(
    xShape as [number, number, number, number],
    attrs.filterSize,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );

/** ∂L/∂x of max pooling: each window's dy goes to its first maximum. Inputs dy, input (x); attrs as MaxPoolGrad. */
function maxPoolGrad(args: KernelArgs): Info {
  const backend = wasmBackend(args);
  const { dy, input } = args.inputs as { dy: Info; input: Info };
  const info = poolInfo(input.shape, args.attrs as unknown as PoolAttrs);
  const { batchSize: N, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = info;
  const dx = backend.makeOutput([...input.shape], 'float32');
  const out = heapView(backend, dx);
  const x = heapView(backend, input);
  const g = heapView(backend, dy);
  out.fill(0);
  let o = 0;
  for (let n = 0; n < N; n++) {
    for (let oh = 0; oh < OH; oh++) {
      const top = oh * info.strideHeight - info.padInfo.top;
      const h0 = Math.max(0, top);
      const h1 = Math.min(H, top + info.filterHeight);
      for (let ow = 0; ow < OW; ow++) {
        const left = ow * info.strideWidth - info.padInfo.left;
        const w0 = Math.max(0, left);
        const w1 = Math.min(W, left + info.filterWidth);
        for (let c = 0; c < C; c++, o++) {
          let best = -Infinity;
          let at = -1;
          for (let h = h0; h < h1; h++) {
            for (let p = ((n * H + h) * W + w0) * C + c, w = w0; w < w1; w++, p += C) {
              if (x[p] > best) {
                best = x[p];
                at = p;
              }
            }
          }
          if (at >= 0) out[at] += g[o];
        }
      }
    }
  }
  return dx;
}

/**
 * In-bounds pixels of every window, as [1, OH, OW, 1]; undefined when every window is whole (valid padding, or
 * same padding that needs none), where the stock gradient is already right.
 */
export function windowCounts(xShape: number[], attrs: PoolAttrs): tf.Tensor4D | undefined {
  const info = poolInfo(xShape, attrs);
  const counts = new Float32Array(info.outHeight * info.outWidth);
  let partial = false;
  for (let oh = 0; oh < info.outHeight; oh++) {
    const top = oh * info.strideHeight - info.padInfo.top;
    const rows = Math.min(info.inHeight, top + info.filterHeight) - Math.max(0, top);
    for (let ow = 0; ow < info.outWidth; ow++) {
      const left = ow * info.strideWidth - info.padInfo.left;
      const columns = Math.min(info.inWidth, left + info.filterWidth) - Math.max(0, left);
      counts[oh * info.outWidth + ow] = rows * columns;
      if (rows * columns !== info.filterHeight * info.filterWidth) partial = true;
    }
  }
  return partial ? tf.tensor4d(counts, [1, info.outHeight, info.outWidth, 1]) : undefined;
}

let maxPoolRegistered = false;
let avgPoolRegistered = false;

/** Replaces the wasm backend's MaxPoolGrad kernel. Called once, explicitly, when the wasm backend is chosen. */
export function registerWasmMaxPoolGrad(): void {
  if (maxPoolRegistered) return;
  maxPoolRegistered = true;
  if (tf.getKernel(tf.MaxPoolGrad, 'wasm')) tf.unregisterKernel(tf.MaxPoolGrad, 'wasm');
  tf.registerKernel({ kernelName: tf.MaxPoolGrad, backendName: 'wasm', kernelFunc: maxPoolGrad });
}

/** Re-registers the AvgPool gradient (every backend) to divide by each window's in-bounds count. */
export function registerAvgPoolGrad(): void {
  if (avgPoolRegistered) return;
  avgPoolRegistered = true;
  tf.registerGradient({
    kernelName: tf.AvgPool,
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      const [x] = saved;
      const poolAttrs = attrs as unknown as PoolAttrs;
      return {
        x: () => {
          const counts = windowCounts(x.shape, poolAttrs);
          const info = poolInfo(x.shape, poolAttrs);
          const scaled = counts ? tf.div(tf.mul(dy as tf.Tensor, info.filterHeight * info.filterWidth), counts) : (dy as tf.Tensor);
          return tf.engine().runKernel(tf.AvgPoolGrad, { dy: scaled, input: x }, { ...poolAttrs }) as tf.Tensor;
        },
      };
    },
  });
}
