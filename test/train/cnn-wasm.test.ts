// Training a layer stack on the wasm backend: the kernels a step runs (no fused kernel around the registered
// gradients), whole-model gradients equal to the cpu backend's, the hooks' conv rows, and tensors owned.
// selectBackend('wasm') registers losslab's kernels; the cpu comparisons switch with tf.setBackend directly.
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../src/backend/select';
import { loadExperiment } from '../../src/config/experiment';
import { isLayerStack } from '../../src/config/schema';
import { GradientRecorder } from '../../src/hooks/recorder';
import { buildLayerStack, type LayerStack } from '../../src/models/layer-stack';
import type { PreactivationTap } from '../../src/models/model';
import { createOptimizer } from '../../src/optimizers/registry';
import { lossOf, outputActivationOf } from '../../src/train/run-functions';
import { objective, objectiveGradients, trainStep, type StepContext } from '../../src/train/step';
import { relativeError, seededValues } from '../helpers/conv-reference';

// Every layer type; strided and same-padded windows; a relu conv layer first (its dead fraction is checked below).
const MODEL = `{hiddenActivation: relu, biasInitializer: {name: uniform, min: -0.2, max: 0.2}, layers: [
  {type: conv2d, filters: 4, kernelSize: 3, padding: same}, {type: maxPool2d, poolSize: 3, strides: 2, padding: same},
  {type: conv2d, filters: 5, kernelSize: [2, 3], strides: [1, 2], activation: tanh}, {type: avgPool2d, poolSize: 2, padding: same},
  {type: flatten}, {type: dropout, rate: 0.2}, {type: dense, units: 6}]}`;
const INPUT: [number, number, number] = [11, 10, 1];
const BATCH = 6;

function config(loss = 'cross-entropy') {
  const output = loss === 'cross-entropy' ? 'softmax' : 'sigmoid';
  const run = loadExperiment(
    'c.yaml',
    {},
    `name: c\nruns: [{model: ${MODEL.replace('{', `{outputActivation: ${output}, `)}, loss: {name: ${loss}}}]`,
  ).runs[0];
  if (!isLayerStack(run.config.model)) throw new Error('expected a layer stack');
  return { model: run.config.model, loss: lossOf(run.config, {}, outputActivationOf(run.config, {})) };
}

function context(model: LayerStack, loss: StepContext['loss']): StepContext {
  return { model, optimizer: createOptimizer({ name: 'sgd', learningRate: 0.05 }), loss, l2Coefficient: 0.01 };
}

const batch = () => ({
  x: tf.tensor2d(Float32Array.from(seededValues(BATCH * 110, 11), Math.abs), [BATCH, 110]),
  y: tf.oneHot(tf.tensor1d([0, 1, 2, 1, 0, 2], 'int32'), 3).toFloat() as tf.Tensor2D,
});

beforeAll(async () => {
  await selectBackend('wasm');
});

test('a recorded training step runs Conv2D forward and the registered gradients, with no fused kernel', async () => {
  const { model: spec, loss } = config();
  const model = buildLayerStack(spec, INPUT, 3, 1);
  const ctx = context(model, loss);
  const { x, y } = batch();
  const recorder = new GradientRecorder();
  const profile = await tf.profile(() => tf.tidy(() => trainStep(ctx, x, y, { recorder, step: 0, epoch: 1 })));
  const count = (name: string) => profile.kernels.filter((k) => k.name === name).length;
  expect(count('Conv2D')).toBe(2);
  expect(count('Conv2DBackpropFilter')).toBe(2);
  // The first conv layer's input is data: no gradient is computed for it.
  expect(count('Conv2DBackpropInput')).toBe(1);
  expect(count('MaxPoolGrad')).toBe(1);
  expect(count('AvgPoolGrad')).toBe(1);
  expect(profile.kernels.filter((k) => k.name.startsWith('Fused') || k.name.startsWith('_Fused'))).toEqual([]);
  recorder.flush();
  tf.dispose([x, y]);
  ctx.optimizer.dispose();
  model.dispose();
});

test.each(['cross-entropy', 'mse'])("%s: every variable's gradient on wasm equals the cpu backend's to 1e-5 relative", async (lossName) => {
  const gradients = async (backend: 'cpu' | 'wasm') => {
    await tf.setBackend(backend);
    const { model: spec, loss } = config(lossName);
    const model = buildLayerStack(spec, INPUT, 3, 2);
    const { x, y } = batch();
    const { value, grads } = objectiveGradients(context(model, loss), x, y, { step: 7, epoch: 1 });
    const result = model.variables.map((v) => grads[v.name].dataSync() as Float32Array);
    tf.dispose([value, x, y, ...Object.values(grads)]);
    model.dispose();
    return result;
  };
  const cpu = await gradients('cpu');
  const wasm = await gradients('wasm');
  expect(wasm).toHaveLength(8);
  wasm.forEach((g, i) => expect(relativeError(g, cpu[i])).toBeLessThan(1e-5));
});

test("the hooks' conv rows: ∂L/∂z over the whole N×H×W×C tensor, dead fraction over every unit, layer_kind conv2d", async () => {
  await tf.setBackend('wasm');
  const { model: spec, loss } = config();
  const model = buildLayerStack(spec, INPUT, 3, 3);
  const ctx = context(model, loss);
  const { x, y } = batch();
  // An independent capture of ∂L/∂z and z at every parameter layer, through a tap of our own.
  const captured: { z: Float32Array; dz: Float32Array }[] = [];
  const tap: PreactivationTap = (z, layer) =>
    tf.customGrad(((input: tf.Tensor) => {
      captured[layer] = { z: input.dataSync() as Float32Array, dz: new Float32Array() };
      return {
        value: input.clone(),
        gradFunc: (dy: tf.Tensor) => {
          captured[layer].dz = dy.dataSync() as Float32Array;
          return dy;
        },
      };
    }) as unknown as Parameters<typeof tf.customGrad>[0])(z) as tf.Tensor;
  const { grads } = tf.variableGrads(() => {
    const pass = model.forward(x, { tap, step: 0 });
    return tf.losses.softmaxCrossEntropy(y, pass.preactivations[3] as tf.Tensor2D) as tf.Scalar;
  }, model.variables);
  tf.dispose(grads);
  const recorder = new GradientRecorder();
  const { value, grads: recordedGrads } = objectiveGradients(ctx, x, y, { recorder, step: 0, epoch: 1 });
  const rows = recorder.flush();
  expect(rows.map((r) => [r.layer, r.tensor, r.layer_kind])).toEqual(
    [0, 1, 2, 3].flatMap((layer) => ['kernel', 'bias', 'preactivation'].map((t) => [layer, t, layer < 2 ? 'conv2d' : 'dense'])),
  );
  // The objective has an L2 term but ∂L/∂z does not see it; softmaxCrossEntropy is the mean over the batch as here.
  const first = rows.find((r) => r.layer === 0 && r.tensor === 'preactivation')!;
  const dz = captured[0].dz;
  expect(dz.length).toBe(BATCH * 11 * 10 * 4);
  const l2 = Math.sqrt(dz.reduce((s, v) => s + v * v, 0));
  expect(Number(first.l2)).toBeCloseTo(l2, 6);
  expect(Number(first.max_abs)).toBeCloseTo(
    dz.reduce((m, v) => Math.max(m, Math.abs(v)), 0),
    7,
  );
  // relu: dead where z ≤ 0, over all N·H·W·C units of the first conv layer.
  const dead = captured[0].z.filter((v) => v <= 0).length / captured[0].z.length;
  expect(Number(first.saturated_fraction)).toBeCloseTo(dead, 6);
  expect(dead).toBeGreaterThan(0.05);
  expect(dead).toBeLessThan(0.95);
  // ∂L/∂bias[c] = Σ over n, h, w of ∂L/∂z[n, h, w, c]: the probe sees the conv layer's own pre-activation.
  const biasGrad = recordedGrads[model.variables[1].name].dataSync();
  for (let c = 0; c < 4; c++) {
    let sum = 0;
    for (let i = c; i < dz.length; i += 4) sum += dz[i];
    expect(biasGrad[c]).toBeCloseTo(sum, 6);
  }
  tf.dispose([value, x, y, ...Object.values(recordedGrads)]);
  ctx.optimizer.dispose();
  model.dispose();
});

test('40 training steps with hooks on wasm leave numTensors and numBytes unchanged', async () => {
  await tf.setBackend('wasm');
  const { model: spec, loss } = config();
  const model = buildLayerStack(spec, INPUT, 3, 4);
  const ctx = context(model, loss);
  const { x, y } = batch();
  const recorder = new GradientRecorder();
  const step = (index: number) => {
    const at = index % 3 === 0 ? { recorder, step: index, epoch: 1 } : { step: index, epoch: 1 };
    tf.tidy(() => trainStep(ctx, x, y, at)).dispose();
    recorder.flush();
  };
  for (let i = 0; i < 5; i++) step(i);
  const before = tf.memory();
  for (let i = 5; i < 45; i++) step(i);
  expect(tf.memory().numTensors).toBe(before.numTensors);
  expect(tf.memory().numBytes).toBe(before.numBytes);
  // The loss is finite and the objective still evaluates (the model trained, not diverged).
  expect(Number.isFinite(tf.tidy(() => objective(ctx, x, y, { step: 45, epoch: 1 }).dataSync()[0]))).toBe(true);
  tf.dispose([x, y]);
  ctx.optimizer.dispose();
  model.dispose();
});
