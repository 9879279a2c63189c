// The naive tf.js baseline a user would reach for: a tf.layers Sequential model trained with model.fit.
import * as tf from '@tensorflow/tfjs';
import type { Split } from '../../src/data/dataset';
import type { Workload } from './workloads';
import type { EpochResult } from './epoch';
import { startClock } from './clock';

/** Dense(hidden)→Dense(10) with the workload's activations, compiled with SGD, and the split as tensors. */
export class FitEpoch {
  private readonly model: tf.Sequential;
  private readonly optimizer: tf.SGDOptimizer;
  private readonly x: tf.Tensor2D;
  private readonly y: tf.Tensor2D;
  private lossSum = 0;

  constructor(
    private readonly workload: Workload,
    split: Split,
  ) {
    const { featureSize, numClasses } = split;
    this.model = tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [featureSize], units: workload.hidden, activation: workload.hiddenActivation }),
        tf.layers.dense({ units: numClasses, activation: workload.outputActivation }),
      ],
    });
    this.optimizer = tf.train.sgd(workload.learningRate);
    this.model.compile({
      optimizer: this.optimizer,
      loss: workload.loss === 'cross-entropy' ? 'categoricalCrossentropy' : 'meanSquaredError',
    });
    this.x = tf.tensor2d(split.features, [split.size, featureSize]);
    this.y = tf.tidy(() => tf.oneHot(tf.tensor1d(split.labels, 'int32'), numClasses).toFloat() as tf.Tensor2D);
  }

  get examples(): number {
    return this.x.shape[0];
  }

  /** model.fit for one pass over examples [from, to), shuffled, batch size of the workload. */
  async run(from: number, to: number): Promise<void> {
    const whole = from === 0 && to === this.examples;
    const x = whole ? this.x : this.x.slice([from, 0], [to - from, -1]);
    const y = whole ? this.y : this.y.slice([from, 0], [to - from, -1]);
    const history = await this.model.fit(x, y, { batchSize: this.workload.batchSize, epochs: 1, shuffle: true, verbose: 0 });
    this.lossSum += Number(history.history.loss[0]) * (to - from);
    if (!whole) tf.dispose([x, y]);
  }

  /** Mean training loss per example over what was run (`examples` of them). */
  meanLoss(examples: number): number {
    return this.lossSum / examples;
  }

  dispose(): void {
    tf.dispose([this.x, this.y]);
    this.model.dispose();
    // model.dispose() leaves the optimizer (and SGD's −η scalar) to its creator.
    this.optimizer.dispose();
  }
}

/** Fits one epoch of the whole split; times model.fit only. */
export async function timeFitEpoch(workload: Workload, split: Split): Promise<EpochResult> {
  const fit = new FitEpoch(workload, split);
  const elapsed = startClock();
  await fit.run(0, fit.examples);
  const time = elapsed();
  const meanLoss = fit.meanLoss(fit.examples);
  fit.dispose();
  return { ...time, examples: split.size, meanLoss };
}
