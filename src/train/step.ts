// One training step owned by the harness: gradients → gradient hooks → applyGradients → dispose.
import * as tf from '@tensorflow/tfjs';
import type { Batch } from '../data/batches';
import type { GradientRecorder } from '../hooks/recorder';
import { lossWithGradient, type Loss } from '../losses/registry';
import type { Model } from '../models/model';

/** Everything a step needs besides the batch. */
export interface StepContext {
  model: Model;
  optimizer: tf.Optimizer;
  /** The run's loss, bound to its output activation, reduction and gradient mode (train/run-functions.ts). */
  loss: Loss;
  /** λ/(2n) of Nielsen's L2 term (λ/2n)·Σw² over kernels; 0 for none. */
  l2Coefficient: number;
}

/** Which training step this is: dropout masks are drawn from it. */
export interface StepAt {
  step: number;
  epoch: number;
}

/** A recorded step: where the hooks record (steps that are not recorded have no probes, no overhead). */
export interface RecordAt extends StepAt {
  recorder: GradientRecorder;
}

const isRecorded = (at: StepAt | undefined): at is RecordAt => at !== undefined && 'recorder' in at;

/**
 * The training objective on a batch: the loss of the output pre-activations (with the gradient mode of
 * `loss.gradient`) plus the L2 term. `at` is the step (dropout draws its masks from it; a model without dropout
 * needs none); when it is a RecordAt, pre-activations are probed (see objectiveGradients) and saturation is kept.
 */
export function objective(context: StepContext, x: tf.Tensor2D, y: tf.Tensor2D, at?: StepAt | RecordAt): tf.Scalar {
  const { model, loss, l2Coefficient } = context;
  const tap = isRecorded(at) ? at.recorder.tap() : undefined;
  const pass = model.forward(x, { tap, step: at?.step });
  if (isRecorded(at)) at.recorder.recordSaturation(pass);
  const logits = pass.preactivations[pass.preactivations.length - 1] as tf.Tensor2D;
  let value = lossWithGradient(loss, logits, y);
  if (l2Coefficient > 0) {
    const squares = tf.addN(model.parameterLayers.map((l) => tf.sum(tf.square(l.kernel))));
    value = tf.add(value, tf.mul(squares, l2Coefficient));
  }
  return value;
}

/** One SGD-family step on (x, y). Returns the batch loss (owned by the caller); everything else is disposed. */
export function trainStep(context: StepContext, x: tf.Tensor2D, y: tf.Tensor2D, at?: StepAt | RecordAt): tf.Scalar {
  const { value, grads } = objectiveGradients(context, x, y, at);
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
export function trainStepOnBatch(context: StepContext, batch: Batch, at?: StepAt | RecordAt): tf.Scalar {
  return tf.tidy(() => {
    const x = tf.tensor2d(batch.x, [batch.size, batch.x.length / batch.size]);
    const y = tf.tensor2d(batch.y, [batch.size, batch.y.length / batch.size]);
    return trainStep(context, x, y, at);
  });
}

/**
 * Gradients of the objective for every variable (keyed by variable name), without updating. On a recorded step
 * (`at` a RecordAt) the step is differentiated with respect to the recorder's probes as well, and the recorder keeps
 * the statistics of every gradient (the caller still owns `grads`).
 */
export function objectiveGradients(
  context: StepContext,
  x: tf.Tensor2D,
  y: tf.Tensor2D,
  at?: StepAt | RecordAt,
): { value: tf.Scalar; grads: tf.NamedTensorMap } {
  const variables = context.model.variables;
  if (!isRecorded(at)) return tf.variableGrads(() => objective(context, x, y, at), variables);
  const probes = at.recorder.probes(context.model, x.shape[0]);
  const { value, grads } = tf.engine().gradients(() => objective(context, x, y, at), [...variables, ...probes], undefined, true);
  const named: tf.NamedTensorMap = Object.fromEntries(variables.map((v, index) => [v.name, grads[index]]));
  const probeGrads = grads.slice(variables.length);
  at.recorder.record(at.step, at.epoch, context.model, named, probeGrads);
  tf.dispose(probeGrads);
  return { value: value as tf.Scalar, grads: named };
}
