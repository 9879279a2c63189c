// The naive tf.js baseline a user would reach for: a tf.layers Sequential model trained with model.fit for one epoch.
import * as tf from '@tensorflow/tfjs';
import type { Split } from '../../src/data/dataset';
import type { Workload } from './workloads';
import type { EpochResult } from './epoch';

/** Builds Dense(hidden)→Dense(10) with the workload's activations and fits one epoch; times model.fit only. */
export async function timeFitEpoch(workload: Workload, split: Split): Promise<EpochResult> {
  const { featureSize, numClasses } = split;
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [featureSize], units: workload.hidden, activation: workload.hiddenActivation }),
      tf.layers.dense({ units: numClasses, activation: workload.outputActivation }),
    ],
  });
  const optimizer = tf.train.sgd(workload.learningRate);
  model.compile({
    optimizer,
    loss: workload.loss === 'cross-entropy' ? 'categoricalCrossentropy' : 'meanSquaredError',
  });
  const x = tf.tensor2d(split.features, [split.size, featureSize]);
  const y = tf.tidy(() => tf.oneHot(tf.tensor1d(split.labels, 'int32'), numClasses).toFloat());
  const started = process.hrtime.bigint();
  const cpuStarted = process.cpuUsage();
  const history = await model.fit(x, y, { batchSize: workload.batchSize, epochs: 1, shuffle: true, verbose: 0 });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = process.cpuUsage(cpuStarted);
  tf.dispose([x, y]);
  model.dispose();
  // model.dispose() leaves the optimizer (and SGD's −η scalar) to its creator.
  optimizer.dispose();
  return { seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, examples: split.size, meanLoss: Number(history.history.loss[0]) };
}
