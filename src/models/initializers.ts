// Initialiser registry: seeded functions from a shape and its fans to a tensor. Conventions follow Keras.
import * as tf from '@tensorflow/tfjs';

/** Parameters an initialiser block may carry (`kernelInitializer: {name: normal, stddev: 0.1}`). */
export interface InitializerParams {
  mean?: number;
  stddev?: number;
  min?: number;
  max?: number;
  value?: number;
}

/** What an initialiser gets: the shape, fans (for a kernel [in,out]: fanIn = in, fanOut = out) and a seed ≠ 0. */
export interface InitContext {
  shape: number[];
  fanIn: number;
  fanOut: number;
  seed: number;
}

export interface InitializerDefinition {
  summary: string;
  /** Parameter names this initialiser accepts, with defaults. */
  params: Partial<Record<keyof InitializerParams, number>>;
  create(context: InitContext, params: Required<InitializerParams>): tf.Tensor;
}

/**
 * Keras draws the "normal" variance-scaling initialisers from a normal truncated at 2σ, whose stddev is
 * 0.87962566103423978 of the untruncated one; dividing by it restores the intended variance.
 */
const TRUNCATION_CORRECTION = 0.87962566103423978;

const truncated = (c: InitContext, variance: number) =>
  tf.truncatedNormal(c.shape, 0, Math.sqrt(variance) / TRUNCATION_CORRECTION, 'float32', c.seed);
const uniform = (c: InitContext, limit: number) => tf.randomUniform(c.shape, -limit, limit, 'float32', c.seed);

export const INITIALIZERS = {
  zeros: { summary: 'All zeros.', params: {}, create: (c) => tf.zeros(c.shape) },
  constant: { summary: 'Every entry equal to `value`.', params: { value: 0 }, create: (c, p) => tf.fill(c.shape, p.value) },
  normal: {
    summary: 'N(mean, stddev²); Nielsen\'s "large" weights and biases are normal with the defaults N(0, 1).',
    params: { mean: 0, stddev: 1 },
    create: (c, p) => tf.randomNormal(c.shape, p.mean, p.stddev, 'float32', c.seed),
  },
  uniform: {
    summary: 'U(min, max).',
    params: { min: -0.05, max: 0.05 },
    create: (c, p) => tf.randomUniform(c.shape, p.min, p.max, 'float32', c.seed),
  },
  'normal-fan-in': {
    summary: "N(0, 1/fan_in): Nielsen's improved weight initialisation (chapter 3).",
    params: {},
    create: (c) => tf.randomNormal(c.shape, 0, 1 / Math.sqrt(c.fanIn), 'float32', c.seed),
  },
  'glorot-uniform': {
    summary: 'U(±√(6/(fan_in+fan_out))), Glorot & Bengio 2010; the Keras default.',
    params: {},
    create: (c) => uniform(c, Math.sqrt(6 / (c.fanIn + c.fanOut))),
  },
  'glorot-normal': {
    summary: 'Truncated normal with variance 2/(fan_in+fan_out).',
    params: {},
    create: (c) => truncated(c, 2 / (c.fanIn + c.fanOut)),
  },
  'he-uniform': { summary: 'U(±√(6/fan_in)), He et al. 2015.', params: {}, create: (c) => uniform(c, Math.sqrt(6 / c.fanIn)) },
  'he-normal': { summary: 'Truncated normal with variance 2/fan_in.', params: {}, create: (c) => truncated(c, 2 / c.fanIn) },
  'lecun-normal': { summary: 'Truncated normal with variance 1/fan_in.', params: {}, create: (c) => truncated(c, 1 / c.fanIn) },
} satisfies Record<string, InitializerDefinition>;

export type InitializerName = keyof typeof INITIALIZERS;
export const INITIALIZER_NAMES = Object.keys(INITIALIZERS) as [InitializerName, ...InitializerName[]];

const NO_PARAMS: Required<InitializerParams> = { mean: 0, stddev: 1, min: -0.05, max: 0.05, value: 0 };

/** Creates the tensor for `name` with `params` over the initialiser's own defaults. */
export function initialize(name: InitializerName, context: InitContext, params: InitializerParams = {}): tf.Tensor {
  // tfjs treats a seed of 0 as "no seed" in its normal-family samplers and draws from Math.random.
  if (context.seed === 0) throw new RangeError(`initializer "${name}": seed must be non-zero (tfjs ignores a seed of 0)`);
  const definition: InitializerDefinition = INITIALIZERS[name];
  return definition.create(context, { ...NO_PARAMS, ...definition.params, ...params });
}
