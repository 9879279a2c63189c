// Epoch checkpoints: weights, optimiser state, RNG state and file offsets in one atomically written file.
import * as fs from 'fs';
import * as tf from '@tensorflow/tfjs';
import type { RngState } from '../data/rng';
import { writeFileAtomic } from '../results/atomic';
import type { Model } from '../models/model';

/** Everything needed to continue a run after the epoch it was saved at, exactly as if never stopped. */
export interface CheckpointState {
  epoch: number;
  step: number;
  rng: RngState;
  /** Byte lengths of metrics.csv and gradients.csv at the checkpoint; later rows are dropped on resume. */
  metricsBytes: number;
  gradientsBytes: number;
  /** Training seconds spent before the checkpoint (wall_s continues from here). */
  wallSeconds: number;
}

interface Header {
  state: CheckpointState;
  variables: { shape: number[] }[];
  /** dtype is int32 for the optimiser's iteration count ('iter'), float32 otherwise. */
  optimizer: { name: string; shape: number[]; dtype?: 'float32' | 'int32' }[];
  /** Adam's running products β₁ᵗ and β₂ᵗ (absent for other optimisers). */
  accumulators?: number[];
}

/**
 * Adam keeps β₁ᵗ and β₂ᵗ as running products, which getWeights() leaves out; setWeights() recomputes them with
 * pow(), which can differ from the product in the last bit. Saving them keeps a resumed run bit-identical.
 */
function accumulators(optimizer: tf.Optimizer): tf.Variable[] {
  const fields = optimizer as unknown as Record<string, unknown>;
  return ['accBeta1', 'accBeta2'].map((key) => fields[key]).filter((v): v is tf.Variable => v instanceof tf.Variable);
}

/**
 * File layout: 4-byte little-endian header length, the JSON header, then float32 data of every model variable
 * followed by every optimiser weight. One file, written by rename, so a crash leaves the old or the new one.
 */
export async function saveCheckpoint(file: string, model: Model, optimizer: tf.Optimizer, state: CheckpointState): Promise<void> {
  const optimizerWeights = await optimizer.getWeights();
  const tensors = [...model.variables, ...optimizerWeights.map((w) => w.tensor)];
  const header: Header = {
    state,
    variables: model.variables.map((v) => ({ shape: v.shape })),
    optimizer: optimizerWeights.map((w) => ({
      name: w.name,
      shape: w.tensor.shape,
      dtype: w.tensor.dtype === 'int32' ? 'int32' : 'float32',
    })),
    accumulators: accumulators(optimizer).map((v) => v.dataSync()[0]),
  };
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
  // Bytes of each tensor's own typed array: Int32Array for the iteration count, Float32Array for the rest.
  const data = tensors.map((t) => Buffer.from((t.dataSync() as Float32Array | Int32Array).slice().buffer));
  // getWeights() makes a new scalar for the iteration count; the rest are the optimiser's own variables.
  for (const w of optimizerWeights) if (!(w.tensor instanceof tf.Variable)) w.tensor.dispose();
  const length = Buffer.alloc(4);
  length.writeUInt32LE(headerBytes.length, 0);
  writeFileAtomic(file, Buffer.concat([length, headerBytes, ...data]));
}

/** Restores a checkpoint into `model` and `optimizer` and returns its state. */
export async function loadCheckpoint(file: string, model: Model, optimizer: tf.Optimizer): Promise<CheckpointState> {
  const bytes = fs.readFileSync(file);
  const headerLength = bytes.readUInt32LE(0);
  const header = JSON.parse(bytes.subarray(4, 4 + headerLength).toString('utf8')) as Header;
  let offset = 4 + headerLength;
  const take = (shape: number[], dtype: 'float32' | 'int32' = 'float32') => {
    const size = shape.reduce((a, b) => a * b, 1);
    const buffer = bytes.buffer.slice(bytes.byteOffset + offset, bytes.byteOffset + offset + size * 4);
    offset += size * 4;
    return dtype === 'int32' ? tf.tensor(new Int32Array(buffer), shape, 'int32') : tf.tensor(new Float32Array(buffer), shape);
  };
  model.variables.forEach((variable, i) => {
    const value = take(header.variables[i].shape);
    variable.assign(value);
    value.dispose();
  });
  const weights = header.optimizer.map((w) => ({ name: w.name, tensor: take(w.shape, w.dtype) }));
  await optimizer.setWeights(weights);
  tf.dispose(weights.map((w) => w.tensor));
  accumulators(optimizer).forEach((variable, i) => {
    if (header.accumulators?.[i] === undefined) return;
    const value = tf.scalar(header.accumulators[i]);
    variable.assign(value);
    value.dispose();
  });
  return header.state;
}
