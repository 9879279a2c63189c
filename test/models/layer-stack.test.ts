// The layer stack: its parameter layers, a forward pass against a float64 hand computation, dense stacks equal to the
// MLP, dropout drawn from (seed, layer, step) and off in evaluation, and the registry's shape rules.
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../src/backend/select';
import { loadExperiment } from '../../src/config/experiment';
import { isLayerStack, type LayerStackModelConfig, type RunConfig } from '../../src/config/schema';
import { buildLayerStack } from '../../src/models/layer-stack';
import { LAYERS, windowOutput } from '../../src/models/layers';
import { buildMlp } from '../../src/models/mlp';
import { stackShapes } from '../../src/models/shapes';
import { conv2d, pool, relativeError, seededValues, type Image } from '../helpers/conv-reference';

const modelOf = (yaml: string): RunConfig['model'] =>
  loadExperiment('m.yaml', {}, `name: m\nruns: [{model: ${yaml}, loss: {name: mse}}]`).runs[0].config.model;
const stackOf = (yaml: string): LayerStackModelConfig => {
  const model = modelOf(yaml);
  if (!isLayerStack(model)) throw new Error('expected a layer stack');
  return model;
};

beforeAll(async () => {
  await selectBackend('cpu');
});

const SMALL = `{hiddenActivation: relu, biasInitializer: {name: uniform, min: -0.3, max: 0.3}, layers: [
  {type: conv2d, filters: 3, kernelSize: [3, 2], padding: same},
  {type: maxPool2d, poolSize: 2, strides: 1},
  {type: conv2d, filters: 2, kernelSize: 2, strides: 2, activation: tanh},
  {type: avgPool2d, poolSize: 2, padding: same},
  {type: flatten},
  {type: dense, units: 4, activation: sigmoid}]}`;

test('parameter layers, their kinds and kernel shapes follow the stack; pooling, flatten and dropout have none', () => {
  const stack = buildLayerStack(stackOf(SMALL), [7, 6, 1], 3, 1);
  expect(stack.parameterLayers.map((l) => [l.kind, l.kernel.shape, l.bias.shape, l.activation.name])).toEqual([
    ['conv2d', [3, 2, 1, 3], [3], 'relu'],
    ['conv2d', [2, 2, 3, 2], [2], 'tanh'],
    ['dense', [4, 4], [4], 'sigmoid'],
    ['dense', [4, 3], [3], 'softmax'],
  ]);
  expect(stack.variables).toHaveLength(8);
  stack.dispose();
});

test('forward and logits equal a float64 hand computation of conv, pooling (same-padded average included) and dense', () => {
  const stack = buildLayerStack(stackOf(SMALL), [7, 6, 1], 3, 1);
  const batch = 2;
  const xs = Float32Array.from(seededValues(batch * 42, 9), (v) => Math.fround(Math.abs(v)));
  const x = tf.tensor2d(xs, [batch, 42]);
  const pass = tf.tidy(() => ({ ...stack.forward(x) }));
  const logits = stack.logits(x);
  const [k0, b0, k1, b1, k2, b2, k3, b3] = stack.variables.map((v) => Float64Array.from(v.dataSync()));
  const addBias = (image: Image, bias: Float64Array, f: (v: number) => number): Image => ({
    shape: image.shape,
    data: image.data.map((v, i) => f(v + bias[i % bias.length])),
  });
  const relu = (v: number) => Math.max(0, v);
  let a: Image = { shape: [batch, 7, 6, 1], data: Float64Array.from(xs) };
  a = addBias(conv2d(a, { shape: [3, 2, 1, 3], data: k0 }, [1, 1], 'same'), b0, relu);
  a = pool('max', a, [2, 2], [1, 1], 'valid').y;
  a = addBias(conv2d(a, { shape: [2, 2, 3, 2], data: k1 }, [2, 2], 'valid'), b1, Math.tanh);
  a = pool('avg', a, [2, 2], [2, 2], 'same').y;
  const dense = (input: Float64Array, rows: number, kernel: Float64Array, bias: Float64Array, units: number) => {
    const inputs = input.length / rows;
    return Float64Array.from({ length: rows * units }, (_, i) => {
      const [r, u] = [Math.floor(i / units), i % units];
      let sum = bias[u];
      for (let k = 0; k < inputs; k++) sum += input[r * inputs + k] * kernel[k * units + u];
      return sum;
    });
  };
  const hidden = dense(a.data, batch, k2, b2, 4).map((v) => 1 / (1 + Math.exp(-v)));
  const expected = dense(hidden, batch, k3, b3, 3);
  expect(relativeError(logits.dataSync(), expected)).toBeLessThan(1e-5);
  expect(relativeError(pass.preactivations[3].dataSync(), expected)).toBeLessThan(1e-5);
  // A conv layer's pre-activation is the whole [N, H, W, C] tensor.
  expect(pass.preactivations.map((z) => z.shape)).toEqual([
    [2, 7, 6, 3],
    [2, 3, 2, 2],
    [2, 4],
    [2, 3],
  ]);
  tf.dispose([x, logits, ...pass.preactivations, ...pass.activations]);
  stack.dispose();
});

test("a stack of flatten and dense layers starts from the MLP's weights and gives its logits, bit for bit", () => {
  const stack = buildLayerStack(
    stackOf('{layers: [{type: flatten}, {type: dense, units: 6}, {type: dense, units: 5}]}'),
    [28, 28, 1],
    10,
    4,
  );
  const mlp = buildMlp(modelOf('{hidden: [6, 5]}'), 784, 10, 4);
  expect(stack.variables.map((v) => Array.from(v.dataSync()))).toEqual(mlp.variables.map((v) => Array.from(v.dataSync())));
  const x = tf.tensor2d(Float32Array.from(seededValues(3 * 784, 5), Math.abs), [3, 784]);
  const [a, b] = [stack.logits(x), mlp.logits(x)];
  expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
  tf.dispose([x, a, b]);
  stack.dispose();
  mlp.dispose();
});

describe('dropout', () => {
  const model = stackOf('{layers: [{type: flatten}, {type: dropout, rate: 0.5}, {type: dense, units: 8}, {type: dropout, rate: 0.25}]}');
  const x = () =>
    tf.tensor2d(
      Float32Array.from(seededValues(4 * 49, 6), (v) => Math.abs(v) + 0.1),
      [4, 49],
    );

  test('the layer keeps each input with probability 1 − rate, scaled by 1/(1 − rate), and is the identity in evaluation', () => {
    const input = tf.ones([200, 50]);
    const dropped = LAYERS.dropout.apply!({ type: 'dropout', rate: 0.25 }, input, { training: { seed: 3 } });
    const values = Array.from(dropped.dataSync());
    expect(new Set(values.map((v) => v.toFixed(6)))).toEqual(new Set(['0.000000', (1 / 0.75).toFixed(6)]));
    // 10,000 draws: the kept fraction is within 3 standard deviations (√(0.25·0.75/10⁴) ≈ 0.0043) of 0.75.
    const kept = values.filter((v) => v > 0).length / values.length;
    expect(Math.abs(kept - 0.75)).toBeLessThan(0.013);
    expect(LAYERS.dropout.apply!({ type: 'dropout', rate: 0.25 }, input, {})).toBe(input);
    tf.dispose([input, dropped]);
  });

  test('masks are a function of (run seed, layer, step): equal for the same step, different for another', () => {
    const stack = buildLayerStack(model, [7, 7, 1], 3, 1);
    const input = x();
    const logitsAt = (step: number) => tf.tidy(() => Array.from(stack.forward(input, { step }).preactivations[1].dataSync()));
    expect(logitsAt(3)).toEqual(logitsAt(3));
    expect(logitsAt(3)).not.toEqual(logitsAt(4));
    const again = buildLayerStack(model, [7, 7, 1], 3, 1);
    expect(tf.tidy(() => Array.from(again.forward(input, { step: 3 }).preactivations[1].dataSync()))).toEqual(logitsAt(3));
    tf.dispose(input);
    stack.dispose();
    again.dispose();
  });

  test('evaluation (logits) leaves dropout out, and a training pass without a step is an error', () => {
    const stack = buildLayerStack(model, [7, 7, 1], 3, 1);
    const plain = buildLayerStack(stackOf('{layers: [{type: flatten}, {type: dense, units: 8}]}'), [7, 7, 1], 3, 1);
    const input = x();
    const [a, b] = [stack.logits(input), plain.logits(input)];
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    expect(() => tf.tidy(() => ({ ...stack.forward(input) }))).toThrow(
      'layer 1 (dropout): a training pass of a stack with dropout needs the step (ForwardOptions.step)',
    );
    tf.dispose([input, a, b]);
    stack.dispose();
    plain.dispose();
  });
});

describe('shapes', () => {
  test.each([
    [28, 5, 1, 'valid', 24],
    [28, 5, 1, 'same', 28],
    [28, 5, 2, 'valid', 12],
    [28, 5, 2, 'same', 14],
    [7, 3, 2, 'same', 4],
    [4, 5, 1, 'valid', 0],
  ] as const)('input %i, window %i, stride %i, %s: %i outputs', (input, window, stride, padding, out) => {
    expect(windowOutput([input, input], [window, window], [stride, stride], padding)).toEqual([out, out]);
  });

  test('stackShapes gives every layer its input, output and parameters, and the output layer last', () => {
    const shapes = stackShapes(stackOf(SMALL).layers, [7, 6, 1], { units: 3, ...initializers() });
    expect(Array.isArray(shapes) && shapes.map((s) => [s.layer.type, s.input, s.output, s.parameters])).toEqual([
      ['conv2d', [7, 6, 1], [7, 6, 3], 3 * 2 * 1 * 3 + 3],
      ['maxPool2d', [7, 6, 3], [6, 5, 3], 0],
      ['conv2d', [6, 5, 3], [3, 2, 2], 2 * 2 * 3 * 2 + 2],
      ['avgPool2d', [3, 2, 2], [2, 1, 2], 0],
      ['flatten', [2, 1, 2], [4], 0],
      ['dense', [4], [4], 4 * 4 + 4],
      ['dense', [4], [3], 4 * 3 + 3],
    ]);
  });

  function initializers() {
    const model = stackOf(SMALL);
    return { kernelInitializer: model.kernelInitializer, biasInitializer: model.biasInitializer };
  }
});
