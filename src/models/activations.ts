// Activation registry: each built-in is an OutputActivationModule (the public contract) plus where it may stand;
// bindActivation turns a built-in or a user's module into the Activation a model layer applies.
import * as tf from '@tensorflow/tfjs';
import type { ActivationContext, OptionValues, OutputActivationModule, OutputActivationView, Tensor, Tensor2D } from '../modules/contract';

/** tfjs-layers identifiers a saved model.json can name. */
export type LayersActivation = 'sigmoid' | 'tanh' | 'relu' | 'linear' | 'softmax';

/** A built-in activation: the public contract, plus its roles and its tfjs-layers name. */
export interface ActivationDefinition extends OutputActivationModule {
  /** Where the activation may stand. */
  roles: readonly ('hidden' | 'output')[];
  /** The tfjs-layers identifier used in the saved model.json. */
  layersName: LayersActivation;
}

/** σ'(z) = σ(1 − σ) peaks at 1/4; saturated below 1% of that. */
const SIGMOID_SATURATED = 0.01 * 0.25;
/** tanh'(z) = 1 − tanh² and relu'(z) ∈ {0, 1} peak at 1; saturated (dead, for relu) below 1% of that. */
const UNIT_SATURATED = 0.01;

type Context = ActivationContext;
// σ' = a(1 − a); softmax's Jacobian diagonal ∂aₖ/∂zₖ is the same expression.
const logisticDerivative = (_z: Tensor2D, a: Tensor2D, { tf }: Context) => tf.mul(a, tf.sub(1, a));

export const ACTIVATIONS = {
  sigmoid: {
    elementwise: true,
    apply: (z, { tf }) => tf.sigmoid(z),
    derivative: logisticDerivative,
    saturatedBelow: SIGMOID_SATURATED,
    // z = log(o / (1 − o)).
    inverse: (o, { tf }) => tf.log(tf.div(o, tf.sub(1, o))),
    roles: ['hidden', 'output'],
    layersName: 'sigmoid',
  },
  tanh: {
    elementwise: true,
    apply: (z, { tf }) => tf.tanh(z),
    derivative: (_z, a, { tf }) => tf.sub(1, tf.square(a)),
    saturatedBelow: UNIT_SATURATED,
    // atanh(o) = ½ log((1 + o)/(1 − o)).
    inverse: (o, { tf }) => tf.mul(tf.log(tf.div(tf.add(1, o), tf.sub(1, o))), 0.5),
    roles: ['hidden', 'output'],
    layersName: 'tanh',
  },
  relu: {
    elementwise: true,
    apply: (z, { tf }) => tf.relu(z),
    // tfjs's relu gradient is 0 at z = 0, so a unit at exactly 0 is dead too: step(z) is 1 for z > 0, else 0.
    derivative: (z, _a, { tf }) => tf.step(z),
    saturatedBelow: UNIT_SATURATED,
    roles: ['hidden'],
    layersName: 'relu',
  },
  linear: {
    elementwise: true,
    apply: (z) => z.clone(),
    derivative: (z, _a, { tf }) => tf.onesLike(z),
    inverse: (o) => o.clone(),
    roles: ['hidden', 'output'],
    layersName: 'linear',
  },
  softmax: {
    elementwise: false,
    apply: (z, { tf }) => tf.softmax(z),
    derivative: logisticDerivative,
    vjp: (_z, a, g, { tf }) => softmaxVjp(tf, a, g),
    saturatedBelow: SIGMOID_SATURATED,
    // softmax(log o) = o for o on the simplex (softmax ignores a constant shift).
    inverse: (o, { tf }) => tf.log(o),
    roles: ['output'],
    layersName: 'softmax',
  },
} satisfies Record<string, ActivationDefinition>;

/**
 * Vector–Jacobian product through softmax: for a = softmax(z) and an upstream g = ∂E/∂a,
 * ∂E/∂zⱼ = Σₖ gₖ · aₖ(δₖⱼ − aⱼ) = aⱼ · (gⱼ − Σₖ gₖaₖ).
 */
export function softmaxVjp(tfjs: typeof tf, a: Tensor, g: Tensor): Tensor2D {
  return tfjs.mul(a, tfjs.sub(g, tfjs.sum(tfjs.mul(g, a), -1, true)));
}

export type ActivationName = keyof typeof ACTIVATIONS;
export const ACTIVATION_NAMES = Object.keys(ACTIVATIONS) as ActivationName[];
export const HIDDEN_ACTIVATION_NAMES = ACTIVATION_NAMES.filter((n) => (ACTIVATIONS[n].roles as readonly string[]).includes('hidden')) as [
  ActivationName,
  ...ActivationName[],
];
export const OUTPUT_ACTIVATION_NAMES = ACTIVATION_NAMES.filter((n) => (ACTIVATIONS[n].roles as readonly string[]).includes('output')) as [
  ActivationName,
  ...ActivationName[],
];

/** An activation ready to use: options bound, each call in tf.tidy, so it returns one tensor and frees the rest. */
export interface Activation extends OutputActivationView {
  /** f′(z) elementwise (a coupled f: the Jacobian's diagonal), where defined. */
  derivative?(this: void, z: Tensor, a: Tensor): Tensor2D;
  /** 1 where the unit is saturated (derivative below the activation's threshold), else 0; where defined. */
  saturated?(this: void, z: Tensor, a: Tensor): Tensor2D;
  /** z with f(z) = o, where the activation gives one (used by `losslab anatomy`). */
  inverse?(this: void, o: Tensor): Tensor2D;
  /** The tfjs-layers identifier for model.json; undefined for a module activation (saved as linear). */
  layersName?: LayersActivation;
}

/**
 * Binds `definition` (a built-in or a loaded module) to its options. `name` is the built-in's name or the module's.
 * A module's functions are already wrapped by the loader, so an exception names the module's file and line.
 */
export function bindActivation(definition: OutputActivationModule, name: string, options: OptionValues = {}): Activation {
  const context: ActivationContext = { tf, options };
  const { derivative, vjp, inverse, saturatedBelow } = definition;
  const matrix = (x: Tensor) => x as Tensor2D;
  const boundDerivative = derivative && ((z: Tensor, a: Tensor) => tf.tidy(() => matrix(derivative(matrix(z), matrix(a), context))));
  return {
    name,
    elementwise: definition.elementwise,
    apply: (z) => tf.tidy(() => matrix(definition.apply(matrix(z), context))),
    derivative: boundDerivative,
    vjp: (z, o, g) =>
      tf.tidy(() => {
        if (vjp) return matrix(vjp(matrix(z), matrix(o), matrix(g), context));
        if (definition.elementwise && derivative) return tf.mul<Tensor2D>(g, derivative(matrix(z), matrix(o), context));
        throw new Error(
          `output activation "${name}" gives neither vjp nor, being coupled, a usable derivative: a closed-form gradient cannot pass through it`,
        );
      }),
    // 1 where f′ < bound as step(bound − f′): for floats, bound − d > 0 exactly when d < bound (a NaN stays NaN).
    // tf.less and tf.cast cost ~8× more than the arithmetic ops on wasm, and the recorder builds this mask on every
    // recorded step.
    saturated:
      boundDerivative && saturatedBelow !== undefined
        ? (z, a) => tf.tidy(() => tf.step(tf.sub<Tensor2D>(saturatedBelow, boundDerivative(z, a))))
        : undefined,
    inverse: inverse && ((o) => tf.tidy(() => matrix(inverse(matrix(o), context)))),
    layersName: 'layersName' in definition ? (definition as ActivationDefinition).layersName : undefined,
  };
}

/** A built-in activation, bound (built-ins take no options). */
export function activation(name: ActivationName): Activation {
  return bindActivation(ACTIVATIONS[name], name);
}
