// The benchmark's workloads and variants, named once: the parent script and every worker process read this table.
import * as path from 'path';
import { loadExperiment } from '../../src/config/experiment';
import type { RunConfig } from '../../src/config/schema';

/** One network + loss + batch size, trained for one epoch. */
export interface Workload {
  /** Row key in bench.csv, e.g. "a-relu-ce". */
  name: string;
  batchSize: number;
  hidden: number;
  hiddenActivation: 'relu' | 'sigmoid' | 'tanh';
  outputActivation: 'softmax' | 'sigmoid';
  loss: 'cross-entropy' | 'mse';
  learningRate: number;
}

export const WORKLOADS: Workload[] = [
  {
    name: 'a-relu-ce',
    batchSize: 64,
    hidden: 128,
    hiddenActivation: 'relu',
    outputActivation: 'softmax',
    loss: 'cross-entropy',
    learningRate: 0.1,
  },
  {
    name: 'a-relu-ce',
    batchSize: 256,
    hidden: 128,
    hiddenActivation: 'relu',
    outputActivation: 'softmax',
    loss: 'cross-entropy',
    learningRate: 0.1,
  },
  {
    name: 'b-sigmoid-mse',
    batchSize: 64,
    hidden: 100,
    hiddenActivation: 'sigmoid',
    outputActivation: 'sigmoid',
    loss: 'mse',
    learningRate: 3,
  },
];

/** losslab with hooks every N steps (0 = off), or the tf.layers model.fit baseline. */
export const VARIANTS = ['hooks-off', 'hooks-every-100', 'hooks-every-1', 'model-fit'] as const;
export type Variant = (typeof VARIANTS)[number];

/** hooks.every for a losslab variant. */
export function hooksEvery(variant: Exclude<Variant, 'model-fit'>): number {
  return { 'hooks-off': 0, 'hooks-every-100': 100, 'hooks-every-1': 1 }[variant];
}

/** The resolved run config of a workload (schema defaults for everything the benchmark does not vary). */
export function runConfig(workload: Workload, every: number): RunConfig {
  return {
    model: {
      hidden: [workload.hidden],
      hiddenActivation: workload.hiddenActivation,
      outputActivation: workload.outputActivation,
      kernelInitializer: { name: 'glorot-uniform' },
      biasInitializer: { name: 'zeros' },
    },
    loss: {
      name: workload.loss,
      outputs: workload.loss === 'cross-entropy' ? 'sum' : 'mean',
      scale: 1,
      gradient: 'autodiff',
      labelSmoothing: 0,
    },
    optimizer: { name: 'sgd', learningRate: workload.learningRate },
    l2: 0,
    batchSize: workload.batchSize,
    epochs: 1,
    hooks: { every },
  };
}

/** One measured row, as a worker prints it (JSON) and the parent collects it. */
export interface Measurement {
  workload: string;
  variant: string;
  backend: string;
  batch_size: number;
  examples: number;
  /** Wall-clock seconds per 60,000 examples. */
  wall_s_per_epoch: number;
  /** CPU seconds per 60,000 examples. */
  cpu_s_per_epoch: number;
  peak_rss_mb: number;
  tf_num_tensors: number | '';
  tf_num_bytes: number | '';
  /** Mean training loss over the epoch (a sanity check that every variant trains). */
  mean_loss: number;
}

/**
 * The CNN workload: LeNet-5 exactly as experiments/lenet.yaml's lenet-softmax-ce run trains it (batch 64, SGD 0.1,
 * relu, max pooling). scripts/bench_torch.py's "lenet" builds the same network in PyTorch.
 */
export const CNN_WORKLOAD = { name: 'lenet', file: path.join('experiments', 'lenet.yaml'), run: 'lenet-softmax-ce' } as const;

/** The resolved config of the CNN workload for one epoch with hooks every `every` steps (0 = off). */
export function cnnRunConfig(every: number): RunConfig {
  // dist/scripts/bench/ → the repository root.
  const file = path.join(__dirname, '..', '..', '..', CNN_WORKLOAD.file);
  const run = loadExperiment(file, { only: CNN_WORKLOAD.run, seeds: [1] }).runs[0];
  return { ...run.config, epochs: 1, hooks: { every } };
}
