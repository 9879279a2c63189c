// The naive tf.js baseline a user would reach for: a tf.layers Sequential model trained with model.fit.
import * as tf from '@tensorflow/tfjs';
import type { RunConfig } from '../../src/config/schema';
import type { Split } from '../../src/data/dataset';
import { buildModel } from '../../src/models/build';
import { toLayersModel } from '../../src/models/save';
import type { EpochResult } from './epoch';
import { startClock } from './clock';

/**
 * The tf.layers twin of `config`'s network (Dense layers for an MLP, Conv2D/pooling/Flatten/Dense for a layer stack;
 * tf.layers uses fused kernels where it can), compiled with SGD at the config's learning rate, and the split as tensors.
 */
export class FitEpoch {
  private readonly model: tf.Sequential;
  private readonly optimizer: tf.SGDOptimizer;
  private readonly x: tf.Tensor2D;
  private readonly y: tf.Tensor2D;
  private lossSum = 0;

  constructor(
    private readonly config: RunConfig,
    split: Split,
  ) {
    const { featureSize, numClasses } = split;
    const network = buildModel(config.model, split, 1);
    this.model = toLayersModel(network);
    network.dispose();
    this.optimizer = tf.train.sgd(config.optimizer.learningRate);
    this.model.compile({
      optimizer: this.optimizer,
      loss: (config.loss.name ?? 'cross-entropy') === 'cross-entropy' ? 'categoricalCrossentropy' : 'meanSquaredError',
    });
    this.x = tf.tensor2d(split.features, [split.size, featureSize]);
    this.y = tf.tidy(() => tf.oneHot(tf.tensor1d(split.labels, 'int32'), numClasses).toFloat() as tf.Tensor2D);
  }

  get examples(): number {
    return this.x.shape[0];
  }

  /** model.fit for one pass over examples [from, to), shuffled, at the config's batch size. */
  async run(from: number, to: number): Promise<void> {
    const whole = from === 0 && to === this.examples;
    const x = whole ? this.x : this.x.slice([from, 0], [to - from, -1]);
    const y = whole ? this.y : this.y.slice([from, 0], [to - from, -1]);
    const history = await this.model.fit(x, y, { batchSize: this.config.batchSize, epochs: 1, shuffle: true, verbose: 0 });
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
export async function timeFitEpoch(config: RunConfig, split: Split): Promise<EpochResult> {
  const fit = new FitEpoch(config, split);
  const elapsed = startClock();
  await fit.run(0, fit.examples);
  const time = elapsed();
  const meanLoss = fit.meanLoss(fit.examples);
  fit.dispose();
  return { ...time, examples: split.size, meanLoss };
}
