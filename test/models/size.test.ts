// Model size before allocation: parameter shapes equal the built model's, and training memory by a closed form.
import * as tf from '@tensorflow/tfjs';
import { buildMlp } from '../../src/models/mlp';
import {
  denseLayerSize,
  EVALUATION_CHUNK_ROWS,
  FLOAT32_BYTES,
  largestLayer,
  mlpLayerSizes,
  MODEL_MEMORY_LIMIT_BYTES,
} from '../../src/models/size';
import { createOptimizer, OPTIMIZERS, OPTIMIZER_NAMES } from '../../src/optimizers/registry';
import { loadExperiment } from '../../src/config/experiment';

test('a dense layer: parameters in·out + out; bytes = parameters × 4 × (2 + slots) + activations × units × 4', () => {
  const small = denseLayerSize(1, 784, 100, { batchSize: 32, optimizerSlots: 2 });
  expect(small).toEqual({
    layer: 1,
    description: 'dense 784 → 100',
    shapes: [[784, 100], [100]],
    parameters: 78500,
    // Activations: max(4 × 32 batch rows, 2 × 2000 evaluation rows) = 4000 rows of 100 units.
    bytes: 78500 * 4 * 4 + 4000 * 100 * 4,
  });
  // A batch larger than the evaluation chunk sets the activations: 4 × 5000 rows.
  expect(denseLayerSize(0, 10, 10, { batchSize: 5000, optimizerSlots: 0 }).bytes).toBe(110 * 4 * 2 + 20000 * 10 * 4);
  expect(EVALUATION_CHUNK_ROWS * 2 * FLOAT32_BYTES).toBe(16000);
});

test('mlpLayerSizes lists the shapes buildMlp allocates, in variable order', () => {
  const model = {
    hidden: [30, 20],
    hiddenActivation: 'relu' as const,
    outputActivation: 'softmax' as const,
    kernelInitializer: { name: 'glorot-uniform' as const },
    biasInitializer: { name: 'zeros' as const },
  };
  const mlp = buildMlp(model, 784, 10, 1);
  try {
    const sizes = mlpLayerSizes(model.hidden, 784, 10, { batchSize: 10, optimizerSlots: 0 });
    expect(sizes.flatMap((layer) => layer.shapes)).toEqual(mlp.variables.map((v) => v.shape));
    expect(sizes.reduce((n, layer) => n + layer.parameters, 0)).toBe(mlp.variables.reduce((n, v) => n + v.size, 0));
  } finally {
    mlp.dispose();
  }
  expect(tf.memory().numTensors).toBe(0);
});

test.each(OPTIMIZER_NAMES)("%s declares the slots tfjs keeps for it: tensors of a parameter's shape after one step", async (name) => {
  const variable = tf.variable(tf.ones([3, 7]));
  const optimizer = createOptimizer({ name, learningRate: 0.1 });
  optimizer.minimize(() => tf.sum(tf.square(variable)) as tf.Scalar);
  const weights = await optimizer.getWeights();
  expect(weights.filter((w) => w.tensor.shape.join() === '3,7')).toHaveLength(OPTIMIZERS[name].slots);
  tf.dispose(weights.map((w) => w.tensor));
  optimizer.dispose();
  variable.dispose();
});

test('largestLayer picks the layer with the most bytes', () => {
  const layers = mlpLayerSizes([5, 500, 5], 784, 10, { batchSize: 1, optimizerSlots: 0 });
  expect(largestLayer(layers).description).toBe('dense 5 → 500');
});

test('the limit sits between the largest model that validates and the smallest that does not', () => {
  // hidden [n] with SGD and batch 32: bytes ≈ (785n + 10n + 10) × 8 + 4000(n + 10) × 4 + … per layer; find the edge.
  const fits = (units: number) => {
    try {
      loadExperiment('x.yaml', {}, `name: x\ndataset: {train: 100, test: 30}\nruns: [{model: {hidden: [${units}]}}]`);
      return true;
    } catch {
      return false;
    }
  };
  const total = (units: number) => mlpLayerSizes([units], 784, 10, { batchSize: 32, optimizerSlots: 0 }).reduce((n, l) => n + l.bytes, 0);
  let low = 1;
  let high = 10_000_000;
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (fits(middle)) low = middle;
    else high = middle;
  }
  expect(total(low)).toBeLessThanOrEqual(MODEL_MEMORY_LIMIT_BYTES);
  expect(total(high)).toBeGreaterThan(MODEL_MEMORY_LIMIT_BYTES);
});
