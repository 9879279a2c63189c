// Layer registry for layer stacks: each type's settings, its resolved form, output shape, parameters, forward step
// and its tf.layers twin (for the saved model). Channels last: an image is [height, width, channels].
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { HIDDEN_ACTIVATION_NAMES, type LayersActivation } from './activations';
import { InitializerSchema, ResolvedInitializerSchema, type LayersInitializer } from './initializers';
import type { ParameterLayerKind } from './model';

/** A shape without the batch axis: [height, width, channels] for an image, [units] when flat. */
export type Shape = readonly number[];

const Size = z.union([z.int().min(1), z.tuple([z.int().min(1), z.int().min(1)])]);
const Pair = z.tuple([z.int().min(1), z.int().min(1)]);
const Padding = z.enum(['valid', 'same']);
const Activation = z.enum(HIDDEN_ACTIVATION_NAMES);

const CONV2D = z.strictObject({
  type: z.literal('conv2d'),
  filters: z.int().min(1).describe('Output channels'),
  kernelSize: Size.describe('Kernel height and width: n for n×n, or [height, width]'),
  strides: Size.default(1).describe('Step between kernel positions: n, or [height, width]'),
  padding: Padding.default('valid').describe('valid: only where the kernel fits; same: zero-padded to ceil(input / stride)'),
  activation: Activation.optional().describe("Defaults to the model's hiddenActivation"),
  kernelInitializer: InitializerSchema.optional().describe("Defaults to the model's kernelInitializer"),
  biasInitializer: InitializerSchema.optional().describe("Defaults to the model's biasInitializer"),
});
const POOL_SETTINGS = {
  poolSize: Size.default(2).describe('Window height and width: n for n×n, or [height, width]'),
  strides: Size.optional().describe('Step between windows; defaults to poolSize'),
  padding: Padding.default('valid').describe('valid: only whole windows; same: partial windows at the border'),
};
const MAX_POOL_2D = z.strictObject({ type: z.literal('maxPool2d'), ...POOL_SETTINGS });
const AVG_POOL_2D = z.strictObject({ type: z.literal('avgPool2d'), ...POOL_SETTINGS });
const FLATTEN = z.strictObject({ type: z.literal('flatten') });
const DENSE = z.strictObject({
  type: z.literal('dense'),
  units: z.int().min(1),
  activation: Activation.optional().describe("Defaults to the model's hiddenActivation"),
  kernelInitializer: InitializerSchema.optional().describe("Defaults to the model's kernelInitializer"),
  biasInitializer: InitializerSchema.optional().describe("Defaults to the model's biasInitializer"),
});
const DROPOUT = z.strictObject({
  type: z.literal('dropout'),
  rate: z.number().min(0).lt(1).describe('Fraction of inputs zeroed in training steps (kept ones scaled by 1/(1−rate)); off in evaluation'),
});

/** One layer of `model.layers` as written in an experiment file. */
export const LayerSchema = z.discriminatedUnion('type', [CONV2D, MAX_POOL_2D, AVG_POOL_2D, FLATTEN, DENSE, DROPOUT]);
export type LayerSettings = z.output<typeof LayerSchema>;

const RESOLVED_POOL = { poolSize: Pair, strides: Pair, padding: Padding };
/** A layer with every default filled in: sizes as [height, width] pairs, activation and initialisers explicit. */
export const ResolvedLayerSchema = z.discriminatedUnion('type', [
  CONV2D.extend({
    kernelSize: Pair,
    strides: Pair,
    activation: Activation,
    kernelInitializer: ResolvedInitializerSchema,
    biasInitializer: ResolvedInitializerSchema,
  }),
  MAX_POOL_2D.extend(RESOLVED_POOL),
  AVG_POOL_2D.extend(RESOLVED_POOL),
  FLATTEN,
  DENSE.extend({ activation: Activation, kernelInitializer: ResolvedInitializerSchema, biasInitializer: ResolvedInitializerSchema }),
  DROPOUT,
]);
export type ResolvedLayer = z.output<typeof ResolvedLayerSchema>;
export type LayerType = ResolvedLayer['type'];
type LayerOf<T extends LayerType> = Extract<ResolvedLayer, { type: T }>;

/** Kernel and bias shapes of a parameter layer, and the fans its initialisers scale by. */
export interface ParameterShapes {
  kernel: number[];
  bias: number[];
  fanIn: number;
  fanOut: number;
}

/** What the tf.layers twin of a parameter layer records besides its shape: its activation and initializers. */
export interface ToLayerOptions {
  /** The tfjs-layers activation (the model's bound activation; 'linear' for a module's, which tfjs cannot name). */
  activation?: LayersActivation;
  /** The tfjs-layers initializers that drew the kernel and bias (absent: tfjs's defaults, and none recorded). */
  initializers?: { kernel: LayersInitializer; bias: LayersInitializer };
}

/** What the forward step of a parameterless layer needs. */
export interface StepOptions {
  /** Training step (dropout active), with the seed of this layer's mask; undefined in evaluation. */
  training?: { seed: number };
}

export interface LayerDefinition<L extends ResolvedLayer> {
  /** One line for the docs. */
  summary: string;
  /** Set for layers with a kernel and a bias (rows in gradients.csv), undefined for the rest. */
  kind?: ParameterLayerKind;
  /** The output shape for an input shape, or why the layer cannot take that input (a sentence with the fix). */
  outputShape(layer: L, input: Shape): Shape | string;
  /** Kernel and bias shapes for an input shape (parameter layers only). */
  parameterShapes?(layer: L, input: Shape): ParameterShapes;
  /** The pre-activation z = f(x; kernel) + bias of a parameter layer. */
  preactivation?(layer: L, x: tf.Tensor, kernel: tf.Tensor, bias: tf.Tensor): tf.Tensor;
  /** The output of a parameterless layer. */
  apply?(layer: L, x: tf.Tensor, options: StepOptions): tf.Tensor;
  /** The equivalent tf.layers layer, for the saved LayersModel (weights set afterwards). */
  toLayer(layer: L, name: string, options?: ToLayerOptions): tf.layers.Layer;
  /** A short token for the compact architecture text, e.g. conv6@5x5 or maxpool2x2. */
  token(layer: L): string;
}

const isImage = (shape: Shape) => shape.length === 3;
/** "12×12×6" for an image, "864" when flat. */
export const shapeText = (shape: Shape) => shape.join('×');
const pairText = ([h, w]: readonly [number, number]) => `${h}×${w}`;
const tokenPair = ([h, w]: readonly [number, number]) => `${h}x${w}`;

/**
 * Output height and width of a window of `size` moved by `strides` over [height, width] (as tfjs computes them):
 * valid: floor((in − size) / stride) + 1, zero or less when the window is larger than the input; same: ceil(in / stride).
 */
export function windowOutput(
  [height, width]: readonly number[],
  size: readonly [number, number],
  strides: readonly [number, number],
  padding: 'valid' | 'same',
): [number, number] {
  const along = (input: number, k: number, s: number) => (padding === 'same' ? Math.ceil(input / s) : Math.floor((input - k) / s) + 1);
  return [along(height, size[0], strides[0]), along(width, size[1], strides[1])];
}

const NEEDS_IMAGE = (input: Shape) =>
  `needs an image input (height×width×channels) but receives a flat ${shapeText(input)}: ` +
  'put it before the flatten layer, or remove the flatten before it';

/** Output shape of a window layer (conv2d or pooling) on an image, or why it is empty. */
function windowShape(
  what: string,
  size: readonly [number, number],
  strides: readonly [number, number],
  padding: 'valid' | 'same',
  input: Shape,
  channels: number,
): Shape | string {
  if (!isImage(input)) return NEEDS_IMAGE(input);
  const [height, width] = windowOutput(input, size, strides, padding);
  if (height < 1 || width < 1) {
    return (
      `${what} ${pairText(size)} is larger than its ${shapeText(input)} input, so padding: valid leaves ` +
      `${Math.max(0, height)}×${Math.max(0, width)} outputs: use padding: same, or a ${what} of at most ${input[0]}×${input[1]}`
    );
  }
  return [height, width, channels];
}

type PoolLayer = LayerOf<'maxPool2d'> | LayerOf<'avgPool2d'>;

function pool<L extends PoolLayer>(kind: 'max' | 'avg'): LayerDefinition<L> {
  return {
    summary:
      kind === 'max'
        ? 'Largest value of each poolSize window, per channel.'
        : 'Mean of each poolSize window, per channel; with padding: same, border windows average their in-bounds values only.',
    outputShape: (layer: L, input: Shape) => windowShape('poolSize', layer.poolSize, layer.strides, layer.padding, input, input[2]),
    apply: (layer: L, x: tf.Tensor) =>
      (kind === 'max' ? tf.maxPool : tf.avgPool)(x as tf.Tensor4D, layer.poolSize, layer.strides, layer.padding),
    toLayer: (layer: L, name: string) =>
      (kind === 'max' ? tf.layers.maxPooling2d : tf.layers.averagePooling2d)({
        poolSize: [layer.poolSize[0], layer.poolSize[1]],
        strides: [layer.strides[0], layer.strides[1]],
        padding: layer.padding,
        name,
      }),
    token: (layer: L) =>
      `${kind}pool${tokenPair(layer.poolSize)}` +
      (layer.strides[0] !== layer.poolSize[0] || layer.strides[1] !== layer.poolSize[1] ? `/s${tokenPair(layer.strides)}` : '') +
      (layer.padding === 'same' ? '/same' : ''),
  };
}

export const LAYERS: { [T in LayerType]: LayerDefinition<LayerOf<T>> } = {
  conv2d: {
    summary: 'A 2-D convolution: filters kernels of kernelSize × input channels, a bias per filter, then the activation.',
    kind: 'conv2d',
    outputShape: (layer, input) => windowShape('kernelSize', layer.kernelSize, layer.strides, layer.padding, input, layer.filters),
    // Keras' fans for a convolution: the receptive field times the input channels (in) or the filters (out).
    parameterShapes: (layer, input) => {
      const [height, width] = layer.kernelSize;
      return {
        kernel: [height, width, input[2], layer.filters],
        bias: [layer.filters],
        fanIn: height * width * input[2],
        fanOut: height * width * layer.filters,
      };
    },
    preactivation: (layer, x, kernel, bias) =>
      tf.add(tf.conv2d(x as tf.Tensor4D, kernel as tf.Tensor4D, layer.strides, layer.padding), bias) as tf.Tensor,
    toLayer: (layer, name, options = {}) =>
      tf.layers.conv2d({
        filters: layer.filters,
        kernelSize: [layer.kernelSize[0], layer.kernelSize[1]],
        strides: [layer.strides[0], layer.strides[1]],
        padding: layer.padding,
        activation: options.activation ?? layer.activation,
        name,
        kernelInitializer: options.initializers?.kernel,
        biasInitializer: options.initializers?.bias,
      }),
    token: (layer) =>
      `conv${layer.filters}@${tokenPair(layer.kernelSize)}` +
      (layer.strides[0] !== 1 || layer.strides[1] !== 1 ? `/s${tokenPair(layer.strides)}` : '') +
      (layer.padding === 'same' ? '/same' : ''),
  },
  maxPool2d: pool('max'),
  avgPool2d: pool('avg'),
  flatten: {
    summary: 'Reshapes an image to a flat vector (row by row, channels innermost); a flat input passes unchanged.',
    outputShape: (_layer, input) => [input.reduce((a, b) => a * b, 1)],
    apply: (_layer, x) => tf.reshape(x, [x.shape[0], -1]),
    toLayer: (_layer, name) => tf.layers.flatten({ name }),
    token: () => 'flatten',
  },
  dense: {
    summary: 'A fully connected layer: units outputs from a flat input, then the activation.',
    kind: 'dense',
    outputShape: (layer, input) =>
      isImage(input) ? `needs a flat input but receives a ${shapeText(input)} image: add { type: flatten } before it` : [layer.units],
    parameterShapes: (layer, input) => ({ kernel: [input[0], layer.units], bias: [layer.units], fanIn: input[0], fanOut: layer.units }),
    preactivation: (_layer, x, kernel, bias) => tf.add(tf.matMul(x as tf.Tensor2D, kernel as tf.Tensor2D), bias) as tf.Tensor,
    toLayer: (layer, name, options = {}) =>
      tf.layers.dense({
        units: layer.units,
        activation: options.activation ?? layer.activation,
        name,
        kernelInitializer: options.initializers?.kernel,
        biasInitializer: options.initializers?.bias,
      }),
    token: (layer) => String(layer.units),
  },
  dropout: {
    summary: 'Zeroes each input with probability rate in training steps and scales the rest by 1/(1−rate); the identity in evaluation.',
    outputShape: (_layer, input) => input,
    apply: (layer, x, options) =>
      options.training === undefined || layer.rate === 0 ? x : tf.dropout(x, layer.rate, undefined, options.training.seed),
    toLayer: (layer, name) => tf.layers.dropout({ rate: layer.rate, name }),
    token: (layer) => `dropout${layer.rate}`,
  },
};

/** Layer type names, in registry order (for messages and docs). */
export const LAYER_TYPES = Object.keys(LAYERS) as LayerType[];

/** The kinds of layer with parameters (gradients.csv's layer_kind values), from the registry, in its order. */
export function parameterLayerKinds(): ParameterLayerKind[] {
  return [...new Set(LAYER_TYPES.flatMap((type) => LAYERS[type].kind ?? []))];
}

/** The registry entry of `layer`, typed for it. */
export function layerDefinition<L extends ResolvedLayer>(layer: L): LayerDefinition<L> {
  return LAYERS[layer.type] as unknown as LayerDefinition<L>;
}

/** Number of trainable values of a layer on `input` (0 for parameterless layers). */
export function parameterCount(layer: ResolvedLayer, input: Shape): number {
  const shapes = layerDefinition(layer).parameterShapes?.(layer, input);
  if (!shapes) return 0;
  const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
  return size(shapes.kernel) + size(shapes.bias);
}
