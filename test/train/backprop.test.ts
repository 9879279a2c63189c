// The hand-written backward pass against tfjs's autodiff of the same objective: every hidden activation × every
// (loss, output, gradient mode) the config accepts, with and without L2, on the cpu and wasm backends; plus what a
// step runs (its kernels) and that an unrecorded step updates the weights as a recorded one does.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerTransposedMatMulGrad } from '../../src/backend/matmul-grad';
import type { RunConfig } from '../../src/config/schema';
import { GradientRecorder } from '../../src/hooks/recorder';
import { GRADIENT_MODES, LOSSES, LOSS_NAMES, type LossName } from '../../src/losses/registry';
import { HIDDEN_ACTIVATION_NAMES, type ActivationName } from '../../src/models/activations';
import { buildMlp, type Mlp } from '../../src/models/mlp';
import { createOptimizer, type OptimizerOptions } from '../../src/optimizers/registry';
import { handWrittenGradients } from '../../src/train/backprop';
import type { StepContext } from '../../src/train/context';
import { objectiveGradients, trainStep } from '../../src/train/step';

const N = 7;
const INPUTS = 6;
const CLASSES = 4;
const LABELS = [0, 1, 2, 3, 2, 1, 0];

/** Inputs in [−1, 1] (so hidden pre-activations take both signs) and one-hot targets. */
const X = Array.from({ length: N }, (_, n) => Array.from({ length: INPUTS }, (_, i) => Math.sin(1.7 * n + 0.9 * i + 0.3)));
const T = LABELS.map((label) => Array.from({ length: CLASSES }, (_, k) => (label === k ? 1 : 0)));

/**
 * Both passes are float32 and add the same terms, but the fused kernels add the bias inside the matMul, so they
 * differ in rounding only: each entry agrees to 2e-5 of the largest entry of its tensor (a wrong factor or a
 * missing term is O(1) of it).
 */
const RELATIVE = 2e-5;

function model(hiddenActivation: ActivationName, outputActivation: ActivationName): RunConfig['model'] {
  return {
    hidden: [5, 3],
    hiddenActivation,
    outputActivation,
    kernelInitializer: { name: 'normal', mean: 0, stddev: 0.8 },
    biasInitializer: { name: 'uniform', min: -0.5, max: 0.5 },
  } as RunConfig['model'];
}

function lossBlock(name: LossName, gradient: (typeof GRADIENT_MODES)[number]): RunConfig['loss'] {
  return { name, gradient, outputs: LOSSES[name].defaultOutputs, scale: 1, labelSmoothing: name === 'cross-entropy' ? 0.1 : 0 };
}

/** Every (loss, output activation, gradient mode) the config accepts. */
const HEADS = LOSS_NAMES.flatMap((name) =>
  (LOSSES[name].outputs as readonly ActivationName[]).flatMap((output) =>
    GRADIENT_MODES.filter((mode) => mode !== 'skip-activation-derivative' || LOSSES[name].separableFromActivation).map(
      (mode) => [name, output, mode] as const,
    ),
  ),
);

const CASES = HIDDEN_ACTIVATION_NAMES.flatMap((hidden) => HEADS.flatMap(([name, output, mode]) => [0, 0.05].map((l2) => [hidden, name, output, mode, l2] as const)));

function context(mlp: Mlp, loss: RunConfig['loss'], l2Coefficient: number, optimizer = tf.train.sgd(0.1)): StepContext {
  return { mlp, optimizer, loss, l2Coefficient };
}

/** The largest |a − b| over a tensor pair, relative to the largest |b| (or 1e-3, for tensors that are all ~0). */
function relativeGap(a: tf.Tensor, b: tf.Tensor): number {
  const [x, y] = [a.dataSync(), b.dataSync()];
  let gap = 0;
  let scale = 1e-3;
  for (let i = 0; i < y.length; i++) {
    gap = Math.max(gap, Math.abs(x[i] - y[i]));
    scale = Math.max(scale, Math.abs(y[i]));
  }
  return gap / scale;
}

describe.each(['cpu', 'wasm'])('on the %s backend', (backend) => {
  beforeAll(async () => {
    expect(await tf.setBackend(backend)).toBe(true);
    registerTransposedMatMulGrad();
  });

  test(`${CASES.length} combinations: hand-written value and gradients equal autodiff's to ${RELATIVE} relative`, () => {
    const failures: string[] = [];
    for (const [hidden, name, output, mode, l2] of CASES) {
      const mlp = buildMlp(model(hidden, output), INPUTS, CLASSES, 11);
      const step = context(mlp, lossBlock(name, mode), l2);
      const x = tf.tensor2d(X);
      const y = tf.tensor2d(T);
      const before = tf.memory().numTensors;
      const hand = handWrittenGradients(step, x, y);
      // What it returns and nothing else: the value and one gradient per variable.
      expect(tf.memory().numTensors).toBe(before + 1 + mlp.variables.length);
      const taped = objectiveGradients(step, x, y);
      const gaps = [relativeGap(hand.value, taped.value), ...mlp.variables.map((v) => relativeGap(hand.grads[v.name], taped.grads[v.name]))];
      if (Math.max(...gaps) > RELATIVE) failures.push(`${hidden} ${name}/${output} ${mode} l2=${l2}: gaps ${gaps.map((g) => g.toExponential(1)).join(' ')}`);
      tf.dispose([hand.value, taped.value, ...Object.values(hand.grads), ...Object.values(taped.grads), x, y]);
      mlp.dispose();
    }
    expect(failures).toEqual([]);
    expect(CASES.length).toBe(HIDDEN_ACTIVATION_NAMES.length * 2 * HEADS.length);
  });

  test('steps 0 and 3 recorded (taped, probed), 1 and 2 by hand, move every weight as four recorded steps do, for each optimiser', () => {
    for (const name of ['sgd', 'momentum', 'adam', 'rmsprop'] as const) {
      const options: OptimizerOptions = { name, learningRate: 0.05, momentum: 0.9, nesterov: false, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, rho: 0.9 };
      const weights = (recordEvery: number) => {
        const mlp = buildMlp(model('relu', 'softmax'), INPUTS, CLASSES, 5);
        const optimizer = createOptimizer(options);
        const recorder = new GradientRecorder();
        const step = context(mlp, lossBlock('cross-entropy', 'autodiff'), 0.01, optimizer);
        const [x, y] = [tf.tensor2d(X), tf.tensor2d(T)];
        for (let s = 0; s < 4; s++) tf.tidy(() => trainStep(step, x, y, s % recordEvery === 0 ? { recorder, step: s, epoch: 1 } : undefined)).dispose();
        const values = mlp.variables.map((v) => v.clone());
        recorder.dispose();
        tf.dispose([x, y]);
        optimizer.dispose();
        mlp.dispose();
        return values;
      };
      const [hand, taped] = [weights(3), weights(1)];
      const gaps = hand.map((h, i) => relativeGap(h, taped[i]));
      expect({ name, worst: Math.max(...gaps) < 1e-5 }).toEqual({ name, worst: true });
      tf.dispose([...hand, ...taped]);
    }
  });
});

/** Kernels a function runs, by name; tfjs's op-level wrappers (names ending in __op) are not kernels. */
async function kernelCounts(f: () => void): Promise<Record<string, number>> {
  const profile = await tf.profile(f);
  const counts: Record<string, number> = {};
  for (const { name } of profile.kernels) if (!name.endsWith('__op')) counts[name] = (counts[name] ?? 0) + 1;
  return counts;
}

const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

test.each([
  ['autodiff', 52, 65],
  ['closed-form', 36, 52],
] as const)('a relu → softmax cross-entropy step (%s) by hand: one fused matMul a layer, three backward matMuls, %d kernels where the tape runs %d', async (mode, handTotal, tapedTotal) => {
  expect(await tf.setBackend('cpu')).toBe(true);
  // The taped count includes the transposes of the BatchMatMul gradient this process registers (matmul-grad.ts).
  registerTransposedMatMulGrad();
  const mlp = buildMlp({ ...model('relu', 'softmax'), hidden: [5] }, INPUTS, CLASSES, 3);
  const step = context(mlp, lossBlock('cross-entropy', mode), 0);
  const [x, y] = [tf.tensor2d(X), tf.tensor2d(T)];
  const run = (gradients: typeof handWrittenGradients) => () => {
    const { value, grads } = gradients(step, x, y);
    tf.dispose([value, ...Object.values(grads)]);
  };
  const hand = await kernelCounts(run(handWrittenGradients));
  const taped = await kernelCounts(run(objectiveGradients));
  expect([hand._FusedMatMul, hand.BatchMatMul, hand.Relu, taped._FusedMatMul, taped.BatchMatMul]).toEqual([2, 3, undefined, undefined, 5]);
  expect([total(hand), total(taped)]).toEqual([handTotal, tapedTotal]);
  tf.dispose([x, y]);
  mlp.dispose();
});
