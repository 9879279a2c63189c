// Loss registry and the harness side of every loss: reduction, gradient modes, and binding a loss to a run.
//
// Every loss, built-in or a user's module, has the form L = c · Σ_n Σ_k E(z, t)[n,k], where z are the output
// pre-activations (logits), t the one-hot targets, and the reduction constant c = scale / (N · (outputs = mean ? K : 1)):
// the mean over the N examples of a batch, then the mean (Keras) or sum (textbook) over the K outputs, times `scale`.
// A loss module gives E (and optionally its gradients); this file applies c and the gradient mode.
import * as tf from '@tensorflow/tfjs';
import type { LossContext, LossModule, OptionValues, Tensor2D } from '../modules/contract';
import type { Activation } from '../models/activations';
import { binaryCrossEntropy } from './builtin/binary-cross-entropy';
import { crossEntropy } from './builtin/cross-entropy';
import { hinge } from './builtin/hinge';
import { mae } from './builtin/mae';
import { mse } from './builtin/mse';
import { squaredHinge } from './builtin/squared-hinge';

/** The built-in losses, each defined through the public contract (src/modules/contract.ts), one file each. */
export const LOSSES = {
  'cross-entropy': crossEntropy,
  'binary-cross-entropy': binaryCrossEntropy,
  mse,
  mae,
  hinge,
  'squared-hinge': squaredHinge,
} satisfies Record<string, LossModule>;

export type LossName = keyof typeof LOSSES;
export const LOSS_NAMES = Object.keys(LOSSES) as [LossName, ...LossName[]];

/** The built-ins whose definition passes `test`, in registry order (for messages and the schema's descriptions). */
export function lossNamesWhere(test: (definition: LossModule) => boolean): LossName[] {
  return LOSS_NAMES.filter((name) => test(LOSSES[name] as LossModule));
}

/** Whether a loss takes label smoothing: it declares the option (cross-entropy does). */
export const takesLabelSmoothing = (definition: LossModule) => definition.options?.labelSmoothing !== undefined;

/** How the loss's gradient at the output pre-activation is computed (`loss.gradient`). */
export const GRADIENT_MODES = ['autodiff', 'closed-form', 'skip-activation-derivative'] as const;
export type GradientMode = (typeof GRADIENT_MODES)[number];

/** Whether a loss accepts an output activation, by the activation's name. */
export function acceptsOutput(definition: LossModule, outputName: string): boolean {
  return definition.outputs === 'any' || definition.outputs.includes(outputName);
}

/** The harness's settings of a loss: the `loss` block of a run, resolved. */
export interface LossSettings {
  outputs: 'mean' | 'sum';
  scale: number;
  gradient: GradientMode;
}

/** A loss ready to compute: its definition, options and output activation, with the run's reduction and mode. */
export interface Loss extends LossSettings {
  /** The built-in's name, or the module's path as written in the experiment file. */
  label: string;
  definition: LossModule;
  context: LossContext;
}

/** Binds a loss definition (built-in or loaded module) to its options, the run's output activation and settings. */
export function bindLoss(label: string, definition: LossModule, options: OptionValues, output: Activation, settings: LossSettings): Loss {
  return { label, definition, context: { tf, options, output }, ...settings };
}

/** The reduction constant c in L = c · Σ E: scale / (N · (outputs = mean ? K : 1)). */
export function reductionConstant(batchSize: number, numOutputs: number, settings: Pick<LossSettings, 'outputs' | 'scale'>): number {
  return settings.scale / (batchSize * (settings.outputs === 'mean' ? numOutputs : 1));
}

/** The loss value, autodiff-able: c · Σ E(z, t). Shape []. */
export function lossValue(loss: Loss, z: Tensor2D, t: Tensor2D): tf.Scalar {
  const [n, k] = z.shape;
  // tidy: the [N,K] intermediates are freed even when called outside a gradient scope (evaluation).
  return tf.tidy(() => tf.mul(tf.sum(loss.definition.terms(z, t, loss.context)), reductionConstant(n, k, loss)) as tf.Scalar);
}

/**
 * The loss as a function of the output pre-activations z whose backward pass is chosen by `mode` (default: the
 * loss's own):
 * - autodiff: tfjs differentiates the terms;
 * - closed-form: ∂L/∂z = c · gradZ(z, t), written by hand;
 * - skip-activation-derivative: ∂L/∂z = c · ∂E/∂o, backpropagating as if the output activation were the identity.
 */
export function lossWithGradient(loss: Loss, z: Tensor2D, t: Tensor2D, mode: GradientMode = loss.gradient): tf.Scalar {
  if (mode === 'autodiff') return lossValue(loss, z, t);
  const { definition, context } = loss;
  const { gradZ, gradO } = definition;
  // The config rejects these; this guards direct callers.
  if (mode === 'closed-form' && !gradZ) throw new Error(`closed-form needs ∂E/∂z (gradZ), which loss "${loss.label}" does not give`);
  if (mode === 'skip-activation-derivative' && !gradO) {
    throw new Error(`skip-activation-derivative needs ∂E/∂o, which loss "${loss.label}" (computed from the logits) does not have`);
  }
  const [n, k] = z.shape;
  const c = reductionConstant(n, k, loss);
  const withGrad = tf.customGrad(((logits: tf.Tensor, save: tf.GradSaveFunc) => {
    const zz = logits as Tensor2D;
    save([zz]);
    return {
      value: lossValue(loss, zz, t),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const zs = saved[0] as Tensor2D;
        const perTerm = mode === 'closed-form' ? gradZ!(zs, t, context) : gradO!(context.output.apply(zs), t, context);
        return tf.mul(tf.mul(perTerm, c), dy);
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return withGrad(z) as tf.Scalar;
}
