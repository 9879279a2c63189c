// The benchmark's workloads, arms and quoted ratios, named once: the parent script and every worker read this table.
import * as path from 'path';
import { loadExperiment } from '../../src/config/experiment';
import type { RunConfig } from '../../src/config/schema';

/** What every workload has: one network + loss + batch size, trained for one epoch. */
interface WorkloadBase {
  /** Row key, e.g. "relu-b64". */
  id: string;
  /** What it is, for the docs table. */
  title: string;
  batchSize: number;
  outputActivation: 'softmax' | 'sigmoid';
  loss: 'cross-entropy' | 'mse';
  learningRate: number;
  /** losslab variants measured on every losslab backend, alternating with PyTorch. */
  variants: readonly LosslabVariant[];
  /**
   * Also measure model.fit (on wasm: the plain tf.js baseline) against hooks every 100 on each backend, in a group
   * of its own: model.fit leaves garbage-collection and async work running after its slice, which would slow
   * whichever arm runs next in another process.
   */
  fitBaseline: boolean;
  /** Bound on the default backend's (wasm+openblas, hooks every 100) time ÷ PyTorch's, and the issue that set it. */
  torchTarget?: { max: number; source: string };
}

/** A 784-hidden-10 MLP, described here in full (scripts/bench_torch.py builds the same from these fields). */
export interface MlpWorkload extends WorkloadBase {
  kind: 'mlp';
  hidden: number;
  hiddenActivation: 'relu' | 'sigmoid' | 'tanh';
  kernelInitializer: 'glorot-uniform' | 'normal-fan-in';
}

/**
 * A run of an experiment file (a layer stack), trained as that file resolves it, for one epoch with the variant's
 * hooks. scripts/bench_torch.py builds the same network by `torchNetwork`; the base fields must match the run.
 */
export interface StackWorkload extends WorkloadBase {
  kind: 'stack';
  experiment: { file: string; run: string };
  torchNetwork: 'lenet';
}

export type Workload = MlpWorkload | StackWorkload;

/** losslab with hooks every N steps (0 = off), the tf.layers model.fit baseline, or PyTorch. */
export const VARIANTS = ['hooks-off', 'hooks-every-100', 'hooks-every-1', 'model-fit', 'pytorch'] as const;
export type Variant = (typeof VARIANTS)[number];
export type LosslabVariant = Exclude<Variant, 'model-fit' | 'pytorch'>;

export const WORKLOADS: readonly Workload[] = [
  {
    kind: 'mlp',
    id: 'relu-b64',
    title: '784-128-10 relu, softmax + cross-entropy, SGD η 0.1, batch 64',
    batchSize: 64,
    hidden: 128,
    hiddenActivation: 'relu',
    outputActivation: 'softmax',
    loss: 'cross-entropy',
    learningRate: 0.1,
    kernelInitializer: 'glorot-uniform',
    variants: ['hooks-off', 'hooks-every-100', 'hooks-every-1'],
    fitBaseline: true,
    torchTarget: { max: 1.5, source: '#14' },
  },
  {
    kind: 'mlp',
    id: 'quickstart-b32',
    title: "the quickstart's 784-100-10 sigmoid, sigmoid outputs + MSE, SGD η 0.5, batch 32",
    batchSize: 32,
    hidden: 100,
    hiddenActivation: 'sigmoid',
    outputActivation: 'sigmoid',
    loss: 'mse',
    learningRate: 0.5,
    kernelInitializer: 'normal-fan-in',
    variants: ['hooks-every-100'],
    fitBaseline: false,
    torchTarget: { max: 1.5, source: '#14' },
  },
  {
    kind: 'mlp',
    id: 'nielsen-b10',
    title: "Nielsen's 784-30-10 sigmoid, quadratic cost, SGD η 3.0, batch 10",
    batchSize: 10,
    hidden: 30,
    hiddenActivation: 'sigmoid',
    outputActivation: 'sigmoid',
    loss: 'mse',
    learningRate: 3,
    kernelInitializer: 'normal-fan-in',
    variants: ['hooks-every-100'],
    fitBaseline: false,
    torchTarget: { max: 1.5, source: '#14' },
  },
  {
    kind: 'mlp',
    id: 'relu-b256',
    title: '784-128-10 relu, softmax + cross-entropy, SGD η 0.1, batch 256',
    batchSize: 256,
    hidden: 128,
    hiddenActivation: 'relu',
    outputActivation: 'softmax',
    loss: 'cross-entropy',
    learningRate: 0.1,
    kernelInitializer: 'glorot-uniform',
    variants: ['hooks-every-100'],
    fitBaseline: false,
  },
  {
    kind: 'stack',
    id: 'lenet-b32',
    title:
      'LeNet-5 (experiments/lenet.yaml, lenet-softmax-ce): conv 6@5×5 same, max-pool 2, conv 16@5×5, max-pool 2, 120, 84, 10 relu; softmax + cross-entropy, SGD η 0.1, batch 32',
    experiment: { file: path.join('experiments', 'lenet.yaml'), run: 'lenet-softmax-ce' },
    torchNetwork: 'lenet',
    batchSize: 32,
    outputActivation: 'softmax',
    loss: 'cross-entropy',
    learningRate: 0.1,
    variants: ['hooks-off', 'hooks-every-100'],
    fitBaseline: true,
    torchTarget: { max: 3, source: '#12' },
  },
];

/** An MLP workload by id (the levers vary relu-b64's fields). */
export function mlpWorkload(id: string): MlpWorkload {
  const workload = WORKLOADS.find((w) => w.id === id);
  if (workload?.kind !== 'mlp') throw new Error(`no MLP workload ${id}`);
  return workload;
}

/** hooks.every for a losslab variant. */
export function hooksEvery(variant: LosslabVariant): number {
  return { 'hooks-off': 0, 'hooks-every-100': 100, 'hooks-every-1': 1 }[variant];
}

/**
 * The resolved run config of a workload with hooks every `every` steps (0 = off): an MLP's from its fields (schema
 * defaults for everything the benchmark does not vary), a stack's from its experiment file.
 */
export function runConfig(workload: Workload, every: number): RunConfig {
  if (workload.kind === 'stack') {
    // dist/scripts/bench/ → the repository root.
    const file = path.join(__dirname, '..', '..', '..', workload.experiment.file);
    const run = loadExperiment(file, { only: workload.experiment.run, seeds: [1] }).runs[0];
    return { ...run.config, epochs: 1, hooks: { every } };
  }
  return {
    model: {
      hidden: [workload.hidden],
      hiddenActivation: workload.hiddenActivation,
      outputActivation: workload.outputActivation,
      kernelInitializer: { name: workload.kernelInitializer },
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

/** Where an arm runs: a losslab backend (one process each) or PyTorch on one thread. */
export type Runner = 'wasm+openblas' | 'wasm' | 'tensorflow' | 'cpu' | 'pytorch';

/** Arms that take turns with each other: a workload's main group (losslab and PyTorch), or its model.fit group. */
export type Group = 'main' | 'fit';

/** One measured thing: a variant of a workload on a runner, in a group. */
export interface ArmSpec {
  /** "relu-b64/wasm+openblas/hooks-every-100" (main group) or "relu-b64/fit/wasm/model-fit". */
  id: string;
  workload: Workload;
  variant: Variant;
  runner: Runner;
  group: Group;
}

export function armId(workload: Workload, runner: Runner, variant: Variant, group: Group = 'main'): string {
  return `${workload.id}/${group === 'fit' ? 'fit/' : ''}${runner}/${variant}`;
}

/** Backends model.fit can run on in the fit group (tf.layers needs no losslab kernel on cpu; on wasm, losslab's). */
export const FIT_RUNNERS = ['wasm', 'cpu'] as const;
export type FitRunner = (typeof FIT_RUNNERS)[number];

/**
 * The arms of a workload, by group: main = PyTorch (when measured) and each variant on each losslab backend;
 * fit (fitBaseline only) = model.fit on each of `fitRunners` and hooks every 100 on each losslab backend.
 */
export function armsOf(
  workload: Workload,
  backends: readonly Runner[],
  torch: boolean,
  fitRunners: readonly FitRunner[] = ['wasm'],
): ArmSpec[][] {
  const arm = (runner: Runner, variant: Variant, group: Group): ArmSpec => ({
    id: armId(workload, runner, variant, group),
    workload,
    variant,
    runner,
    group,
  });
  const main = [
    ...(torch ? [arm('pytorch', 'pytorch', 'main')] : []),
    ...backends.flatMap((runner) => workload.variants.map((variant) => arm(runner, variant, 'main'))),
  ];
  if (!workload.fitBaseline || fitRunners.length === 0) return [main];
  const fit = [
    ...fitRunners.map((runner) => arm(runner, 'model-fit', 'fit')),
    ...backends.map((runner) => arm(runner, 'hooks-every-100', 'fit')),
  ];
  return [main, fit];
}

/** A ratio the docs quote: numerator arm time ÷ denominator arm time, slice by slice; optional target. */
export interface RatioSpec {
  name: string;
  numerator: string;
  denominator: string;
  /** The bound the ratio must stay within, e.g. { max: 1.5 }; `min` for speed-ups. */
  target?: { max?: number; min?: number; source: string };
}

/**
 * The ratios of a bench over `arms`: each losslab arm ÷ PyTorch; wasm ÷ wasm+openblas; hook overheads; model.fit
 * ÷ losslab. Only ratios whose two arms both ran are listed. Targets are those of issues #14 and #15.
 */
export function ratiosOf(arms: readonly ArmSpec[]): RatioSpec[] {
  const has = new Set(arms.map((a) => a.id));
  const ratios: RatioSpec[] = [];
  const add = (ratio: RatioSpec) => {
    if (has.has(ratio.numerator) && has.has(ratio.denominator)) ratios.push(ratio);
  };
  for (const arm of arms) {
    const { workload, runner, variant } = arm;
    if (runner === 'pytorch' || arm.group !== 'main') continue;
    const isTargeted = runner === 'wasm+openblas' && variant === 'hooks-every-100';
    add({
      name: `${workload.id} ${runner} ${variant} ÷ PyTorch`,
      numerator: arm.id,
      denominator: armId(workload, 'pytorch', 'pytorch'),
      target: isTargeted ? workload.torchTarget : undefined,
    });
  }
  for (const workload of new Set(arms.map((a) => a.workload))) {
    for (const variant of workload.variants) {
      add({
        name: `${workload.id} ${variant}: wasm ÷ wasm+openblas`,
        numerator: armId(workload, 'wasm', variant),
        denominator: armId(workload, 'wasm+openblas', variant),
      });
    }
    for (const runner of ['wasm+openblas', 'wasm', 'tensorflow', 'cpu'] as const) {
      const isDefault = runner === 'wasm+openblas';
      add({
        name: `${workload.id} ${runner}: hooks every 100 ÷ hooks off`,
        numerator: armId(workload, runner, 'hooks-every-100'),
        denominator: armId(workload, runner, 'hooks-off'),
        target: isDefault ? { max: 1.1, source: '#14' } : undefined,
      });
      add({
        name: `${workload.id} ${runner}: hooks every 1 ÷ every 100`,
        numerator: armId(workload, runner, 'hooks-every-1'),
        denominator: armId(workload, runner, 'hooks-every-100'),
        target: isDefault ? { max: 1.25, source: '#15' } : undefined,
      });
      for (const fitRunner of FIT_RUNNERS) {
        // Issue #12: losslab's LeNet epoch on wasm at least 5× faster than tf.layers model.fit on cpu.
        const cnnTarget = workload.kind === 'stack' && fitRunner === 'cpu' && (runner === 'wasm' || isDefault);
        add({
          name: `${workload.id}: model.fit (${fitRunner}) ÷ ${runner} hooks every 100`,
          numerator: armId(workload, fitRunner, 'model-fit', 'fit'),
          denominator: armId(workload, runner, 'hooks-every-100', 'fit'),
          target: cnnTarget ? { min: 5, source: '#12' } : undefined,
        });
      }
    }
  }
  return ratios;
}
