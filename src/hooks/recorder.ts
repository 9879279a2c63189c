// Gradient hooks: identity probes on pre-activations plus parameter gradients, kept on the device until flush().
import * as tf from '@tensorflow/tfjs';
import type { GradientRow, GradientTensor } from '../results/contract';
import type { ForwardPass, Model, ParameterLayerKind, PreactivationTap } from '../models/model';
import { gradientSums, statsFromSums } from './stats';

interface Pending {
  step: number;
  epoch: number;
  layer: number;
  kind: ParameterLayerKind;
  tensor: GradientTensor;
  /** Elements of the gradient, to turn Σ|g| into a mean on the host. */
  size: number;
  /** [Σg²], [Σ|g|], [max|g|] and, for pre-activations, [saturated fraction]: [1,1] tensors kept on the device. */
  parts: tf.Tensor2D[];
}

/**
 * Records per-layer gradient statistics for the steps it is attached to. Nothing is read from the device until
 * flush(), which reads every pending statistic in one batch.
 */
export class GradientRecorder {
  private pending: Pending[] = [];
  private saturation = new Map<number, tf.Tensor2D>();

  /**
   * The tap for Model.forward on a recorded step: each pre-activation z passes through an identity whose backward
   * pass keeps the statistics of ∂L/∂z. The probe's value must be a new tensor (z.clone()): returning z itself
   * would make tfjs count the gradient twice. `model` gives each row its layer kind.
   */
  tap(step: number, epoch: number, model: Model): PreactivationTap {
    const kinds = model.parameterLayers.map((l) => l.kind);
    return (z, layer) => {
      const probe = tf.customGrad(((input: tf.Tensor) => ({
        value: input.clone(),
        gradFunc: (dy: tf.Tensor) => {
          // Tensors made here are disposed after backprop; keep what is recorded.
          const parts = gradientSums(dy).map((t) => tf.keep(t));
          const saturated = this.saturation.get(layer);
          this.saturation.delete(layer);
          this.pending.push({
            step,
            epoch,
            layer,
            kind: kinds[layer],
            tensor: 'preactivation',
            size: dy.size,
            parts: saturated ? [...parts, saturated] : parts,
          });
          return dy;
        },
      })) as unknown as Parameters<typeof tf.customGrad>[0]);
      return probe(z) as tf.Tensor;
    };
  }

  /**
   * Keeps the fraction of saturated (or dead) units of each parameter layer from a recorded forward pass: over every
   * element of z, so for a conv layer over all N×H×W×C units.
   */
  recordSaturation(model: Model, pass: ForwardPass): void {
    model.parameterLayers.forEach((layer, index) => {
      const { saturated } = layer.activation;
      const z = pass.preactivations[index];
      const fraction = tf.tidy(() =>
        saturated ? tf.mean(tf.reshape(saturated(z, pass.activations[index]), [1, -1]), 1, true) : tf.zeros([1, 1]),
      ) as tf.Tensor2D;
      this.saturation.get(index)?.dispose();
      this.saturation.set(index, tf.keep(fraction));
    });
  }

  /** Keeps the statistics of ∂L/∂W and ∂L/∂b for every layer. `grads` is keyed by variable name. */
  recordParameterGrads(step: number, epoch: number, model: Model, grads: tf.NamedTensorMap): void {
    model.parameterLayers.forEach((layer, index) => {
      for (const [tensor, variable] of [
        ['kernel', layer.kernel],
        ['bias', layer.bias],
      ] as const) {
        // Kept: the caller may run the step inside tf.tidy, and these must live until flush().
        const parts = gradientSums(grads[variable.name]).map((t) => tf.keep(t));
        this.pending.push({ step, epoch, layer: index, kind: layer.kind, tensor, size: variable.size, parts });
      }
    });
  }

  /** Pending rows, ordered by step, layer and tensor (kernel, bias, preactivation), read in one device transfer. */
  flush(): GradientRow[] {
    if (this.pending.length === 0) return [];
    const order: Record<GradientTensor, number> = { kernel: 0, bias: 1, preactivation: 2 };
    const pending = [...this.pending].sort((a, b) => a.step - b.step || a.layer - b.layer || order[a.tensor] - order[b.tensor]);
    const all = tf.concat(
      pending.flatMap((p) => p.parts),
      1,
    );
    const values = all.dataSync();
    all.dispose();
    this.dispose();
    let offset = 0;
    return pending.map((p) => {
      const [sumSquares, sumAbs, maxAbs, saturated] = values.subarray(offset, offset + p.parts.length);
      offset += p.parts.length;
      const stats = statsFromSums(sumSquares, sumAbs, maxAbs, p.size);
      return {
        step: p.step,
        epoch: p.epoch,
        layer: p.layer,
        tensor: p.tensor,
        l2: stats.l2,
        mean_abs: stats.meanAbs,
        max_abs: stats.maxAbs,
        saturated_fraction: saturated === undefined ? '' : saturated,
        layer_kind: p.kind,
      };
    });
  }

  /** Drops everything still held on the device. */
  dispose(): void {
    for (const p of this.pending) tf.dispose(p.parts);
    for (const s of this.saturation.values()) s.dispose();
    this.pending = [];
    this.saturation.clear();
  }
}
