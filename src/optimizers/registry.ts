// Optimiser registry: each entry builds a tf.train optimiser from the resolved `optimizer` block.
import * as tf from '@tensorflow/tfjs';

/** The resolved optimizer block (see src/config/schema.ts). */
export interface OptimizerOptions {
  name: OptimizerName;
  learningRate: number;
  momentum: number;
  nesterov: boolean;
  beta1: number;
  beta2: number;
  epsilon: number;
  rho: number;
}

export interface OptimizerDefinition {
  summary: string;
  /** Which of the shared options this optimiser reads (the others are ignored and not printed). */
  uses: readonly (keyof OptimizerOptions)[];
  create(options: OptimizerOptions): tf.Optimizer;
}

/**
 * tfjs 4.22's MomentumOptimizer.dispose() frees μ and the velocities but not the −η scalar its SGD base class
 * keeps, so every momentum run would leave one tensor behind; this disposes it too.
 */
class FullyDisposedMomentumOptimizer extends tf.MomentumOptimizer {
  override dispose(): void {
    super.dispose();
    this.c.dispose();
  }
}

export const OPTIMIZERS = {
  sgd: { summary: 'Plain stochastic gradient descent: w ← w − η∇.', uses: ['learningRate'], create: (o) => tf.train.sgd(o.learningRate) },
  momentum: {
    summary: 'SGD with momentum (optionally Nesterov): v ← μv + ∇, w ← w − ηv.',
    uses: ['learningRate', 'momentum', 'nesterov'],
    create: (o) => new FullyDisposedMomentumOptimizer(o.learningRate, o.momentum, o.nesterov),
  },
  adam: {
    summary: 'Adam (Kingma & Ba 2015).',
    uses: ['learningRate', 'beta1', 'beta2', 'epsilon'],
    create: (o) => tf.train.adam(o.learningRate, o.beta1, o.beta2, o.epsilon),
  },
  rmsprop: {
    summary: 'RMSProp with decay rho, without momentum.',
    uses: ['learningRate', 'rho', 'epsilon'],
    create: (o) => tf.train.rmsprop(o.learningRate, o.rho, 0, o.epsilon),
  },
} satisfies Record<string, OptimizerDefinition>;

export type OptimizerName = keyof typeof OPTIMIZERS;
export const OPTIMIZER_NAMES = Object.keys(OPTIMIZERS) as [OptimizerName, ...OptimizerName[]];

export function createOptimizer(options: OptimizerOptions): tf.Optimizer {
  return (OPTIMIZERS[options.name] as OptimizerDefinition).create(options);
}
