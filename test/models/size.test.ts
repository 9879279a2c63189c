// Model size before allocation: parameter shapes equal the built model's (MLPs and layer stacks), and training memory
// by a closed form per layer, with the evaluation chunk evaluate() uses.
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../src/backend/select';
import { loadExperiment } from '../../src/config/experiment';
import type { RunConfig } from '../../src/config/schema';
import { IMAGE_SHAPE, NUM_CLASSES } from '../../src/data/dataset';
import { buildModel } from '../../src/models/build';
import {
  activationValues,
  EVALUATION_ACTIVATION_BUDGET,
  EVALUATION_CHUNK_MAX_ROWS,
  evaluationChunkRows,
  FLOAT32_BYTES,
  largestLayer,
  modelLayerSizes,
  MODEL_MEMORY_LIMIT_BYTES,
  variableShapes,
} from '../../src/models/size';
import { createOptimizer, OPTIMIZERS, OPTIMIZER_NAMES } from '../../src/optimizers/registry';
import { evaluationChunk } from '../../src/train/evaluate';

const modelOf = (yaml: string): RunConfig['model'] =>
  loadExperiment('m.yaml', {}, `name: m\ndataset: {train: 100, test: 30}\nruns: [{model: ${yaml}}]`).runs[0].config.model;
const sizesOf = (yaml: string, batchSize = 32, optimizerSlots = 0) =>
  modelLayerSizes(modelOf(yaml), IMAGE_SHAPE, NUM_CLASSES, { batchSize, optimizerSlots })!;

const LENET = `{hiddenActivation: relu, layers: [
  {type: conv2d, filters: 6, kernelSize: 5, padding: same}, {type: maxPool2d, poolSize: 2},
  {type: conv2d, filters: 16, kernelSize: 5}, {type: avgPool2d, poolSize: 2},
  {type: flatten}, {type: dense, units: 120}, {type: dropout, rate: 0.5}, {type: dense, units: 84}]}`;

beforeAll(async () => {
  await selectBackend('cpu');
});

test('a dense layer: parameters in·out + out; bytes = (parameters × (2 + slots) + rows × units) × 4', () => {
  const [hidden, output] = sizesOf('{hidden: [100]}', 32, 2);
  // Activation values per example: 784 + 100 + 10 = 894, so evaluation takes the full 2000 rows per pass.
  expect(evaluationChunkRows(894)).toBe(2000);
  expect(hidden).toEqual({
    at: 0,
    parameterLayer: 0,
    type: 'dense',
    description: 'dense 784 → 100',
    output: [100],
    shapes: [[784, 100], [100]],
    parameters: 78500,
    // Outputs: max(4 × 32 batch rows (z, a and their gradients), 2 × 2000 evaluation rows (z, a)) = 4000 rows.
    bytes: (78500 * 4 + 4000 * 100) * FLOAT32_BYTES,
  });
  expect(output).toMatchObject({ at: 'output', parameterLayer: 1, description: 'dense 100 → 10', bytes: (1010 * 4 + 4000 * 10) * 4 });
  // A batch larger than half the evaluation chunk sets the rows: 4 × 5000.
  expect(sizesOf('{hidden: []}', 5000)[0].bytes).toBe((7850 * 2 + 20000 * 10) * 4);
});

test('a layer stack: every layer by its type, in the closed form (SGD, batch 32)', () => {
  const sizes = sizesOf(LENET);
  // 784 + 28·28·6 + 14·14·6 + 10·10·16 + 5·5·16 (pool, flatten) + 120 (dense, dropout) + 84 + 10 values per example.
  const perExample = 784 + 4704 + 1176 + 1600 + 400 + 400 + 120 + 120 + 84 + 10;
  expect(activationValues(sizes, IMAGE_SHAPE)).toBe(perExample);
  const rows = evaluationChunkRows(perExample);
  expect(rows).toBe(Math.min(2000, Math.floor(EVALUATION_ACTIVATION_BUDGET / perExample)));
  // Parameter layers: (parameters × 2 + max(4 × 32, 2 × rows) × outputs) × 4; the rest: max(2 × 32, rows) × outputs × 4.
  const withParameters = (parameters: number, outputs: number) => (parameters * 2 + Math.max(128, 2 * rows) * outputs) * 4;
  const without = (outputs: number) => Math.max(64, rows) * outputs * 4;
  expect(sizes.map((s) => [s.at, s.parameterLayer, s.description, s.parameters, s.bytes])).toEqual([
    [0, 0, 'conv2d 28×28×1 → 28×28×6', 5 * 5 * 6 + 6, withParameters(156, 4704)],
    [1, undefined, 'maxPool2d 28×28×6 → 14×14×6', 0, without(1176)],
    [2, 1, 'conv2d 14×14×6 → 10×10×16', 5 * 5 * 6 * 16 + 16, withParameters(2416, 1600)],
    [3, undefined, 'avgPool2d 10×10×16 → 5×5×16', 0, without(400)],
    [4, undefined, 'flatten 5×5×16 → 400', 0, without(400)],
    [5, 2, 'dense 400 → 120', 400 * 120 + 120, withParameters(48120, 120)],
    [6, undefined, 'dropout 120 → 120', 0, without(120)],
    [7, 3, 'dense 120 → 84', 120 * 84 + 84, withParameters(10164, 84)],
    ['output', 4, 'dense 84 → 10', 84 * 10 + 10, withParameters(850, 10)],
  ]);
});

test('the evaluation chunk: 2000 rows, fewer for wide models, never 0', () => {
  expect(evaluationChunkRows(1)).toBe(EVALUATION_CHUNK_MAX_ROWS);
  expect(evaluationChunkRows(EVALUATION_ACTIVATION_BUDGET / 4)).toBe(4);
  expect(evaluationChunkRows(EVALUATION_ACTIVATION_BUDGET * 10)).toBe(1);
});

test.each([
  ['an MLP', '{hidden: [30, 20]}'],
  ['a layer stack', LENET],
  [
    'a stack of strided and same-padded layers',
    `{layers: [{type: conv2d, filters: 3, kernelSize: [3, 2], strides: 2, padding: same},
    {type: maxPool2d, poolSize: 3, strides: 2, padding: same}, {type: flatten}, {type: dense, units: 7}]}`,
  ],
])('%s: the shapes and activation values the estimate uses are those of the built model', (_what, yaml) => {
  const config = modelOf(yaml);
  const sizes = modelLayerSizes(config, IMAGE_SHAPE, NUM_CLASSES, { batchSize: 10, optimizerSlots: 0 })!;
  const model = buildModel(config, { featureSize: 784, numClasses: NUM_CLASSES }, 1);
  try {
    expect(variableShapes(sizes)).toEqual(model.variables.map((v) => v.shape));
    expect(sizes.reduce((n, layer) => n + layer.parameters, 0)).toBe(model.variables.reduce((n, v) => n + v.size, 0));
    expect(activationValues(sizes, IMAGE_SHAPE)).toBe(model.activationSize);
    expect(evaluationChunk(model)).toBe(evaluationChunkRows(model.activationSize));
  } finally {
    model.dispose();
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
  expect(largestLayer(sizesOf('{hidden: [5, 500, 5]}', 1)).description).toBe('dense 5 → 500');
  expect(largestLayer(sizesOf(LENET)).description).toBe('conv2d 28×28×1 → 28×28×6');
});

test('a stack whose layers do not fit together has no size (validation reports the shape problem)', () => {
  const config = modelOf('{layers: [{type: flatten}]}');
  if (!('layers' in config)) throw new Error('expected a layer stack');
  const broken = {
    ...config,
    layers: [{ type: 'conv2d', filters: 1, kernelSize: [40, 40], strides: [1, 1], padding: 'valid' }, ...config.layers],
  };
  expect(modelLayerSizes(broken as RunConfig['model'], IMAGE_SHAPE, NUM_CLASSES, { batchSize: 1, optimizerSlots: 0 })).toBeUndefined();
});

/** The largest n for which `fits(n)` holds, by bisection over [1, high). */
function edge(fits: (n: number) => boolean, high: number): number {
  let low = 1;
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (fits(middle)) low = middle;
    else high = middle;
  }
  return low;
}

const validates = (model: string) => {
  try {
    modelOf(model);
    return true;
  } catch {
    return false;
  }
};
/** Total estimated bytes of `model` with `n` put in (a model over the limit does not validate, so it is patched in). */
const total = (model: (n: number) => string, n: number) => {
  const config = JSON.parse(
    JSON.stringify(modelOf(model(1))).replace(/"(hidden|filters)":\[?1\b/, (m) => m.replace(/1$/, String(n))),
  ) as RunConfig['model'];
  return modelLayerSizes(config, IMAGE_SHAPE, NUM_CLASSES, { batchSize: 32, optimizerSlots: 0 })!.reduce((sum, l) => sum + l.bytes, 0);
};

test.each([
  ['hidden: [n]', (n: number) => `{hidden: [${n}]}`, 10_000_000],
  [
    'conv2d with n filters',
    (n: number) => `{layers: [{type: conv2d, filters: ${n}, kernelSize: 3, padding: same}, {type: flatten}]}`,
    1_000_000,
  ],
])('%s: the limit sits between the largest model that validates and the smallest that does not', (_what, model, high) => {
  const largest = edge((n) => validates(model(n)), high);
  expect(total(model, largest)).toBeLessThanOrEqual(MODEL_MEMORY_LIMIT_BYTES);
  expect(total(model, largest + 1)).toBeGreaterThan(MODEL_MEMORY_LIMIT_BYTES);
  // The patch put n where the model has it: the same total as the validated model's own.
  expect(total(model, largest)).toBe(sizesOf(model(largest)).reduce((sum, l) => sum + l.bytes, 0));
});
