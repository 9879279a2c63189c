// A multilayer perceptron built from explicit dense steps (matMul + bias + activation), owned by the harness.
import * as tf from '@tensorflow/tfjs';
import { deriveSeed } from '../data/rng';
import { isLayerStack, type MlpModelConfig, type RunConfig } from '../config/schema';
import { activation, type Activation } from './activations';
import { initialize, layersInitializer, type LayersInitializer } from './initializers';
import type { ForwardOptions, ForwardPass, Model, ParameterLayer } from './model';

/** One dense layer: z = x·kernel + bias, a = activation(z). kernel is [in, out], bias [out]. */
export interface DenseLayer {
  kernel: tf.Variable<tf.Rank.R2>;
  bias: tf.Variable<tf.Rank.R1>;
  activation: Activation;
  /** How kernel and bias were drawn, as tfjs-layers initializers (for model.json); absent if not known. */
  initializers?: { kernel: LayersInitializer; bias: LayersInitializer };
}

/** The MLP of a `hidden:` model block: dense layers only, on flat inputs. */
export class Mlp implements Model {
  constructor(readonly layers: DenseLayer[]) {}

  get parameterLayers(): ParameterLayer[] {
    return this.layers.map((layer) => ({ kind: 'dense', preactivationShape: [layer.kernel.shape[1]], ...layer }));
  }

  get activationSize(): number {
    return this.sizes.reduce((a, b) => a + b, 0);
  }

  /** Sizes from input to output, e.g. [784, 30, 10]. */
  get sizes(): number[] {
    return [this.layers[0].kernel.shape[0], ...this.layers.map((l) => l.kernel.shape[1])];
  }

  /** Trainable variables in a fixed order: layer 0 kernel, layer 0 bias, layer 1 kernel, … */
  get variables(): tf.Variable[] {
    return this.layers.flatMap((l) => [l.kernel, l.bias]);
  }

  /**
   * Runs x [N, in] through every layer. `tap` sees each pre-activation before its activation is applied,
   * so a probe there receives ∂L/∂z in the backward pass. The output activation is applied too; losses that
   * work from logits read `preactivations[last]`. An MLP has no dropout, so `step` is not used.
   */
  forward(x: tf.Tensor2D, options: ForwardOptions = {}): ForwardPass {
    const { tap } = options;
    const preactivations: tf.Tensor2D[] = [];
    const activations: tf.Tensor2D[] = [];
    let input = x;
    this.layers.forEach((layer, index) => {
      let z = tf.add(tf.matMul(input, layer.kernel), layer.bias) as tf.Tensor2D;
      if (tap) z = tap(z, index) as tf.Tensor2D;
      const a = layer.activation.apply(z);
      preactivations.push(z);
      activations.push(a);
      input = a;
    });
    return { preactivations, activations };
  }

  /** Output logits only (the last pre-activation), for evaluation. */
  logits(x: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      let input = x;
      let z = input;
      this.layers.forEach((layer, index) => {
        z = tf.add(tf.matMul(input, layer.kernel), layer.bias) as tf.Tensor2D;
        if (index < this.layers.length - 1) input = layer.activation.apply(z);
      });
      return z;
    });
  }

  dispose(): void {
    for (const v of this.variables) v.dispose();
  }
}

/** Counter behind each model's variable-name prefix (mlp0, mlp1, …). */
let nextModelId = 0;

/**
 * Builds an MLP for `model` with `inputSize` inputs and `numClasses` outputs. Every kernel and bias gets its own
 * non-zero seed derived from the run seed (tfjs ignores a seed of 0 in its normal-family initialisers). An output
 * activation given by a module comes bound in `output` (see train/run-functions.ts).
 */
export function buildMlp(
  model: RunConfig['model'],
  inputSize: number,
  numClasses: number,
  runSeed: number,
  output: Activation = builtinOutput(model.outputActivation),
): Mlp {
  if (isLayerStack(model)) throw new TypeError('buildMlp: this model block is a layer stack (model.layers); use buildModel');
  // tfjs variable names are global to the process: a per-model prefix lets two models live side by side.
  const prefix = `mlp${nextModelId++}`;
  const sizes = [inputSize, ...model.hidden, numClasses];
  const layers: DenseLayer[] = [];
  for (let index = 0; index < sizes.length - 1; index++) {
    const [fanIn, fanOut] = [sizes[index], sizes[index + 1]];
    const isOutput = index === sizes.length - 2;
    const make = (spec: MlpModelConfig['kernelInitializer'], shape: number[], purpose: string) => {
      const { name, ...params } = spec;
      const context = { shape, fanIn, fanOut, seed: deriveSeed(runSeed, `layer${index}.${purpose}`) };
      const args = [name, context, params] as const;
      return { tensor: initialize(...args), recorded: layersInitializer(...args) };
    };
    const kernelInit = make(model.kernelInitializer, [fanIn, fanOut], 'kernel');
    const biasInit = make(model.biasInitializer, [fanOut], 'bias');
    layers.push({
      kernel: tf.variable(kernelInit.tensor as tf.Tensor2D, true, `${prefix}/layer${index}/kernel`),
      bias: tf.variable(biasInit.tensor as tf.Tensor1D, true, `${prefix}/layer${index}/bias`),
      activation: isOutput ? output : activation(model.hiddenActivation),
      initializers: { kernel: kernelInit.recorded, bias: biasInit.recorded },
    });
    kernelInit.tensor.dispose();
    biasInit.tensor.dispose();
  }
  return new Mlp(layers);
}

function builtinOutput(spec: RunConfig['model']['outputActivation']): Activation {
  if (typeof spec !== 'string')
    throw new Error(`buildMlp: the output activation module ${spec.module} must be passed bound (outputActivationOf)`);
  return activation(spec);
}
