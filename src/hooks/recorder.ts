// Gradient hooks: identity probes on pre-activations plus parameter gradients, kept on the device until flush().
import * as tf from '@tensorflow/tfjs';
import type { GradientRow, GradientTensor } from '../results/contract';
import { ACTIVATIONS } from '../models/activations';
import type { ForwardPass, Mlp, PreactivationTap } from '../models/mlp';
import { tensorStats } from './stats';

/** Marks "no saturated fraction" (kernel and bias rows) in the device buffer; written as an empty cell. */
const NOT_APPLICABLE = -1;

interface Pending {
  step: number;
  epoch: number;
  layer: number;
  tensor: GradientTensor;
  /** [l2, mean |g|, max |g|, saturated fraction or -1], kept on the device. */
  values: tf.Tensor1D;
}

/**
 * Records per-layer gradient statistics for the steps it is attached to. Nothing is read from the device until
 * flush(), which reads every pending statistic in one batch.
 */
export class GradientRecorder {
  private pending: Pending[] = [];
  private saturation = new Map<number, tf.Scalar>();

  /**
   * The tap for Mlp.forward on a recorded step: each pre-activation z passes through an identity whose backward
   * pass keeps the statistics of ∂L/∂z. The probe's value must be a new tensor (z.clone()): returning z itself
   * would make tfjs count the gradient twice.
   */
  tap(step: number, epoch: number): PreactivationTap {
    return (z, layer) => {
      const probe = tf.customGrad(((input: tf.Tensor) => ({
        value: input.clone(),
        gradFunc: (dy: tf.Tensor) => {
          // Tensors made here are disposed after backprop; keep what is recorded.
          const saturated = this.saturation.get(layer);
          const values = tf.keep(tf.tidy(() => tf.concat([tensorStats(dy), tf.reshape(saturated ?? tf.scalar(NOT_APPLICABLE), [1])]))) as tf.Tensor1D;
          saturated?.dispose();
          this.saturation.delete(layer);
          this.pending.push({ step, epoch, layer, tensor: 'preactivation', values });
          return dy;
        },
      })) as unknown as Parameters<typeof tf.customGrad>[0]);
      return probe(z) as tf.Tensor2D;
    };
  }

  /** Keeps the fraction of saturated (or dead) units of each layer from a recorded forward pass. */
  recordSaturation(mlp: Mlp, pass: ForwardPass): void {
    mlp.layers.forEach((layer, index) => {
      const definition = ACTIVATIONS[layer.activation] as { saturated?: (z: tf.Tensor2D, a: tf.Tensor2D) => tf.Tensor2D };
      const z = pass.preactivations[index];
      const fraction = definition.saturated ? tf.mean(definition.saturated(z, pass.activations[index])) : tf.scalar(0);
      this.saturation.set(index, tf.keep(fraction) as tf.Scalar);
    });
  }

  /** Keeps the statistics of ∂L/∂W and ∂L/∂b for every layer. `grads` is keyed by variable name. */
  recordParameterGrads(step: number, epoch: number, mlp: Mlp, grads: tf.NamedTensorMap): void {
    mlp.layers.forEach((layer, index) => {
      for (const [tensor, variable] of [['kernel', layer.kernel], ['bias', layer.bias]] as const) {
        // Kept: the caller may run the step inside tf.tidy, and these must live until flush().
        const values = tf.keep(tf.tidy(() => tf.concat([tensorStats(grads[variable.name]), tf.tensor1d([NOT_APPLICABLE])]))) as tf.Tensor1D;
        this.pending.push({ step, epoch, layer: index, tensor, values });
      }
    });
  }

  /** Pending rows, ordered by step, layer and tensor (kernel, bias, preactivation), read in one device transfer. */
  flush(): GradientRow[] {
    if (this.pending.length === 0) return [];
    const order: Record<GradientTensor, number> = { kernel: 0, bias: 1, preactivation: 2 };
    const pending = [...this.pending].sort((a, b) => a.step - b.step || a.layer - b.layer || order[a.tensor] - order[b.tensor]);
    const all = tf.concat(pending.map((p) => p.values));
    const values = all.dataSync();
    all.dispose();
    this.dispose();
    return pending.map((p, i) => {
      const [l2, meanAbs, maxAbs, saturated] = values.subarray(i * 4, i * 4 + 4);
      return {
        step: p.step,
        epoch: p.epoch,
        layer: p.layer,
        tensor: p.tensor,
        l2,
        mean_abs: meanAbs,
        max_abs: maxAbs,
        saturated_fraction: saturated === NOT_APPLICABLE ? '' : saturated,
      };
    });
  }

  /** Drops everything still held on the device. */
  dispose(): void {
    for (const p of this.pending) p.values.dispose();
    for (const s of this.saturation.values()) s.dispose();
    this.pending = [];
    this.saturation.clear();
  }
}
