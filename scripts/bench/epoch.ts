// One timed losslab training epoch (the trainer's loop without evaluation or files), with switches for the levers.
import * as tf from '@tensorflow/tfjs';
import { BatchBuilder, epochOrder } from '../../src/data/batches';
import type { Split } from '../../src/data/dataset';
import { Rng } from '../../src/data/rng';
import { GradientRecorder } from '../../src/hooks/recorder';
import { buildModel } from '../../src/models/build';
import { createOptimizer } from '../../src/optimizers/registry';
import type { RunConfig } from '../../src/config/schema';
import { isRecordedStep, objectiveGradients, trainStep, type StepContext } from '../../src/train/step';
import { lossOf, outputActivationOf } from '../../src/train/run-functions';
import { startClock, type Elapsed } from './clock';

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
}

/** The loop's wall and CPU seconds (CPU is steadier than wall time on a shared machine), over `examples` images. */
export interface EpochResult extends Elapsed {
  examples: number;
  meanLoss: number;
}

/**
 * One losslab epoch that can be trained in slices (steps [from, to)): the trainer's loop without evaluation or
 * files, from a fresh seeded model. `timeEpoch` runs it whole; the interleaved bench alternates slices with other
 * variants.
 */
export class LosslabEpoch {
  readonly steps: number;
  private readonly context: StepContext;
  private readonly recorder = new GradientRecorder();
  private readonly batches: BatchBuilder;
  private readonly order: Uint32Array;
  private readonly device?: { x: tf.Tensor2D; y: tf.Tensor2D; order: tf.Tensor1D };
  private pendingLosses: tf.Scalar[] = [];
  private lossSum = 0;

  constructor(
    private readonly config: RunConfig,
    private readonly split: Split,
    private readonly levers: EpochLevers = {},
  ) {
    const output = outputActivationOf(config, {});
    const model = buildModel(config.model, split, 1, output);
    this.context = { model, optimizer: createOptimizer(config.optimizer), loss: lossOf(config, {}, output), l2Coefficient: 0 };
    this.batches = new BatchBuilder(split, config.batchSize);
    this.order = epochOrder(split.size, new Rng(7));
    this.steps = this.batches.batchesPerEpoch;
    if (levers.batches === 'gather') {
      const { features, labels, size, featureSize, numClasses } = split;
      this.device = {
        x: tf.tensor2d(features, [size, featureSize]),
        y: tf.tidy(() => tf.oneHot(tf.tensor1d(labels, 'int32'), numClasses).toFloat() as tf.Tensor2D),
        order: tf.tensor1d(Int32Array.from(this.order), 'int32'),
      };
    }
  }

  /** Trains steps [from, to) of the epoch. */
  run(from: number, to: number): void {
    const { config, levers, context, recorder, batches, device } = this;
    const { featureSize, numClasses } = this.split;
    for (let batchIndex = from; batchIndex < to; batchIndex++) {
      const recordNow = isRecordedStep(batchIndex, config.hooks.every);
      // The step numbers dropout's masks; a recorded step also names the recorder.
      const record = recordNow ? { recorder, step: batchIndex, epoch: 1 } : { step: batchIndex, epoch: 1 };
      const lossTensor = tf.tidy(() => {
        let x: tf.Tensor2D;
        let y: tf.Tensor2D;
        if (device) {
          const indices = device.order.slice(batchIndex * config.batchSize, batches.sizeOf(batchIndex));
          x = tf.gather(device.x, indices) as tf.Tensor2D;
          y = tf.gather(device.y, indices) as tf.Tensor2D;
        } else {
          const batch = batches.fill(this.order, batchIndex);
          x = tf.tensor2d(batch.x, [batch.size, featureSize]);
          y = tf.tensor2d(batch.y, [batch.size, numClasses]);
        }
        if (levers.update === 'in-place-wasm') return inPlaceStep(context, x, y, config.optimizer.learningRate);
        return trainStep(context, x, y, record);
      });
      if (recordNow) recorder.flush();
      if (levers.readLossEveryStep !== false) {
        this.lossSum += lossTensor.dataSync()[0];
        lossTensor.dispose();
      } else {
        this.pendingLosses.push(lossTensor);
        // Read in one batch every 100 steps, as a logging boundary would.
        if (this.pendingLosses.length === 100) this.readPendingLosses();
      }
    }
  }

  /** Mean training loss over the steps run so far. */
  meanLoss(stepsRun: number): number {
    this.readPendingLosses();
    return this.lossSum / stepsRun;
  }

  dispose(): void {
    this.readPendingLosses();
    if (this.device) tf.dispose([this.device.x, this.device.y, this.device.order]);
    this.recorder.dispose();
    this.context.optimizer.dispose();
    this.context.model.dispose();
  }

  private readPendingLosses(): void {
    if (this.pendingLosses.length > 0) this.lossSum += sumAndDispose(this.pendingLosses);
    this.pendingLosses = [];
  }
}

/** Trains `config` for one epoch over `split` from a fresh seeded model and times the loop. */
export function timeEpoch(config: RunConfig, split: Split, levers: EpochLevers = {}): EpochResult {
  const epoch = new LosslabEpoch(config, split, levers);
  const elapsed = startClock();
  epoch.run(0, epoch.steps);
  const meanLoss = epoch.meanLoss(epoch.steps);
  const time = elapsed();
  epoch.dispose();
  return { ...time, examples: split.size, meanLoss };
}

function sumAndDispose(losses: tf.Scalar[]): number {
  const stacked = tf.stack(losses);
  const values = stacked.dataSync();
  tf.dispose([stacked, ...losses]);
  let sum = 0;
  for (const v of values) sum += v;
  return sum;
}

/** SGD written into each variable's own wasm memory (same tensor id). See EpochLevers.update. */
function inPlaceStep(context: StepContext, x: tf.Tensor2D, y: tf.Tensor2D, learningRate: number): tf.Scalar {
  const { value, grads } = objectiveGradients(context, x, y);
  const backend = tf.backend() as unknown as { dataIdMap: { get(id: object): { memoryOffset: number } }; wasm: { HEAPF32: Float32Array } };
  for (const variable of context.model.variables) {
    const grad = grads[variable.name].dataSync();
    const offset = backend.dataIdMap.get(variable.dataId).memoryOffset / 4;
    const weights = backend.wasm.HEAPF32.subarray(offset, offset + grad.length);
    for (let i = 0; i < grad.length; i++) weights[i] -= learningRate * grad[i];
  }
  tf.dispose(grads);
  return value;
}
