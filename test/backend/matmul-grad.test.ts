// The explicitly transposing BatchMatMul gradient gives the stock gradient's values for all four transpose flags.
// Registration is global to the jest worker, so it happens here, in a file of its own, in beforeAll.
import * as tf from '@tensorflow/tfjs';
import { registerTransposedMatMulGrad } from '../../src/backend/matmul-grad';

type Nested = number | Nested[];

interface Combo {
  transposeA: boolean;
  transposeB: boolean;
  /** Leading batch dimensions ([] for plain matrices). */
  batch: number[];
}

const [M, K, P] = [3, 4, 2];
const COMBOS: Combo[] = [[], [2]].flatMap((batch) =>
  [false, true].flatMap((transposeA) => [false, true].map((transposeB) => ({ transposeA, transposeB, batch }))),
);

/** Small multiples of ¼: every product and sum here is exact in float32, so results can be compared exactly. */
const filled = (count: number, seed: number) => Array.from({ length: count }, (_, i) => (((i * 7 + seed * 3) % 11) - 5) / 4);
const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** Stored shapes: op(A) is [M,K] and op(B) is [K,P], so A is [K,M] when transposed, B is [P,K]. */
const shapesOf = (c: Combo) => ({
  a: [...c.batch, ...(c.transposeA ? [K, M] : [M, K])],
  b: [...c.batch, ...(c.transposeB ? [P, K] : [K, P])],
  out: [...c.batch, M, P],
});

/** ∂/∂(A, B) of Σ W ⊙ op(A)·op(B) through tf.grads; asserts no tensor is left behind. */
function gradients(c: Combo): { a: Nested; b: Nested } {
  const shapes = shapesOf(c);
  const a = tf.tensor(filled(size(shapes.a), 1), shapes.a);
  const b = tf.tensor(filled(size(shapes.b), 2), shapes.b);
  const w = tf.tensor(filled(size(shapes.out), 3), shapes.out);
  const before = tf.memory().numTensors;
  const [da, db] = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(tf.matMul(x, y, c.transposeA, c.transposeB), w)))([a, b]);
  const result = { a: da.arraySync() as Nested, b: db.arraySync() as Nested };
  tf.dispose([da, db]);
  expect(tf.memory().numTensors).toBe(before);
  tf.dispose([a, b, w]);
  return result;
}

/** The same gradients in plain JS: d op(A) = W·op(B)ᵀ, d op(B) = op(A)ᵀ·W, transposed back where stored transposed. */
function handGradients(c: Combo): { a: Nested; b: Nested } {
  const shapes = shapesOf(c);
  const batches = size(c.batch);
  const aFlat = filled(size(shapes.a), 1);
  const bFlat = filled(size(shapes.b), 2);
  const wFlat = filled(size(shapes.out), 3);
  const da = new Array<number>(aFlat.length).fill(0);
  const db = new Array<number>(bFlat.length).fill(0);
  // Index of op(A)[i][k] and op(B)[k][j] in the stored, row-major operands of batch n.
  const aAt = (n: number, i: number, k: number) => n * M * K + (c.transposeA ? k * M + i : i * K + k);
  const bAt = (n: number, k: number, j: number) => n * K * P + (c.transposeB ? j * K + k : k * P + j);
  for (let n = 0; n < batches; n++)
    for (let i = 0; i < M; i++)
      for (let j = 0; j < P; j++) {
        const dy = wFlat[n * M * P + i * P + j];
        for (let k = 0; k < K; k++) {
          da[aAt(n, i, k)] += dy * bFlat[bAt(n, k, j)];
          db[bAt(n, k, j)] += dy * aFlat[aAt(n, i, k)];
        }
      }
  return {
    a: tf.tidy(() => tf.tensor(da, shapes.a).arraySync() as Nested),
    b: tf.tidy(() => tf.tensor(db, shapes.b).arraySync() as Nested),
  };
}

const label = (c: Combo) =>
  `${c.transposeA ? 'Aᵀ' : 'A'}·${c.transposeB ? 'Bᵀ' : 'B'}${c.batch.length ? `, batch [${c.batch.join(',')}]` : ''}`;

let stock: { a: Nested; b: Nested }[];
let transposed: { a: Nested; b: Nested }[];
let stockGradient: tf.GradConfig;

beforeAll(async () => {
  await tf.setBackend('cpu');
  stockGradient = tf.getGradient(tf.BatchMatMul);
  stock = COMBOS.map(gradients);
  registerTransposedMatMulGrad();
  transposed = COMBOS.map(gradients);
});

test('registering replaces the BatchMatMul gradient, once', () => {
  const registered = tf.getGradient(tf.BatchMatMul);
  expect(registered.gradFunc).not.toBe(stockGradient.gradFunc);
  expect(registered.inputsToSave).toEqual(['a', 'b']);
  registerTransposedMatMulGrad();
  expect(tf.getGradient(tf.BatchMatMul)).toBe(registered);
});

describe.each(COMBOS.map((c, index) => ({ index, name: label(c), combo: c })))('$name', ({ index, combo }) => {
  test('the stock gradient matches the hand computation', () => {
    expect(stock[index]).toEqual(handGradients(combo));
  });

  test('the transposing gradient gives exactly the stock values', () => {
    expect(transposed[index]).toEqual(stock[index]);
  });
});
