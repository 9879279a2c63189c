// Initialiser registry: sample mean, stddev and limits against each formula, seeding, params, and the seed-0 guard.
import * as tf from '@tensorflow/tfjs';
import {
  INITIALIZER_NAMES,
  initialize,
  type InitContext,
  type InitializerName,
  type InitializerParams,
} from '../../src/models/initializers';

const FAN_IN = 200;
const FAN_OUT = 300;
/** A kernel [fanIn, fanOut]: 60,000 draws put the sample stddev within ~0.3% (1/√(2n)) of the true one. */
const KERNEL: InitContext = { shape: [FAN_IN, FAN_OUT], fanIn: FAN_IN, fanOut: FAN_OUT, seed: 42 };
/** Stddev within 2% (≈ 7 standard errors), mean within 5 standard errors std/√n. */
const STD_TOLERANCE = 0.02;
const MEAN_STANDARD_ERRORS = 5;
/** Keras's 2σ-truncated normal keeps this fraction of the untruncated stddev; the registry divides by it. */
const TRUNCATED_STD_RATIO = 0.87962566103423978;

interface Row {
  label: string;
  params?: InitializerParams;
  mean: number;
  std: number;
  /** Every sample lies in [low, high]; for a uniform or a truncated normal the extremes come close to them. */
  bounds?: [number, number];
  /** Every sample equals this (zeros, constant). */
  constant?: number;
}

const glorotLimit = Math.sqrt(6 / (FAN_IN + FAN_OUT));
const heLimit = Math.sqrt(6 / FAN_IN);
/** A normal truncated at ±2σ′ with σ′ = σ/0.8796 (so the result has stddev σ). */
const truncatedRow = (label: string, std: number): Row => {
  const edge = (2 * std) / TRUNCATED_STD_RATIO;
  return { label, mean: 0, std, bounds: [-edge, edge] };
};

/** Expected statistics per initialiser; a registry initialiser without a row fails the coverage test. */
const ROWS: Record<InitializerName, Row[]> = {
  zeros: [{ label: 'all 0', mean: 0, std: 0, constant: 0 }],
  constant: [
    { label: 'default value 0', mean: 0, std: 0, constant: 0 },
    { label: '{value: 0.5}', params: { value: 0.5 }, mean: 0.5, std: 0, constant: 0.5 },
  ],
  normal: [
    { label: 'default N(0, 1)', mean: 0, std: 1 },
    { label: '{mean: 1, stddev: 2}', params: { mean: 1, stddev: 2 }, mean: 1, std: 2 },
  ],
  uniform: [
    { label: 'default U(−0.05, 0.05)', mean: 0, std: 0.1 / Math.sqrt(12), bounds: [-0.05, 0.05] },
    { label: '{min: −2, max: 3}', params: { min: -2, max: 3 }, mean: 0.5, std: 5 / Math.sqrt(12), bounds: [-2, 3] },
  ],
  'normal-fan-in': [{ label: 'std 1/√fanIn', mean: 0, std: 1 / Math.sqrt(FAN_IN) }],
  'glorot-uniform': [
    { label: 'U(±√(6/(fanIn+fanOut))), std limit/√3', mean: 0, std: glorotLimit / Math.sqrt(3), bounds: [-glorotLimit, glorotLimit] },
  ],
  'glorot-normal': [truncatedRow('std √(2/(fanIn+fanOut))', Math.sqrt(2 / (FAN_IN + FAN_OUT)))],
  'he-uniform': [{ label: 'U(±√(6/fanIn)), std limit/√3', mean: 0, std: heLimit / Math.sqrt(3), bounds: [-heLimit, heLimit] }],
  'he-normal': [truncatedRow('std √(2/fanIn)', Math.sqrt(2 / FAN_IN))],
  'lecun-normal': [truncatedRow('std √(1/fanIn)', Math.sqrt(1 / FAN_IN))],
};

/** The samples of `name` as float64, leaving no tensor behind. */
function sample(name: InitializerName, context: InitContext, params?: InitializerParams): Float32Array {
  const before = tf.memory().numTensors;
  const tensor = initialize(name, context, params);
  expect(tensor.shape).toEqual(context.shape);
  expect(tf.memory().numTensors).toBe(before + 1);
  const values = tensor.dataSync() as Float32Array;
  tensor.dispose();
  return values;
}

function stats(values: Float32Array): { mean: number; std: number; min: number; max: number } {
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    sum += v;
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  const mean = sum / values.length;
  let squares = 0;
  for (const v of values) squares += (v - mean) ** 2;
  return { mean, std: Math.sqrt(squares / values.length), min, max };
}

const isRandom = (name: InitializerName) => ROWS[name].every((row) => row.constant === undefined);

beforeAll(async () => {
  await tf.setBackend('cpu');
});

test('every registry initialiser has a row, and every row is a registry initialiser', () => {
  expect(Object.keys(ROWS).sort()).toEqual([...INITIALIZER_NAMES].sort());
});

describe.each(INITIALIZER_NAMES.flatMap((name) => ROWS[name].map((row) => ({ name, ...row }))))('$name $label', (row) => {
  test('sample mean, stddev and limits follow the formula', () => {
    const values = sample(row.name, KERNEL, row.params);
    const { mean, std, min, max } = stats(values);
    if (row.constant !== undefined) {
      expect(min).toBe(row.constant);
      expect(max).toBe(row.constant);
      return;
    }
    expect(Math.abs(std - row.std)).toBeLessThanOrEqual(STD_TOLERANCE * row.std);
    expect(Math.abs(mean - row.mean)).toBeLessThanOrEqual((MEAN_STANDARD_ERRORS * row.std) / Math.sqrt(values.length));
    if (row.bounds) {
      const [low, high] = row.bounds;
      // float32 rounding of the limits themselves: allow one part in 10⁶.
      const slack = 1e-6 * (high - low);
      expect(min).toBeGreaterThanOrEqual(low - slack);
      expect(max).toBeLessThanOrEqual(high + slack);
      // 60,000 draws reach within 2% of both ends, so a narrower range than the formula's would fail.
      expect(min).toBeLessThan(low + 0.02 * (high - low));
      expect(max).toBeGreaterThan(high - 0.02 * (high - low));
    }
  });
});

describe.each(INITIALIZER_NAMES)('%s seeding', (name) => {
  test('the same seed gives identical values; a different seed differs when the initialiser is random', () => {
    const params = ROWS[name][ROWS[name].length - 1].params;
    const small = { ...KERNEL, shape: [20, 30] };
    const first = Array.from(sample(name, small, params));
    const again = Array.from(sample(name, small, params));
    const other = Array.from(sample(name, { ...small, seed: 43 }, params));
    expect(again).toEqual(first);
    if (isRandom(name)) expect(other).not.toEqual(first);
    else expect(other).toEqual(first);
  });

  test('a bias shape [fanOut] works with the layer fans', () => {
    const values = sample(name, { ...KERNEL, shape: [FAN_OUT] }, ROWS[name][0].params);
    expect(values).toHaveLength(FAN_OUT);
  });

  test('seed 0 is refused (tfjs would draw from Math.random)', () => {
    expect(() => initialize(name, { ...KERNEL, seed: 0 })).toThrow(
      new RangeError(`initializer "${name}": seed must be non-zero (tfjs ignores a seed of 0)`),
    );
  });
});
