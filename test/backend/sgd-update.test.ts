// Plain SGD through the LosslabSgdUpdate kernel (wasm with the native addon) gives tfjs's own Multiply-then-Add
// weights bit for bit, in one kernel per variable.
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../src/backend/select';
import { registerSgdUpdateKernel, SGD_UPDATE, unregisterSgdUpdateKernel } from '../../src/backend/sgd-update';
import { buildMlp } from '../../src/models/mlp';
import { createOptimizer } from '../../src/optimizers/registry';
import { trainStep, type StepContext } from '../../src/train/step';
import { lossOf } from '../../src/train/run-functions';
import { MSE_MEAN_LOSS, SIGMOID_MLP_30 } from '../helpers/configs';
import { nativeAddonOrSkip } from '../helpers/native';

const addon = nativeAddonOrSkip();
const describeNative = addon ? describe : describe.skip;

const model = SIGMOID_MLP_30;
const loss = MSE_MEAN_LOSS;

/** 30 steps of SGD at η = 3 (Nielsen's rate: large steps, so a rounding difference would show) from a seeded net. */
function train(): Buffer {
  const mlp = buildMlp(model, 20, 4, 11);
  const context: StepContext = {
    model: mlp,
    optimizer: createOptimizer({ name: 'sgd', learningRate: 3 }),
    loss: lossOf({ loss }, {}, mlp.layers[mlp.layers.length - 1].activation),
    l2Coefficient: 0,
  };
  for (let index = 0; index < 30; index++) {
    tf.tidy(() => {
      const x = tf.tensor2d(
        Array.from({ length: 10 * 20 }, (_, i) => Math.cos(i * 0.7 + index)),
        [10, 20],
      );
      const y = tf
        .oneHot(
          tf.tensor1d(
            Array.from({ length: 10 }, (_, i) => (i + index) % 4),
            'int32',
          ),
          4,
        )
        .toFloat() as tf.Tensor2D;
      trainStep(context, x, y);
    });
  }
  const weights = Buffer.concat(mlp.variables.map((v) => Buffer.from((v.dataSync() as Float32Array).buffer)));
  context.optimizer.dispose();
  mlp.dispose();
  return weights;
}

beforeAll(async () => {
  if (addon) await selectBackend('wasm+openblas');
});

describeNative('LosslabSgdUpdate', () => {
  test('is registered on wasm+openblas and gives the same weights as Multiply then Add, bit for bit', () => {
    expect(tf.getKernel(SGD_UPDATE, 'wasm')).toBeDefined();
    const fused = train();
    unregisterSgdUpdateKernel();
    const stock = train();
    registerSgdUpdateKernel(addon!);
    expect(fused.equals(stock)).toBe(true);
    expect(tf.memory().numTensors).toBe(0);
  });

  test('one update kernel per variable and no Multiply or Add of the weights', async () => {
    const mlp = buildMlp(model, 20, 4, 11);
    const optimizer = createOptimizer({ name: 'sgd', learningRate: 3 });
    const grads = Object.fromEntries(mlp.variables.map((v) => [v.name, tf.onesLike(v)]));
    const profile = await tf.profile(() => optimizer.applyGradients(grads));
    expect(profile.kernels.map((k) => k.name)).toEqual(mlp.variables.map(() => SGD_UPDATE));
    // w ← w + (−3)·1: every weight moved by exactly −3 (the product and the sum rounded once each).
    const before = buildMlp(model, 20, 4, 11);
    const moved = mlp.variables.map((v, i) => Array.from(tf.tidy(() => tf.sub(v, before.variables[i])).dataSync()));
    for (const delta of moved) expect(new Set(delta.map((d) => Math.round(d * 1e4) / 1e4))).toEqual(new Set([-3]));
    tf.dispose(Object.values(grads));
    optimizer.dispose();
    mlp.dispose();
    before.dispose();
  });
});
