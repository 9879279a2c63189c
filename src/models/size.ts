// How big a model is before anything is allocated: parameter shapes and training memory per layer, and the limit a
// model must stay under (checked when the experiment file is validated, before experiment.json is written).
import { isLayerStack, type RunConfig } from '../config/schema';
import { layerDefinition, shapeText, type ResolvedLayer, type Shape } from './layers';
import { isShapeProblem, stackShapes } from './shapes';

/** Bytes per value: every parameter, gradient and activation is float32. */
export const FLOAT32_BYTES = 4;

/**
 * The most training memory one model may need, by the estimate below. The wasm backend's whole heap is 4 GiB
 * (emscripten's getHeapMax in tfjs-backend-wasm), shared by the model, its activations and each step's batch, so a
 * model past 3 GiB cannot train there; nor, in practice, on the cpu backend of a laptop.
 */
export const MODEL_MEMORY_LIMIT_BYTES = 3 * 1024 ** 3;

/** Most examples per evaluation forward pass (train/evaluate.ts): large enough to keep matMuls efficient. */
export const EVALUATION_CHUNK_MAX_ROWS = 2000;

/** Activation values one evaluation pass may hold at once (16M float32 = 64 MB), which caps the chunk of a wide CNN. */
export const EVALUATION_ACTIVATION_BUDGET = 16 * 1024 * 1024;

/**
 * Examples per evaluation pass for a model whose layers output `activationSize` values per example in all (input
 * included): EVALUATION_CHUNK_MAX_ROWS, fewer when that would pass EVALUATION_ACTIVATION_BUDGET, at least 1.
 */
export function evaluationChunkRows(activationSize: number): number {
  return Math.max(1, Math.min(EVALUATION_CHUNK_MAX_ROWS, Math.floor(EVALUATION_ACTIVATION_BUDGET / activationSize)));
}

/** What the memory of a layer depends on besides its own shape. */
export interface TrainingContext {
  /** Examples per training step. */
  batchSize: number;
  /** Tensors of each parameter's shape the optimiser keeps (0 for SGD, 2 for Adam's moments). */
  optimizerSlots: number;
}

/** One layer's size. */
export interface LayerSize {
  /** Where the layer is in the model block: its index in `hidden` (an MLP) or `layers` (a stack), or the output layer. */
  at: number | 'output';
  /** The layer's number in gradients.csv (parameter layers, from 0 at the input side); undefined for the rest. */
  parameterLayer?: number;
  type: ResolvedLayer['type'];
  /** e.g. "dense 784 → 100", "conv2d 28×28×1 → 24×24×6", "maxPool2d 24×24×6 → 12×12×6". */
  description: string;
  /** The layer's output shape for one example (an image [height, width, channels], or [units]). */
  output: Shape;
  /** Shapes of the layer's trainable tensors in the model's variable order (kernel, bias), [] without parameters. */
  shapes: number[][];
  /** Trainable values: the sum of the shapes' products. */
  parameters: number;
  /**
   * Estimated bytes to train the layer: its float32 parameters, their gradients and the optimiser's slots, plus the
   * larger of a training step's outputs (a batch's z, a and their gradients for a parameter layer; the output and its
   * gradient for the rest) and an evaluation chunk's (z and a; the output).
   */
  bytes: number;
}

/** A model block's layers as a stack (an MLP's hidden sizes become dense layers) and the shape they receive. */
function asStack(model: RunConfig['model'], imageShape: Shape): { layers: ResolvedLayer[]; input: Shape } {
  if (isLayerStack(model)) return { layers: model.layers, input: imageShape };
  const layers = model.hidden.map((units): ResolvedLayer => ({
    type: 'dense',
    units,
    activation: model.hiddenActivation,
    kernelInitializer: model.kernelInitializer,
    biasInitializer: model.biasInitializer,
  }));
  return { layers, input: [imageShape.reduce((a, b) => a * b, 1)] };
}

/**
 * Every layer of `model` (hidden: or layers:, then the output layer of `numClasses` units) on examples of
 * `imageShape` (an MLP sees them flat), input side first; undefined when the layers do not fit together (validation
 * reports that separately).
 */
export function modelLayerSizes(
  model: RunConfig['model'],
  imageShape: Shape,
  numClasses: number,
  context: TrainingContext,
): LayerSize[] | undefined {
  const { layers, input } = asStack(model, imageShape);
  const shapes = stackShapes(layers, input, {
    units: numClasses,
    kernelInitializer: model.kernelInitializer,
    biasInitializer: model.biasInitializer,
  });
  if (isShapeProblem(shapes)) return undefined;
  const values = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
  const evaluationRows = evaluationChunkRows(shapes.reduce((sum, { output }) => sum + values(output), values(input)));
  let parameterLayer = 0;
  return shapes.map(({ layer, input: layerInput, output }, index) => {
    const parameterShapes = layerDefinition(layer).parameterShapes?.(layer, layerInput);
    const tensors = parameterShapes ? [parameterShapes.kernel, parameterShapes.bias] : [];
    const parameters = tensors.reduce((sum, shape) => sum + values(shape), 0);
    // Per example: z, a and both gradients in a training step (the output and its gradient without parameters).
    const trainingPerOutput = parameterShapes ? 4 : 2;
    const evaluationPerOutput = parameterShapes ? 2 : 1;
    const outputRows = Math.max(trainingPerOutput * context.batchSize, evaluationPerOutput * evaluationRows);
    const size: LayerSize = {
      at: index === layers.length ? 'output' : index,
      ...(parameterShapes ? { parameterLayer: parameterLayer++ } : {}),
      type: layer.type,
      description: `${layer.type} ${shapeText(layerInput)} → ${shapeText(output)}`,
      output,
      shapes: tensors,
      parameters,
      bytes: (parameters * (2 + context.optimizerSlots) + outputRows * values(output)) * FLOAT32_BYTES,
    };
    return size;
  });
}

/**
 * Values one example produces across the model: its input and every layer's output (what Model.activationSize gives
 * a built model, and evaluationChunkRows takes).
 */
export function activationValues(layers: readonly LayerSize[], input: Shape): number {
  const values = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
  return layers.reduce((sum, layer) => sum + values(layer.output), values(input));
}

/** The shapes of a model's trainable variables in its variable order (layer 0 kernel, layer 0 bias, …). */
export function variableShapes(layers: readonly LayerSize[]): number[][] {
  return layers.flatMap((layer) => layer.shapes);
}

/** The layer that takes the most memory (the first of equals). */
export function largestLayer(layers: readonly LayerSize[]): LayerSize {
  return layers.reduce((largest, layer) => (layer.bytes > largest.bytes ? layer : largest));
}
