// Gradient hooks: additive zero probes on pre-activations plus parameter gradients, reduced on the device until flush().
//
// A probe is a zero tensor e added to a layer's pre-activation, z' = z + e, with e among the tensors the step
// differentiates: ∂L/∂e = ∂L/∂z, and z + 0 = z, so the step's values and gradients are the same as without it
// (the Add's gradient passes ∂L/∂z' through unchanged). Unlike a customGrad identity, it costs one Add forward and
// nothing in the tape's saved tensors, and its gradient arrives with the parameters' for one reduction.
import * as tf from '@tensorflow/tfjs';
import type { GradientRow, GradientTensor } from '../results/contract';
import type { ForwardPass, Model, ParameterLayerKind, PreactivationTap } from '../models/model';
import { gradientSums, statsFromSums } from './stats';

/** One gradients.csv row waiting for its statistics: three values of its step's sums, from `offset`. */
interface PendingRow {
  step: number;
  epoch: number;
  layer: number;
  kind: ParameterLayerKind;
  tensor: GradientTensor;
  /** Elements of the gradient, to turn Σ|g| into a mean on the host. */
  size: number;
  offset: number;
  /** Pre-activation rows: where the layer's saturation mask sums sit, and the mask's size. */
  saturation?: { offset: number; size: number };
}

/** A recorded step's rows and the one [1, k] device tensor holding all their sums. */
interface PendingStep {
  rows: PendingRow[];
  sums: tf.Tensor2D;
}

/**
 * Records per-layer gradient statistics for the steps it is attached to. A recorded step goes: probes(model, batch)
 * → forward with tap() and recordSaturation() → gradients of the parameters and the probes → record(). Nothing is
 * read from the device until flush(), which reads every pending statistic in one batch.
 */
export class GradientRecorder {
  private pending: PendingStep[] = [];
  /** This recorded step's probes (made by probes(), disposed by record()). */
  private current: tf.Tensor[] = [];
  /** The recorded forward pass's pre-activations and activations, kept past the tape until record(). */
  private held: ForwardPass | undefined;

  /**
   * The zero probes of a recorded step on `batchSize` examples, one per parameter layer shaped like its pre-activation
   * ([batchSize, units], or [batchSize, H, W, C] for a conv layer): differentiate the step with respect to them too.
   * The recorder disposes them in record().
   */
  probes(model: Model, batchSize: number): tf.Tensor[] {
    tf.dispose(this.current);
    this.current = model.parameterLayers.map((layer) => tf.zeros([batchSize, ...layer.preactivationShape]));
    return this.current;
  }

  /** The tap for Model.forward on a recorded step: z + e with the layer's probe from probes(). */
  tap(): PreactivationTap {
    return (z, layer) => {
      const probe = this.current[layer];
      if (!probe) throw new Error(`GradientRecorder.tap: no probe for layer ${layer}; call probes(model, batchSize) first`);
      return tf.add(z, probe);
    };
  }

  /**
   * Keeps each layer's pre-activation and activation from a recorded forward pass; record() turns them into the
   * fraction of saturated (or dead) units, over every element of z (for a conv layer all N×H×W×C units). Computing that here, inside the gradient tape, would have tfjs save (and
   * on wasm copy) every input of the mask ops for a backward pass that never uses them.
   */
  recordSaturation(pass: ForwardPass): void {
    this.disposeHeld();
    this.held = { preactivations: pass.preactivations.map((z) => tf.keep(z)), activations: pass.activations.map((a) => tf.keep(a)) };
  }

  /**
   * Keeps the statistics of one recorded step: ∂L/∂W and ∂L/∂b of every layer (`grads` by variable name), ∂L/∂z of
   * every parameter layer (`probeGrads`, the gradients of probes()), and the saturation masks of recordSaturation(),
   * all in one gradientSums call. The caller still owns `grads` and `probeGrads`.
   */
  record(step: number, epoch: number, model: Model, grads: tf.NamedTensorMap, probeGrads: tf.Tensor[]): void {
    const held = this.held;
    const layers = model.parameterLayers;
    const parameters = layers.flatMap((layer, index) =>
      (['kernel', 'bias'] as const).map((tensor) => ({
        layer: index,
        kind: layer.kind,
        tensor,
        variable: tensor === 'kernel' ? layer.kernel : layer.bias,
      })),
    );
    // The fraction of saturated units is the mean of a 0/1 mask: Σ|mask| ÷ its size, from the same sums.
    const sums = tf.keep(
      tf.tidy(() => {
        const masks = held
          ? layers.map((layer, index) => {
              const { saturated } = layer.activation;
              const z = held.preactivations[index];
              return saturated ? saturated(z, held.activations[index]) : tf.zerosLike(z);
            })
          : [];
        return gradientSums([...parameters.map((p) => grads[p.variable.name]), ...probeGrads, ...masks]);
      }),
    );
    const rows: PendingRow[] = parameters.map(({ layer, kind, tensor, variable }, index) => ({
      step,
      epoch,
      layer,
      kind,
      tensor,
      size: variable.size,
      offset: 3 * index,
    }));
    const masksAt = 3 * (parameters.length + probeGrads.length);
    probeGrads.forEach((g, layer) =>
      rows.push({
        step,
        epoch,
        layer,
        kind: layers[layer].kind,
        tensor: 'preactivation',
        size: g.size,
        offset: 3 * (parameters.length + layer),
        saturation: held ? { offset: masksAt + 3 * layer, size: held.preactivations[layer].size } : undefined,
      }),
    );
    this.disposeHeld();
    tf.dispose(this.current);
    this.current = [];
    this.pending.push({ rows, sums });
  }

  /** Pending rows, ordered by step, layer and tensor (kernel, bias, preactivation), read in one device transfer. */
  flush(): GradientRow[] {
    if (this.pending.length === 0) return [];
    const pending = this.pending;
    const all =
      pending.length === 1
        ? pending[0].sums
        : tf.concat(
            pending.map((p) => p.sums),
            1,
          );
    const values = all.dataSync();
    if (pending.length > 1) all.dispose();
    this.disposePending();
    const order: Record<GradientTensor, number> = { kernel: 0, bias: 1, preactivation: 2 };
    let start = 0;
    const rows = pending.flatMap(({ rows: stepRows, sums }) => {
      const base = start;
      start += sums.size;
      return stepRows.map((row): [PendingRow, GradientRow] => {
        const at = base + row.offset;
        const stats = statsFromSums(values[at], values[at + 1], values[at + 2], row.size);
        const saturated = row.saturation ? values[base + row.saturation.offset + 1] / row.saturation.size : '';
        const out = {
          step: row.step,
          epoch: row.epoch,
          layer: row.layer,
          tensor: row.tensor,
          l2: stats.l2,
          mean_abs: stats.meanAbs,
          max_abs: stats.maxAbs,
          saturated_fraction: saturated,
          layer_kind: row.kind,
        };
        return [row, out];
      });
    });
    rows.sort(([a], [b]) => a.step - b.step || a.layer - b.layer || order[a.tensor] - order[b.tensor]);
    return rows.map(([, row]) => row);
  }

  /** Drops everything still held on the device. */
  dispose(): void {
    this.disposePending();
    this.disposeHeld();
    tf.dispose(this.current);
    this.current = [];
  }

  private disposePending(): void {
    tf.dispose(this.pending.map((p) => p.sums));
    this.pending = [];
  }

  private disposeHeld(): void {
    if (this.held) tf.dispose([...this.held.preactivations, ...this.held.activations]);
    this.held = undefined;
  }
}
