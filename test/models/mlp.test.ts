// The MLP: shapes, seeded and per-layer initialisation, and forward/logits against a hand computation.
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../src/backend/select';
import { loadExperiment } from '../../src/config/experiment';
import type { RunConfig } from '../../src/config/schema';
import { buildMlp } from '../../src/models/mlp';

const modelOf = (yaml: string): RunConfig['model'] =>
  loadExperiment('m.yaml', {}, `name: m\nruns: [{model: ${yaml}, loss: {name: mse}}]`).runs[0].config.model;

beforeAll(async () => {
  await selectBackend('cpu');
});

test('layer shapes and activations follow the config, input side first', () => {
  const mlp = buildMlp(modelOf('{hidden: [6, 4], hiddenActivation: tanh, outputActivation: sigmoid}'), 5, 3, 1);
  expect(mlp.sizes).toEqual([5, 6, 4, 3]);
  expect(mlp.layers.map((l) => [l.kernel.shape, l.bias.shape, l.activation.name])).toEqual([
    [[5, 6], [6], 'tanh'],
    [[6, 4], [4], 'tanh'],
    [[4, 3], [3], 'sigmoid'],
  ]);
  expect(mlp.variables).toHaveLength(6);
  mlp.dispose();
});

test.each(['glorot-uniform', 'normal', 'he-normal', 'lecun-normal', 'normal-fan-in'])(
  '%s: the same seed gives the same weights, another seed others, and no two layers share a draw',
  (initializer) => {
    const model = modelOf(`{hidden: [8, 8], kernelInitializer: ${initializer}, biasInitializer: normal}`);
    const values = (seed: number) => {
      const mlp = buildMlp(model, 8, 8, seed);
      const arrays = mlp.variables.map((v) => Array.from(v.dataSync()));
      mlp.dispose();
      return arrays;
    };
    const first = values(1);
    expect(values(1)).toEqual(first);
    expect(values(2)[0]).not.toEqual(first[0]);
    // Layers 0, 1 and 2 are all 8×8: with per-layer seeds their kernels differ, and so do their biases.
    expect(first[2]).not.toEqual(first[0]);
    expect(first[4]).not.toEqual(first[2]);
    expect(first[3]).not.toEqual(first[1]);
  },
);

test('seed 0 still initialises deterministically (each layer gets a derived non-zero seed)', () => {
  const model = modelOf('{hidden: [4], kernelInitializer: normal}');
  const a = buildMlp(model, 3, 2, 0);
  const b = buildMlp(model, 3, 2, 0);
  expect(Array.from(a.layers[0].kernel.dataSync())).toEqual(Array.from(b.layers[0].kernel.dataSync()));
  a.dispose();
  b.dispose();
});

test('forward and logits equal a hand computation of relu then softmax', () => {
  const mlp = buildMlp(modelOf('{hidden: [2], hiddenActivation: relu}'), 2, 2, 1);
  const [hidden, output] = mlp.layers;
  const assign = (v: tf.Variable, values: number[][] | number[]) => {
    const t = tf.tensor(values);
    v.assign(t);
    t.dispose();
  };
  assign(hidden.kernel, [
    [1, -1],
    [2, 0.5],
  ]);
  assign(hidden.bias, [0, 0.25]);
  assign(output.kernel, [
    [1, 2],
    [-1, 0.5],
  ]);
  assign(output.bias, [0.5, -0.5]);
  const x = tf.tensor2d([
    [1, 2],
    [-1, 1],
  ]);
  // Row 1: z1 = [1+4, -1+1+0.25] = [5, 0.25], h = [5, 0.25], z2 = [5-0.25+0.5, 10+0.125-0.5] = [5.25, 9.625].
  // Row 2: z1 = [-1+2, 1+0.5+0.25] = [1, 1.75], h = [1, 1.75], z2 = [1-1.75+0.5, 2+0.875-0.5] = [-0.25, 2.375].
  const logits = [
    [5.25, 9.625],
    [-0.25, 2.375],
  ];
  const softmax = logits.map((r) => r.map((v) => Math.exp(v) / r.reduce((s, u) => s + Math.exp(u), 0)));
  const pass = mlp.forward(x);
  expect(pass.preactivations[0].arraySync()).toEqual([
    [5, 0.25],
    [1, 1.75],
  ]);
  expect(pass.activations[0].arraySync()).toEqual([
    [5, 0.25],
    [1, 1.75],
  ]);
  expect(pass.preactivations[1].arraySync()).toEqual(logits);
  (pass.activations[1] as tf.Tensor2D)
    .arraySync()
    .flat()
    .forEach((v, i) => expect(v).toBeCloseTo(softmax.flat()[i], 6));
  const fromLogits = mlp.logits(x);
  expect(fromLogits.arraySync()).toEqual(logits);
  tf.dispose([x, fromLogits, ...pass.preactivations, ...pass.activations]);
  mlp.dispose();
});

test('two models can be alive at once', () => {
  const model = modelOf('{hidden: [3]}');
  const a = buildMlp(model, 2, 2, 1);
  const b = buildMlp(model, 2, 2, 1);
  expect(new Set([...a.variables, ...b.variables].map((v) => v.name)).size).toBe(8);
  a.dispose();
  b.dispose();
});
