// losslab's wasm convolution gradients (im2col + matMul): against the cpu backend to 1e-5 relative, and both against a
// float64 reference, itself checked by finite differences, on shapes with strides, both paddings and odd sizes.
// With the native addon, the same gradients with their matMuls on OpenBLAS (wasm+openblas) against the reference too.
// The kernels are registered for the whole jest worker, so this file registers them itself, in beforeAll.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmConvGradients } from '../../src/backend/conv-grad-wasm';
import { registerTransposedMatMulGrad, restoreStockMatMulGrad } from '../../src/backend/matmul-grad';
import { registerOpenBlasMatMul, unregisterOpenBlasMatMul } from '../../src/backend/openblas-matmul';
import { conv2d, conv2dGradients, relativeError, seededValues, type Image, type Padding } from '../helpers/conv-reference';
import { nativeAddonOrSkip } from '../helpers/native';

interface Case {
  x: [number, number, number, number];
  filter: [number, number, number, number];
  strides: [number, number];
  padding: Padding;
}

/** Batch × height × width × channels, kernel height × width × in × out, strides, padding. */
const CASES: Case[] = [
  { x: [2, 7, 9, 3], filter: [3, 2, 3, 4], strides: [1, 1], padding: 'valid' },
  { x: [2, 7, 9, 3], filter: [3, 2, 3, 4], strides: [1, 1], padding: 'same' },
  { x: [3, 8, 8, 2], filter: [5, 5, 2, 3], strides: [2, 2], padding: 'same' },
  { x: [1, 11, 5, 1], filter: [4, 3, 1, 5], strides: [2, 3], padding: 'same' },
  { x: [1, 11, 5, 1], filter: [4, 3, 1, 5], strides: [2, 3], padding: 'valid' },
  { x: [3, 9, 13, 4], filter: [1, 1, 4, 2], strides: [3, 2], padding: 'valid' },
  { x: [2, 6, 6, 2], filter: [6, 6, 2, 2], strides: [1, 1], padding: 'valid' },
  { x: [2, 5, 7, 3], filter: [5, 5, 3, 1], strides: [3, 3], padding: 'same' },
  // LeNet's two convolutions, batch 2.
  { x: [2, 28, 28, 1], filter: [5, 5, 1, 6], strides: [1, 1], padding: 'same' },
  { x: [2, 14, 14, 6], filter: [5, 5, 6, 16], strides: [1, 1], padding: 'valid' },
  // One example's patch matrix (40·40·31·31 values) exceeds the 4M budget: three chunks of one example each.
  { x: [3, 40, 40, 1], filter: [31, 31, 1, 1], strides: [1, 1], padding: 'same' },
];

const name = (c: Case) => `x ${c.x.join('×')}, filter ${c.filter.join('×')}, strides ${c.strides.join('×')}, ${c.padding}`;
const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
/** Float32-exact inputs, so every implementation starts from the same numbers. */
const image = (shape: Image['shape'], seed: number): Image => ({
  shape,
  data: Float64Array.from(seededValues(size(shape), seed), Math.fround),
});

/** The objective L = Σ weights ⊙ conv2d(x, filter): its dy is `weights`. */
function inputs(c: Case) {
  const x = image(c.x, 1);
  const filter = image(c.filter, 2);
  const y = conv2d(x, filter, c.strides, c.padding);
  const weights = image(y.shape, 3);
  return { x, filter, weights, y };
}

/** y, ∂L/∂x and ∂L/∂filter on a tfjs backend. */
async function onBackend(backend: 'cpu' | 'wasm', c: Case): Promise<{ y: Float32Array; dx: Float32Array; dFilter: Float32Array }> {
  await tf.setBackend(backend);
  const { x, filter, weights } = inputs(c);
  const xt = tf.tensor4d(Float32Array.from(x.data), x.shape);
  const ft = tf.tensor4d(Float32Array.from(filter.data), filter.shape);
  const wt = tf.tensor4d(Float32Array.from(weights.data), weights.shape);
  const before = tf.memory().numTensors;
  const y = tf.conv2d(xt, ft, c.strides, c.padding);
  const [dx, dFilter] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
    tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.strides, c.padding), wt)),
  )([xt, ft]);
  const result = { y: y.dataSync() as Float32Array, dx: dx.dataSync() as Float32Array, dFilter: dFilter.dataSync() as Float32Array };
  tf.dispose([y, dx, dFilter]);
  expect(tf.memory().numTensors).toBe(before);
  tf.dispose([xt, ft, wt]);
  return result;
}

/** What tfjs itself registers for the filter gradient on wasm, looked up before losslab registers its own. */
const STOCK_FILTER_KERNEL = tf.getKernel(tf.Conv2DBackpropFilter, 'wasm');

beforeAll(async () => {
  registerWasmConvGradients();
  await tf.setBackend('wasm');
  await tf.ready();
});

describe.each(CASES)('%#', (c) => {
  let wasm: Awaited<ReturnType<typeof onBackend>>;
  let cpu: Awaited<ReturnType<typeof onBackend>>;
  let reference: { y: Float64Array; dx: Float64Array; dFilter: Float64Array };
  beforeAll(async () => {
    wasm = await onBackend('wasm', c);
    cpu = await onBackend('cpu', c);
    const { x, filter, weights, y } = inputs(c);
    reference = { y: y.data, ...conv2dGradients(x, filter, weights, c.strides, c.padding) };
  });

  test(`${name(c)}: wasm equals cpu to 1e-5 relative (output, ∂L/∂x, ∂L/∂filter)`, () => {
    expect(relativeError(wasm.y, cpu.y)).toBeLessThan(1e-5);
    expect(relativeError(wasm.dx, cpu.dx)).toBeLessThan(1e-5);
    expect(relativeError(wasm.dFilter, cpu.dFilter)).toBeLessThan(1e-5);
  });

  test(`${name(c)}: wasm and cpu equal the float64 reference to 1e-5 relative`, () => {
    for (const result of [wasm, cpu]) {
      expect(relativeError(result.y, reference.y)).toBeLessThan(1e-5);
      expect(relativeError(result.dx, reference.dx)).toBeLessThan(1e-5);
      expect(relativeError(result.dFilter, reference.dFilter)).toBeLessThan(1e-5);
    }
  });
});

const addon = nativeAddonOrSkip();
const describeNative = addon ? describe : describe.skip;

describeNative('with the OpenBLAS matMul (wasm+openblas)', () => {
  beforeAll(() => {
    registerOpenBlasMatMul(addon!);
    restoreStockMatMulGrad();
  });
  afterAll(() => {
    unregisterOpenBlasMatMul();
    registerTransposedMatMulGrad();
  });

  test.each(CASES)('%#: the gradients run their matMuls on sgemm and equal the float64 reference to 1e-5 relative', async (c) => {
    const sgemm = jest.spyOn(addon!, 'sgemm');
    const result = await onBackend('wasm', c);
    // At least the filter gradient's Pᵀ·dy per chunk; the input gradient adds dy·kernelᵀ.
    expect(sgemm.mock.calls.length).toBeGreaterThanOrEqual(1);
    sgemm.mockRestore();
    const { x, filter, weights, y } = inputs(c);
    const reference = { y: y.data, ...conv2dGradients(x, filter, weights, c.strides, c.padding) };
    expect(relativeError(result.y, reference.y)).toBeLessThan(1e-5);
    expect(relativeError(result.dx, reference.dx)).toBeLessThan(1e-5);
    expect(relativeError(result.dFilter, reference.dFilter)).toBeLessThan(1e-5);
  });
});

// The reference's gradients are its own derivation; finite differences of its forward pass check them.
test.each(CASES.slice(0, 8))('%#: the float64 reference gradients equal central differences to 1e-7', (c) => {
  const { x, filter, weights } = inputs(c);
  const objective = (xs: Image, fs: Image) => {
    const y = conv2d(xs, fs, c.strides, c.padding);
    return y.data.reduce((sum, v, i) => sum + v * weights.data[i], 0);
  };
  const { dx, dFilter } = conv2dGradients(x, filter, weights, c.strides, c.padding);
  const h = 1e-6;
  const central = (target: Image, index: number, evaluate: () => number) => {
    const saved = target.data[index];
    target.data[index] = saved + h;
    const up = evaluate();
    target.data[index] = saved - h;
    const down = evaluate();
    target.data[index] = saved;
    return (up - down) / (2 * h);
  };
  const numericX = Float64Array.from(x.data, (_, i) => central(x, i, () => objective(x, filter)));
  const numericFilter = Float64Array.from(filter.data, (_, i) => central(filter, i, () => objective(x, filter)));
  expect(relativeError(dx, numericX)).toBeLessThan(1e-7);
  expect(relativeError(dFilter, numericFilter)).toBeLessThan(1e-7);
});

test('tfjs 4.22 has no wasm filter gradient of its own (tensorflow/tfjs#8474); after registration there is one', () => {
  expect(STOCK_FILTER_KERNEL).toBeUndefined();
  expect(tf.getKernel(tf.Conv2DBackpropFilter, 'wasm')).toBeDefined();
});

test('the fused conv2d (what tf.layers uses) differentiates on wasm through the same kernels, equal to cpu', async () => {
  const c = CASES[2];
  const { x, filter, weights } = inputs(c);
  const bias = image([1, 1, 1, c.filter[3]], 5);
  const gradients = async (backend: 'cpu' | 'wasm') => {
    await tf.setBackend(backend);
    const [xt, ft, wt, bt] = [x, filter, weights, bias].map((t) => tf.tensor(Float32Array.from(t.data), t.shape));
    const grads = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
      tf.sum(
        tf.mul(
          tf.fused.conv2d({
            x: a as tf.Tensor4D,
            filter: b as tf.Tensor4D,
            strides: c.strides,
            pad: c.padding,
            bias: tf.reshape(bt, [-1]),
            activation: 'relu',
          }),
          wt,
        ),
      ),
    )([xt, ft]);
    const values = grads.map((g) => g.dataSync() as Float32Array);
    tf.dispose([...grads, xt, ft, wt, bt]);
    return values;
  };
  const wasm = await gradients('wasm');
  const cpu = await gradients('cpu');
  expect(relativeError(wasm[0], cpu[0])).toBeLessThan(1e-5);
  expect(relativeError(wasm[1], cpu[1])).toBeLessThan(1e-5);
});
