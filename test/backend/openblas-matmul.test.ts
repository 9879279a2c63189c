// The OpenBLAS BatchMatMul on wasm against a float64 reference and against XNNPACK: products, gradients, an MLP's
// loss and gradients, determinism, heap growth, leaks and the cases handed back to the stock kernel.
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { registerTransposedMatMulGrad, restoreStockMatMulGrad } from '../../src/backend/matmul-grad';
import { openBlasMatMulRegistered, registerOpenBlasMatMul, unregisterOpenBlasMatMul } from '../../src/backend/openblas-matmul';
import { selectBackend } from '../../src/backend/select';
import { Rng } from '../../src/data/rng';
import { GradientRecorder } from '../../src/hooks/recorder';
import { buildMlp } from '../../src/models/mlp';
import { createOptimizer } from '../../src/optimizers/registry';
import { objectiveGradients, trainStep, type StepContext } from '../../src/train/step';
import { lossOf } from '../../src/train/run-functions';
import { MSE_MEAN_LOSS, SIGMOID_MLP_30 } from '../helpers/configs';
import { nativeAddonOrSkip } from '../helpers/native';

const addon = nativeAddonOrSkip();
const describeNative = addon ? describe : describe.skip;

type MatMulPath = 'openblas' | 'xnnpack';

/** Switches BatchMatMul (and its gradient) to one path, as selectBackend does for wasm+openblas and wasm. */
function usePath(path: MatMulPath): void {
  if (path === 'openblas') {
    registerOpenBlasMatMul(addon!);
    restoreStockMatMulGrad();
  } else {
    unregisterOpenBlasMatMul();
    registerTransposedMatMulGrad();
  }
}

function onPath<T>(path: MatMulPath, f: () => T): T {
  usePath(path);
  return f();
}

const PATHS: MatMulPath[] = ['openblas', 'xnnpack'];
const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** Uniform values in [-1, 1) from a seeded stream. */
function randomValues(count: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: count }, () => 2 * rng.nextFloat() - 1);
}

/** A matMul case: stored shapes of a and b (their last two axes hold op(A) / op(B), transposed by the flags). */
interface Case {
  name: string;
  a: number[];
  b: number[];
  transposeA: boolean;
  transposeB: boolean;
}

const TRANSPOSES = [false, true].flatMap((transposeA) => [false, true].map((transposeB) => ({ transposeA, transposeB })));
/** [batch dims of a, batch dims of b, m, k, n]: batch 1, odd sizes, vectors, rank 3 and 4, broadcast batches. */
const SHAPES: [string, number[], number[], number, number, number][] = [
  ['batch of 1 row (1×784·784×128)', [], [], 1, 784, 128],
  ['odd sizes (7×13·13×5)', [], [], 7, 13, 5],
  ['a training layer (64×784·784×128)', [], [], 64, 784, 128],
  ['inner size 1 (9×1·1×11)', [], [], 9, 1, 11],
  ['column result (17×3·3×1)', [], [], 17, 3, 1],
  ['rank 3 (3×7×13·3×13×5)', [3], [3], 7, 13, 5],
  ['rank 3, batch 1 (1×7×13·1×13×5)', [1], [1], 7, 13, 5],
  ['rank 3 broadcast a (1×…·4×…)', [1], [4], 6, 9, 7],
  ['rank 3 broadcast b (4×…·1×…)', [4], [1], 6, 9, 7],
  ['rank 3 times rank 2 (2×5×6·6×3)', [2], [], 5, 6, 3],
  ['rank 4 (2×3×4×5·2×3×5×6)', [2, 3], [2, 3], 4, 5, 6],
  ['broadcast on two axes (2×1·1×3)', [2, 1], [1, 3], 4, 5, 6],
  ['empty result (0×5·5×3)', [], [], 0, 5, 3],
  ['empty inner size (3×0·0×4)', [], [], 3, 0, 4],
];
const CASES: Case[] = SHAPES.flatMap(([name, batchA, batchB, m, k, n]) =>
  TRANSPOSES.map(({ transposeA, transposeB }) => ({
    name: `${name}, ${transposeA ? 'Aᵀ' : 'A'}·${transposeB ? 'Bᵀ' : 'B'}`,
    a: [...batchA, ...(transposeA ? [k, m] : [m, k])],
    b: [...batchB, ...(transposeB ? [n, k] : [k, n])],
    transposeA,
    transposeB,
  })),
);

/** op(A)·op(B) in float64 with broadcast batches, and for each entry the bound Σ|a·b| its float32 error scales with. */
function reference(c: Case, a: Float32Array, b: Float32Array): { shape: number[]; values: Float64Array; magnitudes: Float64Array } {
  const [ra, rb] = [c.a.length, c.b.length];
  const m = c.transposeA ? c.a[ra - 1] : c.a[ra - 2];
  const k = c.transposeA ? c.a[ra - 2] : c.a[ra - 1];
  const n = c.transposeB ? c.b[rb - 2] : c.b[rb - 1];
  const outerA = c.a.slice(0, -2);
  const outerB = c.b.slice(0, -2);
  const rank = Math.max(outerA.length, outerB.length);
  const padA = [...Array<number>(rank - outerA.length).fill(1), ...outerA];
  const padB = [...Array<number>(rank - outerB.length).fill(1), ...outerB];
  const outer = padA.map((d, i) => Math.max(d, padB[i]));
  const batches = size(outer);
  const values = new Float64Array(batches * m * n);
  const magnitudes = new Float64Array(batches * m * n);
  /** Flat batch index of a broadcast operand for output batch `index`. */
  const batchOf = (index: number, dims: number[]) => {
    let flat = 0;
    let rest = index;
    let stride = 1;
    const offsets: number[] = [];
    for (let axis = rank - 1; axis >= 0; axis--) {
      offsets[axis] = rest % outer[axis];
      rest = Math.floor(rest / outer[axis]);
    }
    for (let axis = rank - 1; axis >= 0; axis--) {
      flat += (dims[axis] === 1 ? 0 : offsets[axis]) * stride;
      stride *= dims[axis];
    }
    return flat;
  };
  for (let batch = 0; batch < batches; batch++) {
    const aBase = batchOf(batch, padA) * m * k;
    const bBase = batchOf(batch, padB) * k * n;
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let sum = 0;
        let magnitude = 0;
        for (let p = 0; p < k; p++) {
          const x = a[aBase + (c.transposeA ? p * m + i : i * k + p)];
          const y = b[bBase + (c.transposeB ? j * k + p : p * n + j)];
          sum += x * y;
          magnitude += Math.abs(x * y);
        }
        values[batch * m * n + i * n + j] = sum;
        magnitudes[batch * m * n + i * n + j] = magnitude;
      }
  }
  return { shape: [...outer, m, n], values, magnitudes };
}

/** Float32 summation in any order is within k·2⁻²³·Σ|terms| of the exact sum (a standard bound, with room). */
function expectWithinRounding(actual: Float32Array, expected: Float64Array, magnitudes: Float64Array, k: number): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) {
    const bound = Math.max(k, 1) * 2 ** -23 * magnitudes[i] + 1e-30;
    worst = Math.max(worst, Math.abs(actual[i] - expected[i]) / bound);
  }
  expect(worst).toBeLessThanOrEqual(1);
}

function innerSize(c: Case): number {
  return c.transposeA ? c.a[c.a.length - 2] : c.a[c.a.length - 1];
}

/** matMul on the current path; returns the values and shape and disposes everything. */
function product(c: Case, a: Float32Array, b: Float32Array): { shape: number[]; values: Float32Array } {
  const [ta, tb] = [tf.tensor(a, c.a), tf.tensor(b, c.b)];
  const out = tf.matMul(ta, tb, c.transposeA, c.transposeB);
  const result = { shape: out.shape, values: out.dataSync() as Float32Array };
  tf.dispose([ta, tb, out]);
  return result;
}

beforeAll(async () => {
  // The XNNPACK path as selectBackend sets it; usePath switches from there.
  if (addon) await selectBackend('wasm');
});

describeNative('OpenBLAS BatchMatMul on wasm', () => {
  test('registering replaces the wasm kernel once and unregistering restores it', () => {
    unregisterOpenBlasMatMul();
    const stock = tf.getKernel(tf.BatchMatMul, 'wasm');
    registerOpenBlasMatMul(addon!);
    const ours = tf.getKernel(tf.BatchMatMul, 'wasm');
    expect(ours).not.toBe(stock);
    expect(ours.setupFunc).toBe(stock.setupFunc);
    expect(openBlasMatMulRegistered()).toBe(true);
    registerOpenBlasMatMul(addon!);
    expect(tf.getKernel(tf.BatchMatMul, 'wasm')).toBe(ours);
    unregisterOpenBlasMatMul();
    expect(tf.getKernel(tf.BatchMatMul, 'wasm')).toBe(stock);
    expect(openBlasMatMulRegistered()).toBe(false);
  });

  describe.each(CASES.map((c, index) => ({ ...c, seed: 100 + index })))('$name', (c) => {
    const a = randomValues(size(c.a), c.seed);
    const b = randomValues(size(c.b), c.seed + 1000);
    const expected = reference(c, a, b);

    // tfjs 4.22's wasm kernel broadcasts only a batch of 1: for [2, 1] against [1, 3] it fills 3 of the 6 matrices.
    const paths = c.name.startsWith('broadcast on two axes') ? PATHS.filter((p) => p !== 'xnnpack') : PATHS;
    test.each(paths)('%s is within float32 rounding of the float64 product, with the broadcast shape', (path) => {
      const actual = onPath(path, () => product(c, a, b));
      expect(actual.shape).toEqual(expected.shape);
      expectWithinRounding(actual.values, expected.values, expected.magnitudes, innerSize(c));
    });

    test('openblas is bitwise deterministic and leaves no tensor or heap allocation behind', () => {
      usePath('openblas');
      const backend = tf.backend() as BackendWasm;
      const [tensors, dataIds] = [tf.memory().numTensors, backend.numDataIds()];
      const first = product(c, a, b).values;
      const second = product(c, a, b).values;
      expect(Buffer.from(second.buffer).equals(Buffer.from(first.buffer))).toBe(true);
      expect([tf.memory().numTensors, backend.numDataIds()]).toEqual([tensors, dataIds]);
    });
  });

  /** ∂/∂(a, b) of Σ W ⊙ op(A)·op(B) on the current path. */
  function matMulGradients(c: Case, seed: number): { a: Float32Array; b: Float32Array } {
    return tf.tidy(() => {
      const a = tf.tensor(randomValues(size(c.a), seed), c.a);
      const b = tf.tensor(randomValues(size(c.b), seed + 1), c.b);
      const outShape = tf.matMul(a, b, c.transposeA, c.transposeB).shape;
      const w = tf.tensor(randomValues(size(outShape), seed + 2), outShape);
      const [da, db] = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(tf.matMul(x, y, c.transposeA, c.transposeB), w)))([a, b]);
      return { a: da.dataSync() as Float32Array, b: db.dataSync() as Float32Array };
    });
  }

  /**
   * Cases with gradients: plain and batched matrices, all four flags, batch 1 and odd sizes. Not broadcast batches:
   * tfjs's BatchMatMul gradient does not sum over broadcast axes (it throws on every backend).
   */
  const GRADIENT_CASES = CASES.filter((c) => `${c.a.slice(0, -2).join()}` === `${c.b.slice(0, -2).join()}` && !c.name.startsWith('empty'));

  test.each(GRADIENT_CASES.map((c, index) => ({ ...c, seed: 7000 + 10 * index })))('gradients agree with XNNPACK: $name', (c) => {
    const ours = onPath('openblas', () => matMulGradients(c, c.seed));
    const theirs = onPath('xnnpack', () => matMulGradients(c, c.seed));
    for (const key of ['a', 'b'] as const) {
      expect(ours[key].length).toBe(theirs[key].length);
      const scale = Math.max(...theirs[key].map(Math.abs), 1e-6);
      const worst = Math.max(0, ...ours[key].map((v, i) => Math.abs(v - theirs[key][i])));
      expect(worst / scale).toBeLessThan(1e-5);
    }
  });

  test('a shape mismatch is the same error on both paths', () => {
    const call = () => tf.tidy(() => tf.matMul(tf.zeros([2, 3]), tf.zeros([4, 5])));
    const message = (path: MatMulPath) => {
      usePath(path);
      try {
        call();
      } catch (error) {
        return (error as Error).message;
      }
      return 'no error';
    };
    expect(message('openblas')).toBe(message('xnnpack'));
    expect(message('openblas')).toContain('inner shapes (3) and (4)');
  });

  test('the output allocation grows the heap and the product still lands in the new buffer', () => {
    usePath('openblas');
    const heap = () => ((tf.backend() as BackendWasm).wasm as unknown as { HEAPU8: Uint8Array }).HEAPU8.buffer;
    const before = heap();
    // An outer product (k = 1, so every entry is one exact float32 product) larger than the whole current heap.
    const side = Math.ceil(Math.sqrt(before.byteLength / 4)) + 64;
    const column = randomValues(side, 1);
    const row = randomValues(side, 2);
    const values = tf.tidy(() => tf.matMul(tf.tensor2d(column, [side, 1]), tf.tensor2d(row, [1, side])).dataSync());
    expect(heap()).not.toBe(before);
    expect(before.byteLength).toBe(0); // detached by the growth
    let mismatches = 0;
    for (let i = 0; i < side; i += 97)
      for (let j = 0; j < side; j++) if (values[i * side + j] !== Math.fround(column[i] * row[j])) mismatches++;
    expect(mismatches).toBe(0);
  });

  test('products stay right across heap growth between calls', () => {
    usePath('openblas');
    const c = CASES.find((candidate) => candidate.name.startsWith('a training layer'))!;
    const a = randomValues(size(c.a), 3);
    const b = randomValues(size(c.b), 4);
    const [ta, tb] = [tf.tensor(a, c.a), tf.tensor(b, c.b)];
    const first = tf.tidy(() => tf.matMul(ta, tb).dataSync());
    const heapBytes = ((tf.backend() as BackendWasm).wasm as unknown as { HEAPU8: Uint8Array }).HEAPU8.byteLength;
    const filler = tf.zeros([heapBytes / 4 + 1024]);
    const after = tf.tidy(() => tf.matMul(ta, tb).dataSync());
    tf.dispose([ta, tb, filler]);
    expect(Buffer.from(after.buffer).equals(Buffer.from(first.buffer))).toBe(true);
  });
});

describeNative('an MLP on both paths', () => {
  const config = SIGMOID_MLP_30;
  const loss = MSE_MEAN_LOSS;
  /** Nielsen's batch-10 net and an odd batch of 7 on 784 inputs. */
  const batches = [10, 7];

  function batch(rows: number, seed: number): { x: tf.Tensor2D; y: tf.Tensor2D } {
    const x = tf.tensor2d(
      randomValues(rows * 784, seed).map((v) => (v + 1) / 2),
      [rows, 784],
    );
    const labels = Array.from({ length: rows }, (_, i) => (i * 3 + seed) % 10);
    const y = tf.oneHot(tf.tensor1d(labels, 'int32'), 10).toFloat() as tf.Tensor2D;
    return { x, y };
  }

  /** Loss and every variable's gradient from a fresh seeded MLP. */
  function lossAndGradients(rows: number): { loss: number; grads: Record<string, Float32Array> } {
    const mlp = buildMlp(config, 784, 10, 3);
    const context: StepContext = {
      model: mlp,
      optimizer: createOptimizer({ name: 'sgd', learningRate: 3 }),
      loss: lossOf({ loss }, {}, mlp.layers[mlp.layers.length - 1].activation),
      l2Coefficient: 0,
    };
    const result = tf.tidy(() => {
      const { x, y } = batch(rows, 5);
      const { value, grads } = objectiveGradients(context, x, y);
      const names = mlp.variables.map((v) => v.name);
      return {
        loss: value.dataSync()[0],
        grads: Object.fromEntries(names.map((name, i) => [`${i}`, grads[name].dataSync() as Float32Array])),
      };
    });
    context.optimizer.dispose();
    mlp.dispose();
    return result;
  }

  test.each(batches)('batch %i: loss and gradients agree with XNNPACK to float32 tolerance', (rows) => {
    const ours = onPath('openblas', () => lossAndGradients(rows));
    const theirs = onPath('xnnpack', () => lossAndGradients(rows));
    expect(Math.abs(ours.loss - theirs.loss)).toBeLessThan(1e-6 * Math.abs(theirs.loss) + 1e-9);
    for (const key of Object.keys(theirs.grads)) {
      const scale = Math.max(...theirs.grads[key].map(Math.abs));
      const worst = Math.max(...ours.grads[key].map((v, i) => Math.abs(v - theirs.grads[key][i])));
      expect(worst / scale).toBeLessThan(1e-5);
    }
  });

  /** 20 SGD steps from a fresh seeded MLP (recording every step with `recorder`); the final weights and tensor counts. */
  function train(recorder?: GradientRecorder): { weights: Buffer; tensorCounts: number[] } {
    const mlp = buildMlp(config, 784, 10, 9);
    const context: StepContext = {
      model: mlp,
      optimizer: createOptimizer({ name: 'sgd', learningRate: 3 }),
      loss: lossOf({ loss }, {}, mlp.layers[mlp.layers.length - 1].activation),
      l2Coefficient: 0,
    };
    const tensorCounts: number[] = [];
    for (let step = 0; step < 20; step++) {
      tf.tidy(() => {
        const { x, y } = batch(10, step);
        trainStep(context, x, y, recorder ? { recorder, step, epoch: 1 } : undefined);
      });
      recorder?.flush();
      tensorCounts.push(tf.memory().numTensors);
    }
    const weights = Buffer.concat(mlp.variables.map((v) => Buffer.from((v.dataSync() as Float32Array).buffer)));
    context.optimizer.dispose();
    mlp.dispose();
    return { weights, tensorCounts };
  }

  test.each(PATHS)('%s: recording every step (probes, statistics) changes no weight, bit for bit', (path) => {
    usePath(path);
    const recorder = new GradientRecorder();
    const recorded = train(recorder);
    recorder.dispose();
    expect(recorded.weights.equals(train().weights)).toBe(true);
    expect(new Set(recorded.tensorCounts).size).toBe(1);
  });

  test.each(PATHS)('%s: 20 training steps are bitwise identical across two runs, with a flat tensor count', (path) => {
    usePath(path);
    const first = train();
    const second = train();
    expect(second.weights.equals(first.weights)).toBe(true);
    expect(new Set(first.tensorCounts).size).toBe(1);
  });
});
