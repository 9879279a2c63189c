// Pooling gradients: losslab's wasm MaxPoolGrad and its AvgPool gradient against the cpu backend and a float64
// reference (checked by finite differences), including the cases where tfjs 4.22's own gradients are wrong.
// Registration is global to the jest worker, so this file registers for itself; the stock gradients are looked up first.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerAvgPoolGrad, registerWasmMaxPoolGrad } from '../../src/backend/pool-grad';
import { pool, relativeError, seededValues, type Image, type Padding } from '../helpers/conv-reference';

interface Case {
  x: [number, number, number, number];
  size: [number, number];
  strides: [number, number];
  padding: Padding;
}

const CASES: Case[] = [
  { x: [2, 6, 6, 3], size: [2, 2], strides: [2, 2], padding: 'valid' },
  { x: [2, 7, 7, 2], size: [2, 2], strides: [2, 2], padding: 'same' },
  { x: [1, 9, 8, 3], size: [3, 3], strides: [2, 2], padding: 'same' },
  { x: [2, 9, 8, 1], size: [3, 2], strides: [1, 2], padding: 'same' },
  { x: [3, 5, 7, 2], size: [3, 3], strides: [3, 3], padding: 'valid' },
  { x: [1, 11, 11, 4], size: [4, 4], strides: [3, 3], padding: 'same' },
];
const name = (c: Case) => `x ${c.x.join('×')}, window ${c.size.join('×')}, strides ${c.strides.join('×')}, ${c.padding}`;
const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
const image = (shape: Image['shape'], seed: number): Image => ({
  shape,
  data: Float64Array.from(seededValues(size(shape), seed), Math.fround),
});

/** The stock gradients, before losslab replaces them. */
const STOCK_MAX_POOL_GRAD = tf.getKernel(tf.MaxPoolGrad, 'wasm');
const STOCK_AVG_POOL_GRAD = tf.getGradient(tf.AvgPool);

/** ∂/∂x of Σ weights ⊙ pool(x) on a backend. */
async function gradientOn(backend: 'cpu' | 'wasm', kind: 'max' | 'avg', c: Case, x: Image): Promise<Float32Array> {
  await tf.setBackend(backend);
  const xt = tf.tensor4d(Float32Array.from(x.data), x.shape);
  const y = pool(kind, x, c.size, c.strides, c.padding).y;
  const wt = tf.tensor4d(Float32Array.from(image(y.shape, 3).data), y.shape);
  const op = kind === 'max' ? tf.maxPool : tf.avgPool;
  const before = tf.memory().numTensors;
  const dx = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(op(a as tf.Tensor4D, c.size, c.strides, c.padding), wt)))(xt);
  const values = dx.dataSync() as Float32Array;
  dx.dispose();
  expect(tf.memory().numTensors).toBe(before);
  tf.dispose([xt, wt]);
  return values;
}

function referenceGradient(kind: 'max' | 'avg', c: Case, x: Image): Float64Array {
  const y = pool(kind, x, c.size, c.strides, c.padding).y;
  return pool(kind, x, c.size, c.strides, c.padding, image(y.shape, 3)).dx;
}

beforeAll(async () => {
  // The wasm backend initialises first, so the stock kernel kept above is set up and can still be called.
  await tf.setBackend('wasm');
  await tf.ready();
  registerWasmMaxPoolGrad();
  registerAvgPoolGrad();
});

describe.each(CASES)('%#', (c) => {
  const x = image(c.x, 1);
  // Windows of equal values (ties: the first maximum takes the gradient) and all-negative windows.
  const ties: Image = { shape: c.x, data: x.data.map((v, i) => (i % 5 === 0 ? 0 : Math.fround(-Math.abs(v)))) };

  test.each([
    ['random values', x],
    ['zeros and negative values', ties],
  ])(`${name(c)}, max, %s: wasm, cpu and the float64 reference agree to 1e-6`, async (_label, input) => {
    const expected = referenceGradient('max', c, input);
    expect(relativeError(await gradientOn('wasm', 'max', c, input), expected)).toBeLessThan(1e-6);
    expect(relativeError(await gradientOn('cpu', 'max', c, input), expected)).toBeLessThan(1e-6);
  });

  test(`${name(c)}, avg: wasm, cpu and the float64 reference agree to 1e-6`, async () => {
    const expected = referenceGradient('avg', c, x);
    expect(relativeError(await gradientOn('wasm', 'avg', c, x), expected)).toBeLessThan(1e-6);
    expect(relativeError(await gradientOn('cpu', 'avg', c, x), expected)).toBeLessThan(1e-6);
  });

  test(`${name(c)}: the reference's gradients equal central differences of its forward pass to 1e-7`, () => {
    for (const kind of ['max', 'avg'] as const) {
      const y = pool(kind, x, c.size, c.strides, c.padding).y;
      const weights = image(y.shape, 3);
      const objective = () => pool(kind, x, c.size, c.strides, c.padding).y.data.reduce((sum, v, i) => sum + v * weights.data[i], 0);
      const h = 1e-7;
      const numeric = Float64Array.from(x.data, (value, i) => {
        x.data[i] = value + h;
        const up = objective();
        x.data[i] = value - h;
        const down = objective();
        x.data[i] = value;
        return (up - down) / (2 * h);
      });
      expect(relativeError(referenceGradient(kind, c, x), numeric)).toBeLessThan(1e-7);
    }
  });
});

// Why losslab replaces them: each stock gradient against the reference, where it goes wrong.
test('tfjs 4.22 wasm MaxPoolGrad sends the gradient of a window whose maximum is negative to the wrong pixel', async () => {
  await tf.setBackend('wasm');
  const c = CASES[0];
  const x: Image = { shape: c.x, data: image(c.x, 1).data.map((v) => -Math.abs(v) - 0.01) };
  const dy = image(pool('max', x, c.size, c.strides, c.padding).y.shape, 3);
  const [xt, dyt] = [tf.tensor4d(Float32Array.from(x.data), x.shape), tf.tensor4d(Float32Array.from(dy.data), dy.shape)];
  const attrs = { filterSize: c.size, strides: c.strides, pad: c.padding };
  const info = STOCK_MAX_POOL_GRAD.kernelFunc({ inputs: { dy: dyt, input: xt }, backend: tf.backend(), attrs }) as tf.TensorInfo;
  const stock = tf.engine().makeTensorFromTensorInfo(info);
  expect(relativeError(stock.dataSync(), pool('max', x, c.size, c.strides, c.padding, dy).dx)).toBeGreaterThan(0.5);
  tf.dispose([xt, dyt, stock]);
});

test('tfjs 4.22 AvgPool gradient with same padding divides border windows by the full window, not their in-bounds pixels', async () => {
  await tf.setBackend('cpu');
  const c = CASES[2];
  const x = image(c.x, 1);
  const dy = image(pool('avg', x, c.size, c.strides, c.padding).y.shape, 3);
  const [xt, dyt] = [tf.tensor4d(Float32Array.from(x.data), x.shape), tf.tensor4d(Float32Array.from(dy.data), dy.shape)];
  const attrs = { filterSize: c.size, strides: c.strides, pad: c.padding } as unknown as tf.NamedAttrMap;
  const stock = STOCK_AVG_POOL_GRAD.gradFunc(dyt, [xt], attrs).x();
  const error = relativeError(stock.dataSync(), referenceGradient('avg', c, x));
  // A 3×3 window at the corner of a same-padded 9×8 input covers 2×2 in-bounds pixels: the stock gradient is 4/9 of it.
  expect(error).toBeGreaterThan(0.3);
  tf.dispose([xt, dyt, stock]);
});
