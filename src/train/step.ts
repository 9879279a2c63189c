// One training step owned by the harness: computeGradients → gradient hooks → applyGradients → dispose.
import * as tf from '@tensorflow/tfjs';
import type { Batch } from '../data/batches';
import type { GradientRecorder } from '../hooks/recorder';
import { lossWithGradient, type Loss } from '../losses/registry';
import type { Mlp } from '../models/mlp';

/** Everything a step needs besides the batch. */
export interface StepContext {
  mlp: Mlp;
  optimizer: tf.Optimizer;
  /** The run's loss, bound to its output activation, reduction and gradient mode (train/run-functions.ts). */
  loss: Loss;
  /** λ/(2n) of Nielsen's L2 term (λ/2n)·Σw² over kernels; 0 for none. */
  l2Coefficient: number;
}

/** Where the hooks record on this step (omit on steps that are not recorded: no probes, no overhead). */
export interface RecordAt {
  recorder: GradientRecorder;
  step: number;
  epoch: number;
}

/**
 * The training objective on a batch: the loss of the output pre-activations (with the gradient mode of
 * `loss.gradient`) plus the L2 term. With `record`, pre-activations are probed and saturation is kept.
 */
export function objective(context: StepContext, x: tf.Tensor2D, y: tf.Tensor2D, record?: RecordAt): tf.Scalar {
  const { mlp, loss, l2Coefficient } = context;
  const pass = mlp.forward(x, record ? record.recorder.tap(record.step, record.epoch) : undefined);
  if (record) record.recorder.recordSaturation(mlp, pass);
  const logits = pass.preactivations[pass.preactivations.length - 1];
  let value = lossWithGradient(loss, logits, y);
  if (l2Coefficient > 0) {
    const squares = tf.addN(mlp.layers.map((l) => tf.sum(tf.square(l.kernel))));
    value = tf.add(value, tf.mul(squares, l2Coefficient));
  }
  return value;
}

/** One SGD-family step on (x, y). Returns the batch loss (owned by the caller); everything else is disposed. */
export function trainStep(context: StepContext, x: tf.Tensor2D, y: tf.Tensor2D, record?: RecordAt): tf.Scalar {
  const { value, grads } = context.optimizer.computeGradients(() => objective(context, x, y, record), context.mlp.variables);
  if (record) record.recorder.recordParameterGrads(record.step, record.epoch, context.mlp, grads);
  context.optimizer.applyGradients(grads);
  tf.dispose(grads);
  return value;
}

/** Whether the hooks record on `step`: step 0 (before any update) and every `every` steps after; never when 0. */
export function isRecordedStep(step: number, every: number): boolean {
  return every > 0 && step % every === 0;
}

/**
 * trainStep on a batch from BatchBuilder: its reused typed arrays become x [size, features] and y [size, classes]
 * inside a tidy, so nothing but the returned loss outlives the step (and the buffers may be refilled after it).
 */
export function trainStepOnBatch(context: StepContext, batch: Batch, record?: RecordAt): tf.Scalar {
  return tf.tidy(() => {
    const x = tf.tensor2d(batch.x, [batch.size, batch.x.length / batch.size]);
    const y = tf.tensor2d(batch.y, [batch.size, batch.y.length / batch.size]);
    return trainStep(context, x, y, record);
  });
}

/** Gradients of the objective for every variable, without updating (for tests and finite differences). */
export function objectiveGradients(
  context: StepContext,
  x: tf.Tensor2D,
  y: tf.Tensor2D,
  record?: RecordAt,
): { value: tf.Scalar; grads: tf.NamedTensorMap } {
  return tf.variableGrads(() => objective(context, x, y, record), context.mlp.variables);
}
