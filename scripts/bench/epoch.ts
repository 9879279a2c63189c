// One timed losslab training epoch (the trainer's loop without evaluation or files), with switches for the levers.
import * as tf from '@tensorflow/tfjs';
import { BatchBuilder, epochOrder } from '../../src/data/batches';
import type { Split } from '../../src/data/dataset';
import { Rng } from '../../src/data/rng';
import { GradientRecorder } from '../../src/hooks/recorder';
import { buildMlp, type Mlp } from '../../src/models/mlp';
import { createOptimizer, type OptimizerOptions } from '../../src/optimizers/registry';
import type { RunConfig } from '../../src/config/schema';
import type { StepContext } from '../../src/train/context';
import { isRecordedStep, objectiveGradients, trainStep } from '../../src/train/step';

/** Lever switches; the defaults are what src/train/trainer.ts does. */
export interface EpochLevers {
  /** Read the loss with dataSync every step (the trainer does, to stop at the diverging step). Default true. */
  readLossEveryStep?: boolean;
  /** 'typed-array': BatchBuilder copies rows into reused Float32Arrays (default); 'gather': tf.gather from the whole split on the device. */
  batches?: 'typed-array' | 'gather';
  /**
   * 'assign': the optimiser's applyGradients (new tensor ids every step, default). 'in-place-wasm': write
   * w − η·g into the variable's existing wasm heap memory. The latter keeps XNNPACK's packed weights (cached by
   * tensor id) stale, so it trains WRONG: it only bounds what avoiding re-packing could gain.
   */
  update?: 'assign' | 'in-place-wasm';
  /**
   * How unrecorded steps get their gradients: 'hand-written' (src/train/backprop.ts, the trainer's default) or
   * 'taped' (tfjs autodiff of the objective, as recorded steps do, without probes).
   */
  backward?: 'hand-written' | 'taped';
}

export interface EpochResult {
  /** Wall-clock seconds of the loop. */
  seconds: number;
  /** CPU seconds (user + system, all threads) of the loop: steadier than wall time on a shared machine. */
  cpuSeconds: number;
  examples: number;
  meanLoss: number;
}

/** Trains `config` for one epoch over `split` from a fresh seeded model and returns the wall time of the loop. */
export function timeEpoch(config: RunConfig, split: Split, levers: EpochLevers = {}): EpochResult {
  const readLoss = levers.readLossEveryStep !== false;
  const mlp = buildMlp(config.model, split.featureSize, split.numClasses, 1);
  const optimizer = createOptimizer(config.optimizer as OptimizerOptions);
  const recorder = new GradientRecorder();
  const context: StepContext = { mlp, optimizer, loss: config.loss, l2Coefficient: 0 };
  const batches = new BatchBuilder(split, config.batchSize);
  const order = epochOrder(split.size, new Rng(7));
  const every = config.hooks.every;
  const { featureSize, numClasses } = split;
  const device = levers.batches === 'gather' ? { x: tf.tensor2d(split.features, [split.size, featureSize]), y: tf.oneHot(tf.tensor1d(split.labels, 'int32'), numClasses).toFloat() } : undefined;
  const orderTensor = device ? tf.tensor1d(Int32Array.from(order), 'int32') : undefined;
  let lossSum = 0;
  let pendingLosses: tf.Scalar[] = [];
  const started = process.hrtime.bigint();
  const cpuStarted = process.cpuUsage();
  for (let batchIndex = 0; batchIndex < batches.batchesPerEpoch; batchIndex++) {
    const recordNow = isRecordedStep(batchIndex, every);
    const record = recordNow ? { recorder, step: batchIndex, epoch: 1 } : undefined;
    const lossTensor = tf.tidy(() => {
      let x: tf.Tensor2D;
      let y: tf.Tensor2D;
      if (device && orderTensor) {
        const size = batches.sizeOf(batchIndex);
        const indices = orderTensor.slice(batchIndex * config.batchSize, size);
        x = tf.gather(device.x, indices) as tf.Tensor2D;
        y = tf.gather(device.y, indices) as tf.Tensor2D;
      } else {
        const batch = batches.fill(order, batchIndex);
        x = tf.tensor2d(batch.x, [batch.size, featureSize]);
        y = tf.tensor2d(batch.y, [batch.size, numClasses]);
      }
      if (levers.update === 'in-place-wasm') return inPlaceStep(context, x, y, config.optimizer.learningRate);
      if (levers.backward === 'taped' && !record) return tapedStep(context, x, y);
      return trainStep(context, x, y, record);
    });
    if (recordNow) recorder.flush();
    if (readLoss) {
      lossSum += lossTensor.dataSync()[0];
      lossTensor.dispose();
    } else {
      pendingLosses.push(lossTensor);
      // Read in one batch every 100 steps, as a logging boundary would.
      if (pendingLosses.length === 100) lossSum += sumAndDispose(pendingLosses);
      if (pendingLosses.length === 100) pendingLosses = [];
    }
  }
  if (pendingLosses.length > 0) lossSum += sumAndDispose(pendingLosses);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = process.cpuUsage(cpuStarted);
  tf.dispose([device?.x, device?.y, orderTensor].filter((t): t is tf.Tensor => t !== undefined));
  recorder.dispose();
  optimizer.dispose();
  mlp.dispose();
  return { seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, examples: split.size, meanLoss: lossSum / batches.batchesPerEpoch };
}

function sumAndDispose(losses: tf.Scalar[]): number {
  const stacked = tf.stack(losses);
  const values = stacked.dataSync();
  tf.dispose([stacked, ...losses]);
  let sum = 0;
  for (const v of values) sum += v;
  return sum;
}

/** An unrecorded step on tfjs's tape: autodiff of the objective, then the optimiser. */
function tapedStep(context: StepContext, x: tf.Tensor2D, y: tf.Tensor2D): tf.Scalar {
  const { value, grads } = objectiveGradients(context, x, y);
  context.optimizer.applyGradients(grads);
  tf.dispose(grads);
  return value;
}

/** SGD written into each variable's own wasm memory (same tensor id). See EpochLevers.update. */
function inPlaceStep(context: StepContext, x: tf.Tensor2D, y: tf.Tensor2D, learningRate: number): tf.Scalar {
  const { value, grads } = objectiveGradients(context, x, y);
  const backend = tf.backend() as unknown as { dataIdMap: { get(id: object): { memoryOffset: number } }; wasm: { HEAPF32: Float32Array } };
  for (const variable of (context.mlp as Mlp).variables) {
    const grad = grads[variable.name].dataSync();
    const offset = backend.dataIdMap.get(variable.dataId).memoryOffset / 4;
    const weights = backend.wasm.HEAPF32.subarray(offset, offset + grad.length);
    for (let i = 0; i < grad.length; i++) weights[i] -= learningRate * grad[i];
  }
  tf.dispose(grads);
  return value;
}
