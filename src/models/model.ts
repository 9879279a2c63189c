// What the trainer, the hooks and the savers need from a network, whether an MLP or a layer stack.
import type * as tf from '@tensorflow/tfjs';
import type { Activation } from './activations';
import type { LayersInitializer } from './initializers';

/** The kinds of layer that carry parameters, as written in gradients.csv's `layer_kind` column. */
export const PARAMETER_LAYER_KINDS = ['dense', 'conv2d'] as const;
export type ParameterLayerKind = (typeof PARAMETER_LAYER_KINDS)[number];

/**
 * A layer with a kernel and a bias: z = x·kernel + bias (dense, kernel [in, out]) or z = conv(x, kernel) + bias
 * (conv2d, kernel [height, width, inChannels, filters]); a = activation(z). The hooks record one kernel, bias and
 * pre-activation row per parameter layer, numbered from 0 at the input side.
 */
export interface ParameterLayer {
  kind: ParameterLayerKind;
  kernel: tf.Variable;
  bias: tf.Variable;
  /** Shape of one example's pre-activation z: [units] for dense, [height, width, filters] for conv2d. */
  preactivationShape: readonly number[];
  /** The activation, bound (the output layer's may be a user's module). */
  activation: Activation;
  /** How kernel and bias were drawn, as tfjs-layers initializers (for model.json); absent if not known. */
  initializers?: { kernel: LayersInitializer; bias: LayersInitializer };
}

/** What one forward pass produced; every tensor is owned by the caller (or the enclosing tidy). */
export interface ForwardPass {
  /** Pre-activations z of each parameter layer, input side first ([N, units] or [N, H, W, C]); the last is the logits. */
  preactivations: tf.Tensor[];
  /** Activations a = f(z) of each parameter layer, before any dropout that follows it. */
  activations: tf.Tensor[];
}

/** Wraps a parameter layer's pre-activation, e.g. with a gradient probe; must return a new tensor equal to z. */
export type PreactivationTap = (z: tf.Tensor, layer: number) => tf.Tensor;

/** How a training forward pass runs. */
export interface ForwardOptions {
  /** Sees each pre-activation before its activation is applied (a probe there receives ∂L/∂z). */
  tap?: PreactivationTap;
  /** The training step: dropout masks are drawn from (run seed, layer, step), so a run is deterministic. */
  step?: number;
}

/** A trainable network on flat inputs [N, features] with numClasses outputs. */
export interface Model {
  /** Layers with parameters, input side first; the last is the output layer. */
  readonly parameterLayers: readonly ParameterLayer[];
  /** Trainable variables in a fixed order: layer 0 kernel, layer 0 bias, layer 1 kernel, … */
  readonly variables: tf.Variable[];
  /** Values one example produces across all layer outputs (sizes evaluation chunks so memory stays bounded). */
  readonly activationSize: number;
  /** The training forward pass (dropout active): pre-activations and activations of every parameter layer. */
  forward(x: tf.Tensor2D, options?: ForwardOptions): ForwardPass;
  /** Output logits [N, numClasses] for evaluation (dropout inactive). */
  logits(x: tf.Tensor2D): tf.Tensor2D;
  dispose(): void;
}
