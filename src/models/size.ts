// How big a model is before anything is allocated: parameter shapes and training memory per layer, and the limit a
// model must stay under (checked when the experiment file is validated, before experiment.json is written).

/** Bytes per value: every parameter, gradient and activation is float32. */
export const FLOAT32_BYTES = 4;

/**
 * The most training memory one model may need, by the estimate below. The wasm backend's whole heap is 4 GiB
 * (emscripten's getHeapMax in tfjs-backend-wasm), shared by the model, its activations and each step's batch, so a
 * model past 3 GiB cannot train there; nor, in practice, on the cpu backend of a laptop.
 */
export const MODEL_MEMORY_LIMIT_BYTES = 3 * 1024 ** 3;

/** Rows of one evaluation forward pass (train/evaluate.ts): bounds evaluation memory whatever the split size. */
export const EVALUATION_CHUNK_ROWS = 2000;

/** What the memory of a layer depends on besides its own shape. */
export interface TrainingContext {
  /** Examples per training step. */
  batchSize: number;
  /** Tensors of each parameter's shape the optimiser keeps (0 for SGD, 2 for Adam's moments). */
  optimizerSlots: number;
}

/** One layer's size. */
export interface LayerSize {
  /** 0-based, input side first (as in gradients.csv). */
  layer: number;
  /** e.g. "dense 784 → 100". */
  description: string;
  /** Shapes of the layer's trainable tensors, in the model's variable order (dense: kernel [in, out], bias [out]). */
  shapes: number[][];
  /** Trainable values: the sum of the shapes' products. */
  parameters: number;
  /**
   * Estimated bytes to train the layer: its float32 parameters, their gradients and the optimiser's slots, plus the
   * larger of a training step's activations (z, a and their gradients for a batch) and an evaluation chunk's (z, a).
   */
  bytes: number;
}

/** The size of a dense layer `inputs` → `units` (z = x·kernel + bias). */
export function denseLayerSize(layer: number, inputs: number, units: number, context: TrainingContext): LayerSize {
  const shapes = [[inputs, units], [units]];
  const parameters = inputs * units + units;
  const parameterBytes = parameters * FLOAT32_BYTES * (2 + context.optimizerSlots);
  const activationRows = Math.max(4 * context.batchSize, 2 * EVALUATION_CHUNK_ROWS);
  return {
    layer,
    description: `dense ${inputs} → ${units}`,
    shapes,
    parameters,
    bytes: parameterBytes + activationRows * units * FLOAT32_BYTES,
  };
}

/** Every layer of an MLP with `inputSize` inputs, `hidden` hidden units per layer and `numClasses` outputs. */
export function mlpLayerSizes(hidden: readonly number[], inputSize: number, numClasses: number, context: TrainingContext): LayerSize[] {
  const sizes = [inputSize, ...hidden, numClasses];
  return sizes.slice(1).map((units, index) => denseLayerSize(index, sizes[index], units, context));
}

/** The layer that takes the most memory (the first of equals). */
export function largestLayer(layers: readonly LayerSize[]): LayerSize {
  return layers.reduce((largest, layer) => (layer.bytes > largest.bytes ? layer : largest));
}
