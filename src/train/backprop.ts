// A hand-written forward and backward pass for the steps the hooks do not record: the gradients tfjs's autodiff
// gives (tested to float rounding), in fewer kernels and with no tape.
//
// Why: on the wasm backend a step is ~70 small kernels around 5 matMuls, and each kernel costs engine bookkeeping
// (tensor objects, the tape, tidy scopes) beyond its arithmetic. Here a layer's forward pass is one fused kernel
// (matMul + bias + relu/sigmoid), and the backward pass is the chain rule written out:
//   dW = aᵀ·dz,   db = Σₙ dz,   da_prev = dz·Wᵀ,   dz_prev = da_prev ⊙ f'(a_prev)
// with every matMul untransposed, so XNNPACK serves all of them. Recorded steps keep the taped path, whose probes
// see ∂L/∂z as tfjs computes it.
import * as tf from '@tensorflow/tfjs';
import { lossAndGradient } from '../losses/registry';
import { ACTIVATIONS } from '../models/activations';
import type { Mlp } from '../models/mlp';
import { lossOptions, type StepContext } from './context';

/** Layer outputs a = f(x·W + b) for every hidden layer, and the output logits (the last pre-activation). */
function forward(mlp: Mlp, x: tf.Tensor2D): { inputs: tf.Tensor2D[]; logits: tf.Tensor2D } {
  const inputs: tf.Tensor2D[] = [];
  let input = x;
  const last = mlp.layers.length - 1;
  mlp.layers.forEach((layer, index) => {
    inputs.push(input);
    if (index === last) return;
    const definition = ACTIVATIONS[layer.activation];
    const fused = 'fused' in definition ? definition.fused : undefined;
    const z = tf.fused.matMul({ a: input, b: layer.kernel, bias: layer.bias, activation: fused ?? 'linear' }) as tf.Tensor2D;
    input = fused ? z : definition.apply(z);
  });
  const output = mlp.layers[last];
  return { inputs, logits: tf.fused.matMul({ a: input, b: output.kernel, bias: output.bias }) as tf.Tensor2D };
}

/**
 * The objective of src/train/step.ts (loss under `loss.gradient`, plus the L2 term) and its gradient for every
 * variable, keyed by variable name. Equal to tfjs's autodiff of `objective` up to float rounding (the fused
 * kernels add the bias inside the matMul). Intermediates are freed; value and gradients are the caller's.
 */
export function handWrittenGradients(context: StepContext, x: tf.Tensor2D, y: tf.Tensor2D): { value: tf.Scalar; grads: tf.NamedTensorMap } {
  return tf.tidy(() => {
    const { mlp, loss, l2Coefficient } = context;
    const { inputs, logits } = forward(mlp, x);
    const head = lossAndGradient(loss.name, loss.gradient, logits, y, lossOptions(mlp, loss));
    let value = head.value;
    let dz = head.gradient;
    const byName: tf.NamedTensorMap = {};
    for (let index = mlp.layers.length - 1; index >= 0; index--) {
      const { kernel, bias } = mlp.layers[index];
      const a = inputs[index];
      const dKernel = tf.matMul(tf.transpose(a), dz);
      // d/dW of l2Coefficient·ΣW² is 2·l2Coefficient·W.
      byName[kernel.name] = l2Coefficient > 0 ? tf.add(dKernel, tf.mul(kernel, 2 * l2Coefficient)) : dKernel;
      byName[bias.name] = tf.sum(dz, 0);
      if (index > 0) {
        const da = tf.matMul(dz, tf.transpose(kernel)) as tf.Tensor2D;
        const previous = mlp.layers[index - 1].activation;
        dz = previous === 'linear' ? da : (tf.mul(da, ACTIVATIONS[previous].derivative(a)) as tf.Tensor2D);
      }
    }
    // Keyed in mlp.variables order: tfjs's optimisers keep their slots (momentum, Adam's moments) by key position.
    const grads = Object.fromEntries(mlp.variables.map((v) => [v.name, byName[v.name]]));
    if (l2Coefficient > 0) {
      const squares = tf.addN(mlp.layers.map((l) => tf.sum(tf.square(l.kernel))));
      value = tf.add(value, tf.mul(squares, l2Coefficient));
    }
    return { value, grads };
  });
}
