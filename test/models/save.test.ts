// Saved models: saveModel writes model.json + weights.bin that tf.loadLayersModel reads back to the same predictions,
// and model.json records the initializers that drew the weights (or none), never tfjs's defaults.
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../src/backend/select';
import { loadExperiment } from '../../src/config/experiment';
import { deriveSeed } from '../../src/data/rng';
import { INITIALIZER_NAMES, type InitializerName } from '../../src/models/initializers';
import { buildModel } from '../../src/models/build';
import { Mlp, buildMlp } from '../../src/models/mlp';
import { loadSavedModel, saveModel } from '../../src/models/save';
import { makeTempDir } from '../helpers/tmp';

/**
 * The loaded model's predictions for `x` have `shape` and equal `expected` (the trainer's forward pass) to 1e-6; the
 * outputs vary across examples, so the comparison is not between constants.
 */
function expectPredictions(loaded: tf.LayersModel, x: tf.Tensor, expected: tf.Tensor, shape: number[]): void {
  const predicted = loaded.predict(x) as tf.Tensor;
  expect(predicted.shape).toEqual(shape);
  const want = expected.dataSync();
  const got = predicted.dataSync();
  for (let i = 0; i < want.length; i++) expect(Math.abs(got[i] - want[i])).toBeLessThanOrEqual(1e-6);
  expect(new Set(Array.from(want).map((v) => v.toFixed(4))).size).toBeGreaterThan(4);
  predicted.dispose();
}

let tmp: ReturnType<typeof makeTempDir>;
beforeAll(async () => {
  await selectBackend('cpu');
  tmp = makeTempDir('save');
});
afterAll(() => tmp.cleanup());

test.each([
  ['sigmoid', 'softmax', '[7, 5]'],
  ['tanh', 'sigmoid', '[6]'],
  ['relu', 'linear', '[8, 4, 3]'],
  ['linear', 'tanh', '[]'],
])('%s hidden, %s output, hidden %s: the loaded model predicts the forward pass to 1e-6', async (hidden, output, sizes) => {
  const text = `name: s\nruns: [{model: {hidden: ${sizes}, hiddenActivation: ${hidden}, outputActivation: ${output}, biasInitializer: {name: uniform, min: -0.5, max: 0.5}}, loss: {name: mse}}]`;
  const run = loadExperiment('s.yaml', {}, text).runs[0];
  const mlp = buildMlp(run.config.model, 12, 4, 3);
  const dir = path.join(tmp.dir, `${hidden}-${output}`);
  await saveModel(mlp, dir);
  expect(fs.readdirSync(dir).sort()).toEqual(['model.json', 'weights.bin']);
  const modelJson = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8')) as {
    format: string;
    weightsManifest: { paths: string[] }[];
  };
  expect(modelJson.format).toBe('layers-model');
  expect(modelJson.weightsManifest[0].paths).toEqual(['weights.bin']);
  // float32 kernel and bias of every layer, nothing else.
  const parameters = mlp.variables.reduce((sum, v) => sum + v.size, 0);
  expect(fs.statSync(path.join(dir, 'weights.bin')).size).toBe(parameters * 4);

  const loaded = await loadSavedModel(dir);
  const x = tf.randomUniform([9, 12], 0, 1, 'float32', 5) as tf.Tensor2D;
  const expected = tf.tidy(() => {
    const pass = mlp.forward(x);
    return pass.activations[pass.activations.length - 1];
  });
  expectPredictions(loaded, x, expected, [9, 4]);
  tf.dispose([x, expected]);
  loaded.dispose();
  mlp.dispose();
});

test('saving leaves tf.memory() unchanged', async () => {
  const run = loadExperiment('s.yaml', {}, 'name: s\nruns: [{model: {hidden: [3]}}]').runs[0];
  const mlp = buildMlp(run.config.model, 4, 2, 1);
  const before = tf.memory().numTensors;
  await saveModel(mlp, path.join(tmp.dir, 'memory'));
  expect(tf.memory().numTensors).toBe(before);
  mlp.dispose();
});

/** A tfjs-layers initializer as model.json serialises it. */
interface SavedInitializer {
  class_name: string;
  config: Record<string, number>;
}
type Fans = { fanIn: number; fanOut: number; seed: number };
/** Keras's 2σ-truncated normal keeps this fraction of the untruncated stddev; losslab divides by it. */
const TRUNCATED_STD_RATIO = 0.87962566103423978;
const uniform = (limit: number, seed: number): SavedInitializer => ({
  class_name: 'RandomUniform',
  config: { minval: -limit, maxval: limit, seed },
});
const truncated = (variance: number, seed: number): SavedInitializer => ({
  class_name: 'TruncatedNormal',
  config: { mean: 0, stddev: Math.sqrt(variance) / TRUNCATED_STD_RATIO, seed },
});

/**
 * One row per initialiser, written by hand: the experiment-file spec, and what model.json must record for a tensor
 * of a layer with these fans and seed (a bias uses its layer's fans, as buildMlp draws it).
 */
const RECORDS: Record<InitializerName, { spec: string; saved: (f: Fans) => SavedInitializer }> = {
  zeros: { spec: 'zeros', saved: () => ({ class_name: 'Zeros', config: {} }) },
  constant: { spec: '{name: constant, value: 0.25}', saved: () => ({ class_name: 'Constant', config: { value: 0.25 } }) },
  normal: {
    spec: '{name: normal, mean: 0, stddev: 0.5}',
    saved: (f) => ({ class_name: 'RandomNormal', config: { mean: 0, stddev: 0.5, seed: f.seed } }),
  },
  uniform: {
    spec: '{name: uniform, min: -0.5, max: 0.25}',
    saved: (f) => ({ class_name: 'RandomUniform', config: { minval: -0.5, maxval: 0.25, seed: f.seed } }),
  },
  'normal-fan-in': {
    spec: 'normal-fan-in',
    saved: (f) => ({ class_name: 'RandomNormal', config: { mean: 0, stddev: 1 / Math.sqrt(f.fanIn), seed: f.seed } }),
  },
  'glorot-uniform': { spec: 'glorot-uniform', saved: (f) => uniform(Math.sqrt(6 / (f.fanIn + f.fanOut)), f.seed) },
  'glorot-normal': { spec: 'glorot-normal', saved: (f) => truncated(2 / (f.fanIn + f.fanOut), f.seed) },
  'he-uniform': { spec: 'he-uniform', saved: (f) => uniform(Math.sqrt(6 / f.fanIn), f.seed) },
  'he-normal': { spec: 'he-normal', saved: (f) => truncated(2 / f.fanIn, f.seed) },
  'lecun-normal': { spec: 'lecun-normal', saved: (f) => truncated(1 / f.fanIn, f.seed) },
};

/** The layers' initializers as tf.loadLayersModel rebuilt them (private fields of tfjs-layers' Dense). */
type LoadedDense = { kernelInitializer: { apply(shape: number[]): tf.Tensor }; biasInitializer: { apply(shape: number[]): tf.Tensor } };

const topologyLayers = (dir: string) =>
  (
    JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8')) as {
      modelTopology: { config: { layers: { config: { kernel_initializer: unknown; bias_initializer: unknown } }[] } };
    }
  ).modelTopology.config.layers.map((layer) => layer.config);

test('every initialiser has a row', () => expect(Object.keys(RECORDS).sort()).toEqual([...INITIALIZER_NAMES].sort()));

describe.each(INITIALIZER_NAMES)('a model initialised with %s', (name) => {
  const RUN_SEED = 7;
  const SIZES = [6, 5, 3];
  let dir: string;
  let mlp: Mlp;
  beforeAll(async () => {
    const { spec } = RECORDS[name];
    const text = `name: s\nruns: [{model: {hidden: [${SIZES[1]}], kernelInitializer: ${spec}, biasInitializer: ${spec}}}]`;
    mlp = buildMlp(loadExperiment('s.yaml', {}, text).runs[0].config.model, SIZES[0], SIZES[2], RUN_SEED);
    dir = path.join(tmp.dir, `init-${name}`);
    await saveModel(mlp, dir);
  });
  afterAll(() => mlp.dispose());

  test('model.json records it for every kernel and bias, with its parameters and seed', () => {
    const fans = (index: number, tensor: string) => ({
      fanIn: SIZES[index],
      fanOut: SIZES[index + 1],
      seed: deriveSeed(RUN_SEED, `layer${index}.${tensor}`),
    });
    expect(topologyLayers(dir).map((c) => [c.kernel_initializer, c.bias_initializer])).toEqual(
      SIZES.slice(1).map((_, index) => [RECORDS[name].saved(fans(index, 'kernel')), RECORDS[name].saved(fans(index, 'bias'))]),
    );
  });

  test('the initializers tf.loadLayersModel reads from it redraw the initial weights bit for bit', async () => {
    const loaded = await loadSavedModel(dir);
    mlp.layers.forEach((layer, index) => {
      const dense = loaded.layers[index] as unknown as LoadedDense;
      const kernel = dense.kernelInitializer.apply(layer.kernel.shape);
      const bias = dense.biasInitializer.apply(layer.bias.shape);
      expect(kernel.dataSync()).toEqual(layer.kernel.dataSync());
      expect(bias.dataSync()).toEqual(layer.bias.dataSync());
      tf.dispose([kernel, bias]);
    });
    // The comparison is not between constants, except for the constant initialisers.
    if (name !== 'zeros' && name !== 'constant') expect(new Set(mlp.layers[0].kernel.dataSync()).size).toBeGreaterThan(20);
    loaded.dispose();
  });
});

test('layers that do not know how they were drawn record no initializer, and the model still loads and predicts', async () => {
  const run = loadExperiment('s.yaml', {}, 'name: s\nruns: [{model: {hidden: [3], biasInitializer: normal}}]').runs[0];
  const built = buildMlp(run.config.model, 4, 2, 1);
  const bare = new Mlp(built.layers.map(({ kernel, bias, activation }) => ({ kernel, bias, activation })));
  const dir = path.join(tmp.dir, 'unknown-initializers');
  await saveModel(bare, dir);
  expect(topologyLayers(dir).map((c) => [c.kernel_initializer, c.bias_initializer])).toEqual([
    [null, null],
    [null, null],
  ]);
  const loaded = await loadSavedModel(dir);
  const x = tf.randomUniform<tf.Rank.R2>([5, 4], 0, 1, 'float32', 2);
  const predicted = loaded.predict(x) as tf.Tensor;
  const expected = tf.tidy(() => built.forward(x).activations[1]);
  const want = expected.dataSync();
  const got = predicted.dataSync();
  for (let i = 0; i < want.length; i++) expect(Math.abs(got[i] - want[i])).toBeLessThanOrEqual(1e-6);
  tf.dispose([x, predicted, expected]);
  loaded.dispose();
  built.dispose();
});

test.each([
  [
    'LeNet-5',
    `{hiddenActivation: relu, layers: [{type: conv2d, filters: 6, kernelSize: 5, padding: same}, {type: maxPool2d},
    {type: conv2d, filters: 16, kernelSize: 5}, {type: maxPool2d}, {type: flatten}, {type: dense, units: 120},
    {type: dense, units: 84}]}`,
  ],
  [
    'every layer type',
    `{hiddenActivation: tanh, outputActivation: sigmoid, biasInitializer: {name: uniform, min: -0.5, max: 0.5}, layers: [
    {type: conv2d, filters: 3, kernelSize: [3, 2], strides: 2, padding: same, activation: relu},
    {type: avgPool2d, poolSize: 3, strides: 2, padding: same}, {type: conv2d, filters: 4, kernelSize: 2},
    {type: maxPool2d, poolSize: 2, padding: same}, {type: flatten}, {type: dropout, rate: 0.3}, {type: dense, units: 7}]}`,
  ],
])('%s layer stack: the loaded model takes flat 784-pixel inputs and predicts the forward pass to 1e-6', async (label, yaml) => {
  const run = loadExperiment('s.yaml', {}, `name: s\nruns: [{model: ${yaml}, loss: {name: mse}}]`).runs[0];
  const model = buildModel(run.config.model, { featureSize: 784, numClasses: 10 }, 3);
  const dir = path.join(tmp.dir, label.replace(/ /g, '-'));
  await saveModel(model, dir);
  const parameters = model.variables.reduce((sum, v) => sum + v.size, 0);
  expect(fs.statSync(path.join(dir, 'weights.bin')).size).toBe(parameters * 4);
  const loaded = await loadSavedModel(dir);
  const x = tf.randomUniform([5, 784], 0, 1, 'float32', 5) as tf.Tensor2D;
  // The trainer's forward pass at evaluation: logits through the output activation, dropout off.
  const expected = tf.tidy(() => {
    const logits = model.logits(x);
    return run.config.model.outputActivation === 'sigmoid' ? tf.sigmoid(logits) : tf.softmax(logits);
  });
  expectPredictions(loaded, x, expected, [5, 10]);
  tf.dispose([x, expected]);
  loaded.dispose();
  model.dispose();
});

test("a layer stack's model.json records each conv and dense layer's initializers (conv fans: receptive field × channels), which redraw its weights", async () => {
  const RUN_SEED = 5;
  const text = `name: s\nruns: [{model: {kernelInitializer: he-uniform, biasInitializer: {name: normal, stddev: 0.5}, layers: [
    {type: conv2d, filters: 3, kernelSize: [3, 2]}, {type: maxPool2d}, {type: conv2d, filters: 4, kernelSize: 3, kernelInitializer: glorot-uniform},
    {type: flatten}, {type: dropout, rate: 0.5}, {type: dense, units: 6}]}}]`;
  const model = buildModel(loadExperiment('s.yaml', {}, text).runs[0].config.model, { featureSize: 784, numClasses: 10 }, RUN_SEED);
  const dir = path.join(tmp.dir, 'stack-initializers');
  await saveModel(model, dir);
  const seed = (layer: number, tensor: string) => deriveSeed(RUN_SEED, `layer${layer}.${tensor}`);
  const normal = (layer: number) => ({ class_name: 'RandomNormal', config: { mean: 0, stddev: 0.5, seed: seed(layer, 'bias') } });
  // conv 3×2×1→3: fan_in 6; conv 3×3×3→4 on 13×13×3: fan_in 27, fan_out 36; dense 11·11·4 = 484 → 6; output 6 → 10.
  const kernels = [uniform(Math.sqrt(6 / 6), seed(0, 'kernel')), uniform(Math.sqrt(6 / (27 + 36)), seed(1, 'kernel'))];
  kernels.push(uniform(Math.sqrt(6 / 484), seed(2, 'kernel')), uniform(Math.sqrt(6 / 6), seed(3, 'kernel')));
  const withParameters = topologyLayers(dir).filter((c) => c.kernel_initializer !== undefined);
  expect(withParameters.map((c) => [c.kernel_initializer, c.bias_initializer])).toEqual(kernels.map((k, i) => [k, normal(i)]));
  const loaded = await loadSavedModel(dir);
  const loadedWithParameters = loaded.layers.filter((l) => l.getWeights().length === 2) as unknown as LoadedDense[];
  model.parameterLayers.forEach((layer, index) => {
    const kernel = loadedWithParameters[index].kernelInitializer.apply(layer.kernel.shape);
    const bias = loadedWithParameters[index].biasInitializer.apply(layer.bias.shape);
    expect(kernel.dataSync()).toEqual(layer.kernel.dataSync());
    expect(bias.dataSync()).toEqual(layer.bias.dataSync());
    tf.dispose([kernel, bias]);
  });
  loaded.dispose();
  model.dispose();
});
