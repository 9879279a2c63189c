// Initialiser registry: each entry is a distribution for a tensor's fans, drawn with a seed (initialize) and recorded
// as its tfjs-layers equivalent in saved models (layersInitializer). Conventions follow Keras.
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';

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

/**
 * What an initialiser draws one tensor from, its parameters already resolved for that tensor's fans. Every
 * initialiser is one of these, so the tensor (initialize) and the saved model's record of it (layersInitializer)
 * cannot disagree.
 */
export type Distribution =
  | { kind: 'constant'; value: number }
  | { kind: 'normal'; mean: number; stddev: number }
  /** tf.truncatedNormal: a normal with this mean and stddev, redrawn beyond 2 stddev of the mean. */
  | { kind: 'truncated-normal'; mean: number; stddev: number }
  | { kind: 'uniform'; min: number; max: number };

export interface InitializerDefinition {
  summary: string;
  /** Parameter names this initialiser accepts, with defaults. */
  params: Partial<Record<keyof InitializerParams, number>>;
  /** The distribution for a tensor with these fans and parameters. */
  distribution(context: InitContext, params: Required<InitializerParams>): Distribution;
}

/**
 * Keras draws the "normal" variance-scaling initialisers from a normal truncated at 2σ, whose stddev is
 * 0.87962566103423978 of the untruncated one; dividing by it restores the intended variance.
 */
const TRUNCATION_CORRECTION = 0.87962566103423978;

const truncated = (variance: number): Distribution => ({
  kind: 'truncated-normal',
  mean: 0,
  stddev: Math.sqrt(variance) / TRUNCATION_CORRECTION,
});
const symmetricUniform = (limit: number): Distribution => ({ kind: 'uniform', min: -limit, max: limit });

export const INITIALIZERS = {
  zeros: { summary: 'All zeros.', params: {}, distribution: () => ({ kind: 'constant', value: 0 }) },
  constant: {
    summary: 'Every entry equal to `value`.',
    params: { value: 0 },
    distribution: (_c, p) => ({ kind: 'constant', value: p.value }),
  },
  normal: {
    summary: 'N(mean, stddev²); Nielsen\'s "large" weights and biases are normal with the defaults N(0, 1).',
    params: { mean: 0, stddev: 1 },
    distribution: (_c, p) => ({ kind: 'normal', mean: p.mean, stddev: p.stddev }),
  },
  uniform: {
    summary: 'U(min, max).',
    params: { min: -0.05, max: 0.05 },
    distribution: (_c, p) => ({ kind: 'uniform', min: p.min, max: p.max }),
  },
  'normal-fan-in': {
    summary: "N(0, 1/fan_in): Nielsen's improved weight initialisation (chapter 3).",
    params: {},
    distribution: (c) => ({ kind: 'normal', mean: 0, stddev: 1 / Math.sqrt(c.fanIn) }),
  },
  'glorot-uniform': {
    summary: 'U(±√(6/(fan_in+fan_out))), Glorot & Bengio 2010; the Keras default.',
    params: {},
    distribution: (c) => symmetricUniform(Math.sqrt(6 / (c.fanIn + c.fanOut))),
  },
  'glorot-normal': {
    summary: 'Truncated normal with variance 2/(fan_in+fan_out).',
    params: {},
    distribution: (c) => truncated(2 / (c.fanIn + c.fanOut)),
  },
  'he-uniform': { summary: 'U(±√(6/fan_in)), He et al. 2015.', params: {}, distribution: (c) => symmetricUniform(Math.sqrt(6 / c.fanIn)) },
  'he-normal': { summary: 'Truncated normal with variance 2/fan_in.', params: {}, distribution: (c) => truncated(2 / c.fanIn) },
  'lecun-normal': { summary: 'Truncated normal with variance 1/fan_in.', params: {}, distribution: (c) => truncated(1 / c.fanIn) },
} satisfies Record<string, InitializerDefinition>;

export type InitializerName = keyof typeof INITIALIZERS;
export const INITIALIZER_NAMES = Object.keys(INITIALIZERS) as [InitializerName, ...InitializerName[]];

/** An initialiser in an experiment file: a name, or a block with a name and parameters. */
export const InitializerSchema = z.union([
  z.enum(INITIALIZER_NAMES),
  z.strictObject({
    name: z.enum(INITIALIZER_NAMES),
    mean: z.number().optional().describe('normal: the mean'),
    stddev: z.number().positive().optional().describe('normal: the standard deviation'),
    min: z.number().optional().describe('uniform: lower bound'),
    max: z.number().optional().describe('uniform: upper bound'),
    value: z.number().optional().describe('constant: the value'),
  }),
]);
export type InitializerSpec = z.output<typeof InitializerSchema>;

/** An initialiser after resolution: its name and every parameter it takes, defaults filled in. */
export const ResolvedInitializerSchema = z.object({ name: z.enum(INITIALIZER_NAMES) }).catchall(z.union([z.number(), z.string()]));
export type ResolvedInitializer = z.output<typeof ResolvedInitializerSchema>;

const NO_PARAMS: Required<InitializerParams> = { mean: 0, stddev: 1, min: -0.05, max: 0.05, value: 0 };

/** The distribution `name` draws from in `context`, with `params` over the initialiser's own defaults. */
export function initializerDistribution(name: InitializerName, context: InitContext, params: InitializerParams = {}): Distribution {
  const definition: InitializerDefinition = INITIALIZERS[name];
  return definition.distribution(context, { ...NO_PARAMS, ...definition.params, ...params });
}

/** Creates the tensor for `name` with `params` over the initialiser's own defaults. */
export function initialize(name: InitializerName, context: InitContext, params: InitializerParams = {}): tf.Tensor {
  // tfjs treats a seed of 0 as "no seed" in its normal-family samplers and draws from Math.random.
  if (context.seed === 0) throw new RangeError(`initializer "${name}": seed must be non-zero (tfjs ignores a seed of 0)`);
  const d = initializerDistribution(name, context, params);
  const { shape, seed } = context;
  switch (d.kind) {
    case 'constant':
      return d.value === 0 ? tf.zeros(shape) : tf.fill(shape, d.value);
    case 'normal':
      return tf.randomNormal(shape, d.mean, d.stddev, 'float32', seed);
    case 'truncated-normal':
      return tf.truncatedNormal(shape, d.mean, d.stddev, 'float32', seed);
    case 'uniform':
      return tf.randomUniform(shape, d.min, d.max, 'float32', seed);
  }
}

/** A tfjs-layers initializer, as a saved model.json records it. */
export type LayersInitializer = ReturnType<typeof tf.initializers.zeros>;

/**
 * The tfjs-layers initializer that draws the same tensor as `initialize(name, context, params)`: the same tfjs op
 * with the same parameters and seed. The saved model.json records it, so it says how its weights were drawn.
 */
export function layersInitializer(name: InitializerName, context: InitContext, params: InitializerParams = {}): LayersInitializer {
  const d = initializerDistribution(name, context, params);
  const { seed } = context;
  switch (d.kind) {
    case 'constant':
      return d.value === 0 ? tf.initializers.zeros() : tf.initializers.constant({ value: d.value });
    case 'normal':
      return tf.initializers.randomNormal({ mean: d.mean, stddev: d.stddev, seed });
    case 'truncated-normal':
      return tf.initializers.truncatedNormal({ mean: d.mean, stddev: d.stddev, seed });
    case 'uniform':
      return tf.initializers.randomUniform({ minval: d.min, maxval: d.max, seed });
  }
}
