// An independent float64 reference for 2-D convolution and pooling (channels last) and their gradients: plain loops,
// its own padding arithmetic (TensorFlow's), no tfjs. Tests compare the backends with it and it with finite differences.

export type Padding = 'valid' | 'same';

/** [N, H, W, C] data in a Float64Array. */
export interface Image {
  shape: [number, number, number, number];
  data: Float64Array;
}

/** Output size and leading pad along one axis, as TensorFlow defines valid and same. */
export function axis(input: number, window: number, stride: number, padding: Padding): { out: number; pad: number } {
  if (padding === 'valid') return { out: Math.floor((input - window) / stride) + 1, pad: 0 };
  const out = Math.ceil(input / stride);
  const total = Math.max(0, (out - 1) * stride + window - input);
  return { out, pad: Math.floor(total / 2) };
}

const at = (shape: number[], n: number, h: number, w: number, c: number) => ((n * shape[1] + h) * shape[2] + w) * shape[3] + c;

/** y = conv2d(x, filter): filter [KH, KW, C, F]; zero padding. */
export function conv2d(x: Image, filter: Image, strides: [number, number], padding: Padding): Image {
  const [N, H, W, C] = x.shape;
  const [KH, KW, , F] = filter.shape;
  const rows = axis(H, KH, strides[0], padding);
  const cols = axis(W, KW, strides[1], padding);
  const shape: Image['shape'] = [N, rows.out, cols.out, F];
  const data = new Float64Array(shape.reduce((a, b) => a * b, 1));
  for (let n = 0; n < N; n++)
    for (let oh = 0; oh < rows.out; oh++)
      for (let ow = 0; ow < cols.out; ow++)
        for (let f = 0; f < F; f++) {
          let sum = 0;
          for (let kh = 0; kh < KH; kh++)
            for (let kw = 0; kw < KW; kw++) {
              const h = oh * strides[0] + kh - rows.pad;
              const w = ow * strides[1] + kw - cols.pad;
              if (h < 0 || h >= H || w < 0 || w >= W) continue;
              for (let c = 0; c < C; c++) sum += x.data[at(x.shape, n, h, w, c)] * filter.data[((kh * KW + kw) * C + c) * F + f];
            }
          data[at(shape, n, oh, ow, f)] = sum;
        }
  return { shape, data };
}

/** ∂L/∂x and ∂L/∂filter of conv2d given dy = ∂L/∂y: each product x·filter in the sum sends dy to both factors. */
export function conv2dGradients(
  x: Image,
  filter: Image,
  dy: Image,
  strides: [number, number],
  padding: Padding,
): { dx: Float64Array; dFilter: Float64Array } {
  const [N, H, W, C] = x.shape;
  const [KH, KW, , F] = filter.shape;
  const rows = axis(H, KH, strides[0], padding);
  const cols = axis(W, KW, strides[1], padding);
  const dx = new Float64Array(x.data.length);
  const dFilter = new Float64Array(filter.data.length);
  for (let n = 0; n < N; n++)
    for (let oh = 0; oh < rows.out; oh++)
      for (let ow = 0; ow < cols.out; ow++)
        for (let f = 0; f < F; f++) {
          const g = dy.data[at(dy.shape, n, oh, ow, f)];
          for (let kh = 0; kh < KH; kh++)
            for (let kw = 0; kw < KW; kw++) {
              const h = oh * strides[0] + kh - rows.pad;
              const w = ow * strides[1] + kw - cols.pad;
              if (h < 0 || h >= H || w < 0 || w >= W) continue;
              for (let c = 0; c < C; c++) {
                const k = ((kh * KW + kw) * C + c) * F + f;
                dx[at(x.shape, n, h, w, c)] += g * filter.data[k];
                dFilter[k] += g * x.data[at(x.shape, n, h, w, c)];
              }
            }
        }
  return { dx, dFilter };
}

/** The in-bounds pixels of each pooling window, as flat offsets into x, for output (n, oh, ow, c). */
function windows(
  shape: Image['shape'],
  size: [number, number],
  strides: [number, number],
  padding: Padding,
): { outShape: Image['shape']; pixels: (n: number, oh: number, ow: number, c: number) => number[] } {
  const [N, H, W, C] = shape;
  const rows = axis(H, size[0], strides[0], padding);
  const cols = axis(W, size[1], strides[1], padding);
  return {
    outShape: [N, rows.out, cols.out, C],
    pixels: (n, oh, ow, c) => {
      const list: number[] = [];
      for (let i = 0; i < size[0]; i++)
        for (let j = 0; j < size[1]; j++) {
          const h = oh * strides[0] + i - rows.pad;
          const w = ow * strides[1] + j - cols.pad;
          if (h >= 0 && h < H && w >= 0 && w < W) list.push(at(shape, n, h, w, c));
        }
      return list;
    },
  };
}

/** Max or mean (over in-bounds pixels) of each window, and ∂L/∂x given dy: max sends dy to the window's first maximum, mean spreads dy / count. */
export function pool(
  kind: 'max' | 'avg',
  x: Image,
  size: [number, number],
  strides: [number, number],
  padding: Padding,
  dy?: Image,
): { y: Image; dx: Float64Array } {
  const { outShape, pixels } = windows(x.shape, size, strides, padding);
  const y = new Float64Array(outShape.reduce((a, b) => a * b, 1));
  const dx = new Float64Array(x.data.length);
  const [N, OH, OW, C] = outShape;
  for (let n = 0; n < N; n++)
    for (let oh = 0; oh < OH; oh++)
      for (let ow = 0; ow < OW; ow++)
        for (let c = 0; c < C; c++) {
          const o = at(outShape, n, oh, ow, c);
          const window = pixels(n, oh, ow, c);
          const g = dy ? dy.data[o] : 0;
          if (kind === 'avg') {
            y[o] = window.reduce((sum, p) => sum + x.data[p], 0) / window.length;
            for (const p of window) dx[p] += g / window.length;
          } else {
            let best = window[0];
            for (const p of window) if (x.data[p] > x.data[best]) best = p;
            y[o] = x.data[best];
            dx[best] += g;
          }
        }
  return { y: { shape: outShape, data: y }, dx };
}

/** Seeded values in [−1, 1) (a linear congruential generator: tests must not depend on Math.random). */
export function seededValues(count: number, seed: number): Float64Array {
  let state = seed >>> 0 || 1;
  const values = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    values[i] = state / 2 ** 31 - 1;
  }
  return values;
}

/** max |a − b| / max |b|: the error relative to the size of the reference. */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let error = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    error = Math.max(error, Math.abs(actual[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  return error / scale;
}
