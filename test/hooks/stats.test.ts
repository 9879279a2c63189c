// gradientSums reduces on the device to [Σg², Σ|g|, max|g|] per gradient — by the one-pass kernel on wasm and cpu, by
// composed tfjs ops elsewhere — and statsFromSums turns them into L2, mean |g|, max |g|.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { GRADIENT_SUMS, registerGradientSumsKernel } from '../../src/backend/gradient-sums';
import { gradientSums, statsFromSums } from '../../src/hooks/stats';

beforeAll(() => tf.enableProdMode());

type Path = 'kernel' | 'composed ops';
const CASES = (['cpu', 'wasm'] as const).flatMap((backend) => (['kernel', 'composed ops'] as Path[]).map((path) => ({ backend, path })));

/** Runs `f` on `backend`, with the LosslabGradientSums kernel registered or not. */
async function on<T>(backend: 'cpu' | 'wasm', path: Path, f: () => T): Promise<T> {
  await tf.setBackend(backend);
  registerGradientSumsKernel(backend);
  const kernel = tf.getKernel(GRADIENT_SUMS, backend);
  if (path === 'composed ops') tf.unregisterKernel(GRADIENT_SUMS, backend);
  try {
    return f();
  } finally {
    if (path === 'composed ops') tf.registerKernel(kernel);
  }
}

function sumsOf(gradients: tf.Tensor[]): { shape: number[]; values: number[] } {
  const before = tf.memory().numTensors;
  const sums = gradientSums(gradients);
  const result = { shape: sums.shape, values: Array.from(sums.dataSync()) };
  sums.dispose();
  expect(tf.memory().numTensors).toBe(before);
  return result;
}

describe.each(CASES)('$backend, $path', ({ backend, path }) => {
  test('sums of a vector and a matrix in one row, against the hand values', async () => {
    const result = await on(backend, path, () =>
      tf.tidy(() =>
        sumsOf([
          tf.tensor1d([3, -4, 0, 12]),
          tf.tensor2d([
            [0.5, -1.5],
            [2, 0],
          ]),
        ]),
      ),
    );
    // 9 + 16 + 0 + 144 = 169, 3 + 4 + 0 + 12 = 19, max 12; then 0.25 + 2.25 + 4 = 6.5, 0.5 + 1.5 + 2 = 4, max 2.
    expect(result).toEqual({ shape: [1, 6], values: [169, 19, 12, 6.5, 4, 2] });
    expect(statsFromSums(169, 19, 12, 4)).toEqual({ l2: 13, meanAbs: 19 / 4, maxAbs: 12 });
  });

  test('a NaN makes every sum NaN and an Infinity makes them infinite (divergence is seen)', async () => {
    const result = await on(backend, path, () => tf.tidy(() => sumsOf([tf.tensor1d([1, NaN, 2]), tf.tensor1d([-Infinity, 1])])));
    expect(result.values).toEqual([NaN, NaN, NaN, Infinity, Infinity, Infinity]);
  });

  test('a large gradient agrees with a float64 reference to float32 rounding', async () => {
    const values = Float32Array.from({ length: 100352 }, (_, i) => Math.sin(i * 0.37) * 1e-3 * (1 + (i % 7)));
    const result = await on(backend, path, () => tf.tidy(() => sumsOf([tf.tensor2d(values, [784, 128])])));
    let [sumSquares, sumAbs, maxAbs] = [0, 0, 0];
    for (const v of values) [sumSquares, sumAbs, maxAbs] = [sumSquares + v * v, sumAbs + Math.abs(v), Math.max(maxAbs, Math.abs(v))];
    expect(result.values[0] / sumSquares - 1).toBeLessThan(1e-5);
    expect(result.values[1] / sumAbs - 1).toBeLessThan(1e-5);
    expect(result.values[2]).toBe(Math.fround(maxAbs));
  });
});
