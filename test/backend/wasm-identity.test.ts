// Identity and same-dtype Cast on wasm share the input's heap memory (reference counted) instead of copying it,
// and training gives the same bits either way.
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { selectBackend } from '../../src/backend/select';
import { registerSharingIdentity, unregisterSharingIdentity } from '../../src/backend/wasm-identity';
import { buildMlp } from '../../src/models/mlp';
import { createOptimizer } from '../../src/optimizers/registry';
import { trainStep, type StepContext } from '../../src/train/step';
import type { RunConfig } from '../../src/config/schema';
import { lossOf } from '../../src/train/run-functions';

const backend = () => tf.backend() as BackendWasm;
const offsetOf = (t: tf.Tensor) => backend().getMemoryOffset(t.dataId);

beforeAll(async () => {
  await selectBackend('wasm');
});

test('a clone shares the memory of its source, and each lives until its own dispose', () => {
  const dataIds = backend().numDataIds();
  const x = tf.tensor2d([1, 2, 3, 4], [2, 2]);
  const y = x.clone();
  expect(offsetOf(y)).toBe(offsetOf(x));
  expect(backend().numDataIds()).toBe(dataIds + 1); // one heap buffer for both
  x.dispose();
  expect(Array.from(y.dataSync())).toEqual([1, 2, 3, 4]);
  y.dispose();
  expect(backend().numDataIds()).toBe(dataIds);
  expect(tf.memory().numTensors).toBe(0);
});

test('a Cast to the same dtype shares; a Cast to another dtype converts into new memory', () => {
  const x = tf.tensor1d([1.5, -2.5, 3]);
  const same = tf.cast(x, 'float32');
  const other = tf.cast(x, 'int32');
  expect(offsetOf(same)).toBe(offsetOf(x));
  expect(offsetOf(other)).not.toBe(offsetOf(x));
  expect(Array.from(other.dataSync())).toEqual([1, -2, 3]);
  tf.dispose([x, same, other]);
  expect(tf.memory().numTensors).toBe(0);
});

test('second derivatives go through the shared clones tfjs saves for backprop', () => {
  const x = tf.tensor1d([0.5, -1, 2]);
  // d²/dx² Σ x³ = 6x: the outer tape differentiates the inner gradient, which reads the saved (shared) x.
  const second = tf.grad((v: tf.Tensor) =>
    tf
      .grad((u: tf.Tensor) => tf.sum(tf.pow(u, 3)))(v)
      .sum(),
  );
  expect(tf.tidy(() => Array.from(second(x).dataSync()))).toEqual([3, -6, 12]);
  x.dispose();
  expect(tf.memory().numTensors).toBe(0);
});

test('20 training steps give the same weights, bit for bit, with sharing and with copying', () => {
  const model: RunConfig['model'] = {
    hidden: [16],
    hiddenActivation: 'relu',
    outputActivation: 'softmax',
    kernelInitializer: { name: 'glorot-uniform' },
    biasInitializer: { name: 'zeros' },
  };
  const loss: RunConfig['loss'] = { name: 'cross-entropy', outputs: 'sum', scale: 1, gradient: 'autodiff', labelSmoothing: 0 };
  const train = () => {
    const mlp = buildMlp(model, 12, 3, 5);
    const context: StepContext = {
      model: mlp,
      optimizer: createOptimizer({ name: 'momentum', learningRate: 0.1 }),
      loss: lossOf({ loss }, {}, mlp.layers[mlp.layers.length - 1].activation),
      l2Coefficient: 0.01,
    };
    for (let step = 0; step < 20; step++) {
      tf.tidy(() => {
        const x = tf.tensor2d(
          Array.from({ length: 8 * 12 }, (_, i) => Math.sin(i + step)),
          [8, 12],
        );
        const y = tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2, 0, step % 3], 'int32'), 3).toFloat() as tf.Tensor2D;
        trainStep(context, x, y);
      });
    }
    const weights = Buffer.concat(mlp.variables.map((v) => Buffer.from((v.dataSync() as Float32Array).buffer)));
    context.optimizer.dispose();
    mlp.dispose();
    return weights;
  };
  const shared = train();
  unregisterSharingIdentity();
  const copied = train();
  registerSharingIdentity();
  expect(shared.equals(copied)).toBe(true);
  expect(tf.memory().numTensors).toBe(0);
});
