// A network built from a `layers:` block (conv2d, pooling, flatten, dense, dropout) plus its output layer.
import * as tf from '@tensorflow/tfjs';
import type { LayerStackModelConfig } from '../config/schema';
import { deriveSeed } from '../data/rng';
import { activation, type Activation } from './activations';
import { initialize, layersInitializer, type ResolvedInitializer } from './initializers';
import { layerDefinition, type ResolvedLayer, type Shape } from './layers';
import type { ForwardOptions, ForwardPass, Model, ParameterLayer } from './model';
import { isShapeProblem, stackShapes } from './shapes';

/** One layer of the stack; parameter layers carry their variables and their index among parameter layers. */
interface StackStep {
  layer: ResolvedLayer;
  /** Index in the stack (the output layer is last). */
  index: number;
  parameters?: ParameterLayer & { parameterIndex: number };
}

/** Counter behind each model's variable-name prefix (stack0, stack1, …). */
let nextModelId = 0;

export class LayerStack implements Model {
  readonly parameterLayers: readonly ParameterLayer[];

  /**
   * @param inputShape one example as the stack sees it, e.g. [28, 28, 1]; flat inputs [N, features] are reshaped to it.
   * @param runSeed dropout masks are drawn from (runSeed, layer index, step).
   */
  constructor(
    readonly steps: readonly StackStep[],
    readonly inputShape: Shape,
    readonly activationSize: number,
    private readonly runSeed: number,
  ) {
    this.parameterLayers = steps.flatMap((s) => (s.parameters ? [s.parameters] : []));
  }

  get variables(): tf.Variable[] {
    return this.parameterLayers.flatMap((l) => [l.kernel, l.bias]);
  }

  /**
   * The training pass: x [N, features] reshaped to [N, ...inputShape], then every layer. `tap` sees each parameter
   * layer's pre-activation (a conv layer's is the whole [N, H, W, C] tensor); dropout is active and needs `step`.
   */
  forward(x: tf.Tensor2D, options: ForwardOptions = {}): ForwardPass {
    const preactivations: tf.Tensor[] = [];
    const activations: tf.Tensor[] = [];
    this.run(x, options.step ?? null, (z, parameters) => {
      const tapped = options.tap ? options.tap(z, parameters.parameterIndex) : z;
      const a = parameters.activation.apply(tapped);
      preactivations.push(tapped);
      activations.push(a);
      return a;
    });
    return { preactivations, activations };
  }

  logits(x: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      let logits: tf.Tensor | undefined;
      this.run(x, undefined, (z, parameters) => {
        logits = z;
        return parameters.activation.apply(z);
      });
      return logits as tf.Tensor2D;
    });
  }

  dispose(): void {
    for (const v of this.variables) v.dispose();
  }

  /**
   * Runs every layer; `activate` turns a parameter layer's pre-activation into its output. `step`: a training step
   * (dropout active), null for a training pass without one (an error if the stack has dropout), undefined in evaluation.
   */
  private run(
    x: tf.Tensor2D,
    step: number | null | undefined,
    activate: (z: tf.Tensor, parameters: NonNullable<StackStep['parameters']>) => tf.Tensor,
  ): void {
    let input: tf.Tensor = tf.reshape(x, [x.shape[0], ...this.inputShape]);
    for (const { layer, index, parameters } of this.steps) {
      const definition = layerDefinition(layer);
      if (parameters) {
        input = activate(definition.preactivation!(layer, input, parameters.kernel, parameters.bias), parameters);
        continue;
      }
      if (layer.type === 'dropout' && step === null) {
        throw new Error(`layer ${index} (dropout): a training pass of a stack with dropout needs the step (ForwardOptions.step)`);
      }
      const training =
        step === undefined || step === null ? undefined : { seed: deriveSeed(this.runSeed, `layer${index}.dropout.step${step}`) };
      input = definition.apply!(layer, input, { training });
    }
  }
}

/**
 * Builds the layer stack of `model` for inputs of `inputShape` and `numClasses` outputs. Kernels and biases are
 * numbered like an MLP's (layer<i>.kernel, layer<i>.bias over parameter layers), so each gets its own non-zero seed
 * derived from the run seed, and a stack of dense layers starts from the same weights as the MLP with those sizes.
 * An output activation given by a module comes bound in `output` (see train/run-functions.ts).
 */
export function buildLayerStack(
  model: LayerStackModelConfig,
  inputShape: Shape,
  numClasses: number,
  runSeed: number,
  output: Activation = builtinOutput(model.outputActivation),
): LayerStack {
  const shapes = stackShapes(model.layers, inputShape, {
    units: numClasses,
    kernelInitializer: model.kernelInitializer,
    biasInitializer: model.biasInitializer,
  });
  // Validation checks the shapes of every run first; this only guards direct callers.
  if (isShapeProblem(shapes)) throw new RangeError(`layers[${shapes.at}]: ${shapes.message}`);
  const prefix = `stack${nextModelId++}`;
  let parameterIndex = 0;
  const steps = shapes.map(({ layer, input, output: outputShape }, index): StackStep => {
    const parameterShapes = layerDefinition(layer).parameterShapes?.(layer, input);
    const kind = layerDefinition(layer).kind;
    if (!parameterShapes || !kind || !('kernelInitializer' in layer)) return { layer, index };
    const { fanIn, fanOut } = parameterShapes;
    const make = (spec: ResolvedInitializer, shape: number[], purpose: 'kernel' | 'bias') => {
      const { name, ...params } = spec;
      const args = [name, { shape, fanIn, fanOut, seed: deriveSeed(runSeed, `layer${parameterIndex}.${purpose}`) }, params] as const;
      const init = initialize(...args);
      const variable = tf.variable(init, true, `${prefix}/layer${parameterIndex}/${purpose}`);
      init.dispose();
      return { variable, recorded: layersInitializer(...args) };
    };
    const kernel = make(layer.kernelInitializer, parameterShapes.kernel, 'kernel');
    const bias = make(layer.biasInitializer, parameterShapes.bias, 'bias');
    const parameters = {
      kind,
      preactivationShape: outputShape,
      kernel: kernel.variable,
      bias: bias.variable,
      // The last step is the output layer, whose activation is the run's (bound) output activation.
      activation: index === shapes.length - 1 ? output : activation(layer.activation),
      initializers: { kernel: kernel.recorded, bias: bias.recorded },
      parameterIndex,
    };
    parameterIndex++;
    return { layer, index, parameters };
  });
  const size = (shape: Shape) => shape.reduce((a, b) => a * b, 1);
  const activationSize = shapes.reduce((sum, { output }) => sum + size(output), size(inputShape));
  return new LayerStack(steps, inputShape, activationSize, runSeed);
}

function builtinOutput(spec: LayerStackModelConfig['outputActivation']): Activation {
  if (typeof spec !== 'string')
    throw new Error(`buildLayerStack: the output activation module ${spec.module} must be passed bound (outputActivationOf)`);
  return activation(spec);
}
