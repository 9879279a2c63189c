// Optimiser registry: each entry builds a tf.train optimiser from the resolved `optimizer` block.
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { SGD_UPDATE } from '../backend/sgd-update';

/**
 * The options the optimisers read, with their defaults and ranges: the `optimizer` block of an experiment file is
 * this plus `name` (src/config/schema.ts composes it from describedOptimizerSettings()). Which optimiser reads
 * which option is said once, by `uses` in OPTIMIZERS.
 */
export const OptimizerSettingsSchema = z.strictObject({
  learningRate: z.number().positive().default(0.1),
  momentum: z.number().min(0).lt(1).default(0.9),
  nesterov: z.boolean().default(false),
  beta1: z.number().min(0).lt(1).default(0.9),
  beta2: z.number().min(0).lt(1).default(0.999),
  epsilon: z.number().positive().default(1e-7),
  rho: z.number().min(0).lt(1).default(0.9),
});
type OptimizerSetting = keyof typeof OptimizerSettingsSchema.shape;

/** Every option filled in, as the optimisers' `create` reads them. */
export type OptimizerOptions = z.output<typeof OptimizerSettingsSchema> & { name: OptimizerName };

export interface OptimizerDefinition {
  summary: string;
  /** Which of the shared options this optimiser reads (the others are ignored and not printed). */
  uses: readonly (keyof OptimizerOptions)[];
  /** Tensors of each parameter's shape the optimiser keeps between steps (for the model-size estimate). */
  slots: number;
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

/**
 * tfjs's SGD, whose update runs as the one LosslabSgdUpdate kernel where the backend has it (wasm with the native
 * addon): the same w + (−η)·∇ with the same float32 roundings, one kernel per variable instead of Multiply and Add.
 */
class SgdOptimizer extends tf.SGDOptimizer {
  override applyGradients(variableGradients: Parameters<tf.SGDOptimizer['applyGradients']>[0]): void {
    if (!tf.getKernel(SGD_UPDATE, tf.getBackend())) return super.applyGradients(variableGradients);
    const c = Math.fround(-this.learningRate);
    const gradients = Array.isArray(variableGradients)
      ? variableGradients
      : Object.entries(variableGradients).map(([name, tensor]) => ({ name, tensor }));
    for (const { name, tensor: gradient } of gradients) {
      if (gradient == null) continue;
      const value = tf.engine().registeredVariables[name];
      tf.tidy(() => value.assign(tf.engine().runKernel<tf.Tensor>(SGD_UPDATE, { value, gradient }, { c })));
    }
    this.incrementIterations();
  }
}

export const OPTIMIZERS = {
  sgd: {
    summary: 'Plain stochastic gradient descent: w ← w − η∇.',
    uses: ['learningRate'],
    slots: 0,
    create: (o) => new SgdOptimizer(o.learningRate),
  },
  momentum: {
    summary: 'SGD with momentum (optionally Nesterov): v ← μv + ∇, w ← w − ηv.',
    uses: ['learningRate', 'momentum', 'nesterov'],
    slots: 1, // the velocity
    create: (o) => new FullyDisposedMomentumOptimizer(o.learningRate, o.momentum, o.nesterov),
  },
  adam: {
    summary: 'Adam (Kingma & Ba 2015).',
    uses: ['learningRate', 'beta1', 'beta2', 'epsilon'],
    slots: 2, // first and second moments
    create: (o) => tf.train.adam(o.learningRate, o.beta1, o.beta2, o.epsilon),
  },
  rmsprop: {
    summary: 'RMSProp with decay rho, without momentum.',
    uses: ['learningRate', 'rho', 'epsilon'],
    slots: 2, // tfjs keeps the mean square and a moment buffer even without momentum
    create: (o) => tf.train.rmsprop(o.learningRate, o.rho, 0, o.epsilon),
  },
} satisfies Record<string, OptimizerDefinition>;

export type OptimizerName = keyof typeof OPTIMIZERS;
export const OPTIMIZER_NAMES = Object.keys(OPTIMIZERS) as [OptimizerName, ...OptimizerName[]];

/** The optimisers that read `option`, in registry order. */
export function optimizersUsing(option: string): OptimizerName[] {
  return OPTIMIZER_NAMES.filter((name) => (OPTIMIZERS[name].uses as readonly string[]).includes(option));
}

/**
 * OptimizerSettingsSchema's fields, each described by the optimisers that read it ("momentum only", "adam and
 * rmsprop") for the JSON Schema; an option that every optimiser reads is left undescribed.
 */
export function describedOptimizerSettings(): typeof OptimizerSettingsSchema.shape {
  const shape = { ...OptimizerSettingsSchema.shape };
  for (const option of Object.keys(shape) as OptimizerSetting[]) {
    const users = optimizersUsing(option);
    if (users.length === OPTIMIZER_NAMES.length) continue;
    const readers = users.length === 1 ? `${users[0]} only` : `${users.slice(0, -1).join(', ')} and ${users[users.length - 1]}`;
    Object.assign(shape, { [option]: shape[option].describe(readers) });
  }
  return shape;
}

/**
 * Builds the optimiser of a resolved `optimizer` block. The block keeps only the options its optimiser uses; the
 * rest take their schema defaults here, where nothing reads them.
 */
export function createOptimizer(options: { name: OptimizerName; learningRate: number } & Partial<OptimizerOptions>): tf.Optimizer {
  const filled: OptimizerOptions = { ...OptimizerSettingsSchema.parse({}), ...options };
  return (OPTIMIZERS[options.name] as OptimizerDefinition).create(filled);
}
