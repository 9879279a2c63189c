// Convolution gradients for the wasm backend as im2col + a matMul that XNNPACK serves (through the registered
// BatchMatMul kernel). tfjs 4.22's wasm backend has no Conv2DBackpropFilter at all (tensorflow/tfjs#8474), and its
// Conv2DBackpropInput is a scalar loop about 3x slower than the matMul form below.
//
// Notation (channels last, dilation 1): x [N, H, W, C], filter [KH, KW, C, F], dy = ∂L/∂y [N, OH, OW, F], with
//   y[n, oh, ow, f] = Σ_{kh, kw, c} x[n, oh·SH + kh − top, ow·SW + kw − left, c] · filter[kh, kw, c, f]
// (x is zero outside its bounds; `top` and `left` are the padding tfjs computes for valid or same). Let the patch
// matrix P [M, K], M = N·OH·OW, K = KH·KW·C, hold P[(n, oh, ow), (kh, kw, c)] = x[n, oh·SH + kh − top, ow·SW + kw − left, c].
// Then y = P · filter_[K, F], where filter_ is the filter's own memory read as [K, F], so
//   ∂L/∂filter_ = Pᵀ · dy_[M, F]          (the filter gradient: im2col written transposed, then one matMul), and
//   ∂L/∂P = dy_ · filter_ᵀ [M, K],         scattered back onto x (col2im: each patch entry adds to the pixel it read).
// Both matMuls have untransposed operands, the form XNNPACK runs. Work is split into chunks of examples so the
// patch matrix stays below PATCH_BUDGET values whatever the batch.
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { free, heapView, matMul, runWasmKernel, wasmBackend, withShape, type Info, type KernelArgs } from './wasm-heap';

/** Largest patch matrix (values) one chunk of examples may build: 4M float32 = 16 MB. */
const PATCH_BUDGET = 4 * 1024 * 1024;

/** The geometry of one convolution, from tfjs's own computeConv2DInfo. */
interface Geometry {
  batch: number;
  inHeight: number;
  inWidth: number;
  inChannels: number;
  outHeight: number;
  outWidth: number;
  filters: number;
  kernelHeight: number;
  kernelWidth: number;
  strideHeight: number;
  strideWidth: number;
  top: number;
  left: number;
}

function geometry(xShape: number[], filterShape: number[], attrs: tf.NamedAttrMap): Geometry {
  const { strides, pad, dataFormat, dimRoundingMode } = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  if (dataFormat !== undefined && dataFormat !== 'NHWC')
    throw new Error(`losslab's wasm convolution gradients need NHWC, received ${dataFormat}`);
  const info = tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    strides,
    1,
    pad,
    dimRoundingMode,
  );
  return {
    batch: info.batchSize,
    inHeight: info.inHeight,
    inWidth: info.inWidth,
    inChannels: info.inChannels,
    outHeight: info.outHeight,
    outWidth: info.outWidth,
    filters: info.outChannels,
    kernelHeight: info.filterHeight,
    kernelWidth: info.filterWidth,
    strideHeight: info.strideHeight,
    strideWidth: info.strideWidth,
    top: info.padInfo.top,
    left: info.padInfo.left,
  };
}

/** Examples per chunk: as many as keep the patch matrix within PATCH_BUDGET (at least one). */
function examplesPerChunk(g: Geometry): number {
  const perExample = g.outHeight * g.outWidth * g.kernelHeight * g.kernelWidth * g.inChannels;
  return Math.max(1, Math.min(g.batch, Math.floor(PATCH_BUDGET / perExample)));
}

/** The output columns [lo, hi) whose input column ow·SW + kw − left lies inside [0, W). */
function validColumns(g: Geometry, kw: number): [number, number] {
  const lo = Math.max(0, Math.ceil((g.left - kw) / g.strideWidth));
  const hi = Math.min(g.outWidth, Math.floor((g.inWidth - 1 + g.left - kw) / g.strideWidth) + 1);
  return [lo, Math.max(lo, hi)];
}

/** Writes Pᵀ [K, M] for examples [n0, n1) of x (M = (n1 − n0)·OH·OW), zeros where a patch leaves the input. */
export function patchesTransposed(x: Float32Array, g: Geometry, n0: number, n1: number, out: Float32Array): void {
  const { inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW, strideHeight: SH, strideWidth: SW } = g;
  const columns = (n1 - n0) * OH * OW;
  for (let kh = 0; kh < g.kernelHeight; kh++) {
    for (let kw = 0; kw < g.kernelWidth; kw++) {
      const [lo, hi] = validColumns(g, kw);
      for (let c = 0; c < C; c++) {
        let o = ((kh * g.kernelWidth + kw) * C + c) * columns;
        for (let n = n0; n < n1; n++) {
          for (let oh = 0; oh < OH; oh++, o += OW) {
            const ih = oh * SH + kh - g.top;
            if (ih < 0 || ih >= H) {
              out.fill(0, o, o + OW);
              continue;
            }
            if (lo > 0) out.fill(0, o, o + lo);
            let p = ((n * H + ih) * W + lo * SW + kw - g.left) * C + c;
            const step = SW * C;
            for (let ow = lo; ow < hi; ow++, p += step) out[o + ow] = x[p];
            if (hi < OW) out.fill(0, o + hi, o + OW);
          }
        }
      }
    }
  }
}

/** Adds ∂L/∂P [M, K] of examples [n0, n1) onto dx [N, H, W, C] (col2im). */
export function addPatchGradients(patchGrad: Float32Array, g: Geometry, n0: number, n1: number, dx: Float32Array): void {
  const { inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW, strideHeight: SH, strideWidth: SW } = g;
  const K = g.kernelHeight * g.kernelWidth * C;
  let row = 0;
  for (let n = n0; n < n1; n++) {
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++, row += K) {
        for (let kh = 0; kh < g.kernelHeight; kh++) {
          const ih = oh * SH + kh - g.top;
          if (ih < 0 || ih >= H) continue;
          for (let kw = 0; kw < g.kernelWidth; kw++) {
            const iw = ow * SW + kw - g.left;
            if (iw < 0 || iw >= W) continue;
            let p = ((n * H + ih) * W + iw) * C;
            let q = row + (kh * g.kernelWidth + kw) * C;
            for (let c = 0; c < C; c++) dx[p++] += patchGrad[q++];
          }
        }
      }
    }
  }
}

/** Rows [m0, m0 + rows) of a [M, F] matrix, copied (the whole matrix when it is one chunk). */
function rowsOf(backend: BackendWasm, matrix: Info, m0: number, rows: number): Info {
  const [total, width] = matrix.shape;
  if (m0 === 0 && rows === total) return matrix;
  return runWasmKernel(backend, tf.Slice, { x: matrix }, { begin: [m0, 0], size: [rows, width] });
}

/** ∂L/∂filter = Pᵀ · dy, summed over chunks of examples. Inputs x, dy; attrs as tfjs's Conv2DBackpropFilter. */
function conv2DBackpropFilter(args: KernelArgs): Info {
  const backend = wasmBackend(args);
  const { x, dy } = args.inputs as { x: Info; dy: Info };
  const filterShape = (args.attrs as unknown as tf.Conv2DBackpropFilterAttrs).filterShape;
  const g = geometry(x.shape, filterShape, args.attrs!);
  const K = g.kernelHeight * g.kernelWidth * g.inChannels;
  const pixels = g.outHeight * g.outWidth;
  const dyRows = withShape(dy, [g.batch * pixels, g.filters]);
  const chunk = examplesPerChunk(g);
  let total: Info | undefined;
  for (let n0 = 0; n0 < g.batch; n0 += chunk) {
    const n1 = Math.min(g.batch, n0 + chunk);
    const patches = backend.makeOutput([K, (n1 - n0) * pixels], 'float32');
    patchesTransposed(heapView(backend, x), g, n0, n1, heapView(backend, patches));
    const dyChunk = rowsOf(backend, dyRows, n0 * pixels, (n1 - n0) * pixels);
    const part = matMul(backend, patches, dyChunk);
    free(backend, patches);
    if (dyChunk !== dyRows) free(backend, dyChunk);
    if (total === undefined) total = part;
    else {
      const sum = heapView(backend, total);
      const add = heapView(backend, part);
      for (let i = 0; i < sum.length; i++) sum[i] += add[i];
      free(backend, part);
    }
  }
  return withShape(total!, [...filterShape]);
}

/** ∂L/∂x = col2im(dy · filterᵀ), per chunk of examples. Inputs dy, filter; attrs as tfjs's Conv2DBackpropInput. */
function conv2DBackpropInput(args: KernelArgs): Info {
  const backend = wasmBackend(args);
  const { dy, filter } = args.inputs as { dy: Info; filter: Info };
  const inputShape = (args.attrs as unknown as tf.Conv2DBackpropInputAttrs).inputShape;
  const g = geometry([...inputShape], filter.shape, args.attrs!);
  const K = g.kernelHeight * g.kernelWidth * g.inChannels;
  const pixels = g.outHeight * g.outWidth;
  const filterTransposed = runWasmKernel(backend, tf.Transpose, { x: withShape(filter, [K, g.filters]) }, { perm: [1, 0] });
  const dyRows = withShape(dy, [g.batch * pixels, g.filters]);
  const dx = backend.makeOutput([...inputShape], 'float32');
  heapView(backend, dx).fill(0);
  const chunk = examplesPerChunk(g);
  for (let n0 = 0; n0 < g.batch; n0 += chunk) {
    const n1 = Math.min(g.batch, n0 + chunk);
    const dyChunk = rowsOf(backend, dyRows, n0 * pixels, (n1 - n0) * pixels);
    const patchGrad = matMul(backend, dyChunk, filterTransposed);
    addPatchGradients(heapView(backend, patchGrad), g, n0, n1, heapView(backend, dx));
    free(backend, patchGrad);
    if (dyChunk !== dyRows) free(backend, dyChunk);
  }
  free(backend, filterTransposed);
  return dx;
}

let registered = false;

/**
 * Registers Conv2DBackpropFilter (missing on wasm) and replaces Conv2DBackpropInput on the wasm backend. These are
 * kernels, not gradient functions, so every path to a convolution's gradient uses them: tf.conv2d's, the fused
 * conv2d's and tf.layers'. Called once, explicitly, when the wasm backend is chosen (never on import).
 */
export function registerWasmConvGradients(): void {
  if (registered) return;
  registered = true;
  tf.registerKernel({ kernelName: tf.Conv2DBackpropFilter, backendName: 'wasm', kernelFunc: conv2DBackpropFilter });
  if (tf.getKernel(tf.Conv2DBackpropInput, 'wasm')) tf.unregisterKernel(tf.Conv2DBackpropInput, 'wasm');
  tf.registerKernel({ kernelName: tf.Conv2DBackpropInput, backendName: 'wasm', kernelFunc: conv2DBackpropInput });
}
