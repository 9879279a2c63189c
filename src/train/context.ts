// What a training step needs besides the batch: the model, the optimiser, the loss block and the L2 coefficient.
import type * as tf from '@tensorflow/tfjs';
import type { RunConfig } from '../config/schema';
import type { LossOptions } from '../losses/registry';
import type { Mlp } from '../models/mlp';

/** Everything a step needs besides the batch. */
export interface StepContext {
  mlp: Mlp;
  optimizer: tf.Optimizer;
  loss: RunConfig['loss'];
  /** λ/(2n) of Nielsen's L2 term (λ/2n)·Σw² over kernels; 0 for none. */
  l2Coefficient: number;
}

/** The options the loss is computed with: the run's loss block and the model's output activation. */
export function lossOptions(mlp: Mlp, loss: RunConfig['loss']): LossOptions {
  return { output: mlp.layers[mlp.layers.length - 1].activation, outputs: loss.outputs, scale: loss.scale, labelSmoothing: loss.labelSmoothing };
}
