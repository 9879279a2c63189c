// The public contract of a loss module and of an output-activation module: what a module exports, what it receives.
//
// The built-in losses (src/losses/builtin/) and activations (src/models/activations.ts) are written against these
// same interfaces, so a user's module is a first-class citizen and the built-ins' test table tests the contract.
//
// Division of labour. A loss module gives the per-(example, output) terms E[n,k] of the logits z and the one-hot
// targets t, and optionally hand-written gradients. The harness does everything else: it applies the output
// activation, reduces L = c · Σₙ Σₖ E[n,k] with c = scale / (N · (K if outputs = mean, else 1)), picks the gradient
// mode (autodiff, closed-form, skip-activation-derivative), records the gradient hooks and writes the CSV files.
// Every function gets losslab's own `tf` in its context and is called inside tf.tidy: it returns one new tensor,
// and the intermediates it makes are freed by the harness. A module needs no import of its own.
import type * as tfjs from '@tensorflow/tfjs';

/** losslab's TensorFlow.js instance, as passed to every module function. */
export type Tf = typeof tfjs;
/** A rank-2 float32 tensor [N, K]: N examples, K outputs. */
export type Tensor2D = tfjs.Tensor2D;
/**
 * What a module function returns: a tensor of shape [N, K] (tfjs's op typings return a rank-generic Tensor, so the
 * contract accepts one; the harness checks the shape before training).
 */
export type Tensor = tfjs.Tensor;

/** A number option: `{ type: 'number', default: 2, min: 0 }`. Bounds are inclusive unless `exclusive*`. */
export interface NumberOptionDeclaration {
  type: 'number' | 'integer';
  default?: number;
  min?: number;
  max?: number;
  exclusiveMin?: number;
  exclusiveMax?: number;
  description?: string;
}
/** A boolean option: `{ type: 'boolean', default: false }`. */
export interface BooleanOptionDeclaration {
  type: 'boolean';
  default?: boolean;
  description?: string;
}
/** A string option, optionally one of `choices`: `{ type: 'string', default: 'mean', choices: ['mean', 'max'] }`. */
export interface StringOptionDeclaration {
  type: 'string';
  default?: string;
  choices?: readonly string[];
  description?: string;
}
/** One option a module takes. An option without a default must be given in the experiment file. */
export type OptionDeclaration = NumberOptionDeclaration | BooleanOptionDeclaration | StringOptionDeclaration;
/** The options a module takes, by name: plain data, validated by the harness (no zod needed in a module). */
export type OptionDeclarations = Readonly<Record<string, OptionDeclaration>>;
/** Option values after validation: every declared option present, defaults filled in. */
export type OptionValues = Readonly<Record<string, number | boolean | string>>;

/** The run's output activation as a loss sees it (context.output). */
export interface OutputActivationView {
  /** A built-in's name (softmax, sigmoid, linear, tanh) or the `name` a module exports, e.g. sparsemax. */
  name: string;
  /** Whether oₖ depends on zₖ alone (sigmoid, tanh, linear) rather than on the whole row (softmax, sparsemax). */
  elementwise: boolean;
  /** o = f(z), shape [N,K]. */
  apply(this: void, z: Tensor): Tensor2D;
  /**
   * The vector–Jacobian product Jᵀg: for an upstream g = ∂E/∂o [N,K], returns ∂E/∂z [N,K] with
   * (∂E/∂z)ⱼ = Σₖ gₖ ∂oₖ/∂zⱼ. For an elementwise f it is g ⊙ f′(z). Throws when the activation has neither a
   * vjp nor an elementwise derivative (then a closed-form gradient through it cannot be written).
   */
  vjp(this: void, z: Tensor, o: Tensor, g: Tensor): Tensor2D;
}

/** What every loss function receives besides z and t. */
export interface LossContext<O extends OptionValues = OptionValues> {
  /** losslab's tf: use it, not an import of your own (a second copy of tfjs would hold its own tensors). */
  tf: Tf;
  /** The loss's options from the experiment file, validated against `options`, defaults filled in. */
  options: O;
  /** The run's output activation. A loss of the outputs computes o = output.apply(z) itself. */
  output: OutputActivationView;
}

/**
 * A loss: L = c · Σₙ Σₖ E[n,k], where the harness supplies the reduction constant c (see the file comment).
 *
 * Export these as named exports or as one default-exported object (ESM), or as `module.exports` (CommonJS).
 */
export interface LossModule<O extends OptionValues = OptionValues> {
  /** A short name for legends and messages (default: the file name). */
  name?: string;
  /** One line for `--help`, validate and the docs. */
  summary?: string;
  /** The per-term formula E[n,k], for the docs. */
  formula?: string;
  /**
   * The output activations the loss is defined for, by name (built-ins: softmax, sigmoid, linear, tanh; a module
   * activation: the `name` it exports), or 'any' for a loss of the outputs that fits every output.
   */
  outputs: readonly string[] | 'any';
  /** What to use instead, for an output this loss rejects (printed after the rejection). */
  instead?: string;
  /** The default reduction over the K outputs (`loss.outputs` in the experiment file overrides it). */
  defaultOutputs: 'mean' | 'sum';
  /** The options the loss takes; default none. */
  options?: OptionDeclarations;
  /** E[n,k], shape [N,K], from logits z [N,K] and one-hot targets t [N,K]. Must be finite for finite z. */
  terms(this: void, z: Tensor2D, t: Tensor2D, context: LossContext<O>): Tensor;
  /**
   * Optional closed form ∂(Σₖ E[n,k])/∂z[n,j], shape [N,K] (without c: the harness multiplies by it). Used by
   * `gradient: closed-form`; checked against autodiff to 1e-5 relative before training.
   */
  gradZ?(this: void, z: Tensor2D, t: Tensor2D, context: LossContext<O>): Tensor;
  /**
   * Optional ∂E[n,k]/∂o[n,k] with o = f(z), shape [N,K], for a loss of the outputs. Used by
   * `gradient: skip-activation-derivative`, which sends c · ∂E/∂o back as if f were the identity.
   */
  gradO?(this: void, o: Tensor2D, t: Tensor2D, context: LossContext<O>): Tensor;
}

/** What every output-activation function receives besides its tensors. */
export interface ActivationContext<O extends OptionValues = OptionValues> {
  /** losslab's tf. */
  tf: Tf;
  /** The activation's options from the experiment file, validated, defaults filled in. */
  options: O;
}

/** An output activation o = f(z) applied to the logits of the last layer. */
export interface OutputActivationModule<O extends OptionValues = OptionValues> {
  /** The name losses list in their `outputs` (default: the file name). Must differ from the built-ins' names. */
  name?: string;
  /** One line for validate and the docs. */
  summary?: string;
  /** true when oₖ depends on zₖ alone; false when f couples the row (softmax, sparsemax). */
  elementwise: boolean;
  /** The options the activation takes; default none. */
  options?: OptionDeclarations;
  /** o = f(z), shape [N,K]. */
  apply(this: void, z: Tensor2D, context: ActivationContext<O>): Tensor;
  /**
   * Optional f′(z) elementwise, written through a = f(z) where cheaper; for a coupled f, the Jacobian's diagonal
   * ∂aₖ/∂zₖ. Used for `saturated_fraction` and, for an elementwise f, for closed-form gradients through it.
   */
  derivative?(this: void, z: Tensor2D, a: Tensor2D, context: ActivationContext<O>): Tensor;
  /** Optional vector–Jacobian product Jᵀg (see OutputActivationView.vjp), for closed-form gradients through f. */
  vjp?(this: void, z: Tensor2D, a: Tensor2D, g: Tensor2D, context: ActivationContext<O>): Tensor;
  /**
   * Optional saturation threshold: a unit counts as saturated in gradients.csv's `saturated_fraction` where
   * derivative(z, a) < saturatedBelow (the built-ins use 1% of the derivative's maximum). Needs `derivative`.
   */
  saturatedBelow?: number;
  /**
   * Optional inverse: logits z with f(z) = o, for `losslab anatomy` to place the outputs at given probabilities.
   * Without it, anatomy tries log o, o and logit o, and uses the first that f maps back to o.
   */
  inverse?(this: void, o: Tensor2D, context: ActivationContext<O>): Tensor;
}
