// Shapes through a network: each layer's output shape and parameter count (the validate summary, the size of a
// model, the builder's kernel shapes), or the first layer that cannot take its input.
import type { LayerStackModelConfig, MlpModelConfig } from '../config/schema';
import type { ActivationName } from './activations';
import type { ResolvedInitializer } from './initializers';
import { layerDefinition, parameterCount, shapeText, type ResolvedLayer, type Shape } from './layers';

/** The output layer every network ends in: dense, one unit per class (its activation, bound, is the model's). */
export interface OutputLayerSpec {
  units: number;
  kernelInitializer: ResolvedInitializer;
  biasInitializer: ResolvedInitializer;
}

/** One layer with the shapes it sees. */
export interface LayerShape {
  layer: ResolvedLayer;
  input: Shape;
  output: Shape;
  /** Trainable values (kernel and bias), 0 for parameterless layers. */
  parameters: number;
}

/** Why a stack does not fit together: the layer (its index in `layers`, or the output layer) and the reason. */
export interface ShapeProblem {
  /** Index in `layers`, or 'output' for the output layer the stack ends in. */
  at: number | 'output';
  message: string;
}

/**
 * The output layer as a resolved dense layer. Its `activation` is a placeholder: the output activation may be a
 * user's module, so models apply the bound one they are built with (see layer-stack.ts).
 */
export function outputLayer(spec: OutputLayerSpec): ResolvedLayer {
  return {
    type: 'dense',
    units: spec.units,
    activation: 'linear',
    kernelInitializer: spec.kernelInitializer,
    biasInitializer: spec.biasInitializer,
  };
}

/**
 * Follows `input` through `layers` and then the output layer. Returns every layer's shapes (the output layer last),
 * or the first problem: a kernel or pooling window larger than its input, a dense layer on an image, a conv2d or
 * pooling layer after flatten, or an output layer on an image.
 */
export function stackShapes(layers: readonly ResolvedLayer[], input: Shape, output: OutputLayerSpec): LayerShape[] | ShapeProblem {
  const shapes: LayerShape[] = [];
  let current = input;
  for (const [index, layer] of [...layers, outputLayer(output)].entries()) {
    const result = layerDefinition(layer).outputShape(layer, current);
    if (typeof result === 'string') {
      if (index < layers.length) return { at: index, message: `${layer.type}: ${result}.` };
      return {
        at: 'output',
        message:
          `the output layer (dense, ${output.units} units) needs a flat input but the stack ends in a ${shapeText(current)} image: ` +
          'add { type: flatten } as the last layer.',
      };
    }
    shapes.push({ layer, input: current, output: result, parameters: parameterCount(layer, current) });
    current = result;
  }
  return shapes;
}

/** Whether stackShapes found a problem. */
export function isShapeProblem(result: LayerShape[] | ShapeProblem): result is ShapeProblem {
  return !Array.isArray(result);
}

/**
 * The hidden part of a network as compact text, e.g. "100-30" for an MLP or "conv6@5x5/same-maxpool2x2-flatten-120"
 * for a stack; a layer whose activation differs from `hiddenActivation` gets ":<activation>".
 */
export function hiddenText(model: { hidden: number[] } | { layers: ResolvedLayer[]; hiddenActivation: ActivationName }): string {
  if ('hidden' in model) return model.hidden.join('-');
  return model.layers
    .map((layer) => {
      const token = layerDefinition(layer).token(layer);
      return 'activation' in layer && layer.activation !== model.hiddenActivation ? `${token}:${layer.activation}` : token;
    })
    .join('-');
}

/** The whole network as compact text: input, hidden part, outputs, e.g. "784-100-10" or "28x28x1-conv6@5x5-…-10". */
export function networkText(
  model: { hidden: number[] } | { layers: ResolvedLayer[]; hiddenActivation: ActivationName },
  inputShape: Shape,
  numClasses: number,
): string {
  const input = 'hidden' in model ? String(inputShape.reduce((a, b) => a * b, 1)) : inputShape.join('x');
  const hidden = hiddenText(model);
  return [input, ...(hidden === '' ? [] : [hidden]), numClasses].join('-');
}

/** One line of a model summary: a layer, what it outputs, how many trainable values it has. */
export interface SummaryRow {
  /** Where the layer comes from: "input", "layers[i]", "hidden[i]" or "output". */
  name: string;
  type: string;
  outputShape: Shape;
  parameters: number;
}

/**
 * The layers of a resolved model block with their output shapes and parameter counts, input first, as Keras'
 * summary() lists them. An MLP's hidden sizes become dense layers on the flat input.
 */
export function modelSummary(model: MlpModelConfig | LayerStackModelConfig, imageShape: Shape, numClasses: number): SummaryRow[] {
  const output: OutputLayerSpec = { units: numClasses, kernelInitializer: model.kernelInitializer, biasInitializer: model.biasInitializer };
  const isStack = 'layers' in model;
  const layers: ResolvedLayer[] = isStack
    ? model.layers
    : model.hidden.map((units) => ({
        type: 'dense',
        units,
        activation: model.hiddenActivation,
        kernelInitializer: model.kernelInitializer,
        biasInitializer: model.biasInitializer,
      }));
  const input = isStack ? imageShape : [imageShape.reduce((a, b) => a * b, 1)];
  const shapes = stackShapes(layers, input, output);
  if (isShapeProblem(shapes)) throw new RangeError(`modelSummary: ${shapes.message}`);
  return [
    { name: 'input', type: '', outputShape: input, parameters: 0 },
    ...shapes.map((s, index) => ({
      name: index === layers.length ? 'output' : `${isStack ? 'layers' : 'hidden'}[${index}]`,
      type: s.layer.type,
      outputShape: s.output,
      parameters: s.parameters,
    })),
  ];
}
