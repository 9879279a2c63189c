// Epoch checkpoints: weights, optimiser state, RNG state and file offsets in one atomically written file.
import * as fs from 'fs';
import * as tf from '@tensorflow/tfjs';
import type { RngState } from '../data/rng';
import { writeFileAtomic } from '../results/atomic';
import type { Mlp } from '../models/mlp';

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
  optimizer: { name: string; shape: number[] }[];
}

/**
 * File layout: 4-byte little-endian header length, the JSON header, then float32 data of every model variable
 * followed by every optimiser weight. One file, written by rename, so a crash leaves the old or the new one.
 */
export async function saveCheckpoint(file: string, mlp: Mlp, optimizer: tf.Optimizer, state: CheckpointState): Promise<void> {
  const optimizerWeights = await optimizer.getWeights();
  const tensors = [...mlp.variables, ...optimizerWeights.map((w) => w.tensor)];
  const header: Header = {
    state,
    variables: mlp.variables.map((v) => ({ shape: v.shape })),
    optimizer: optimizerWeights.map((w) => ({ name: w.name, shape: w.tensor.shape })),
  };
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
  const data = tensors.map((t) => Buffer.from((t.dataSync() as Float32Array).slice().buffer));
  const length = Buffer.alloc(4);
  length.writeUInt32LE(headerBytes.length, 0);
  writeFileAtomic(file, Buffer.concat([length, headerBytes, ...data]));
}

/** Restores a checkpoint into `mlp` and `optimizer` and returns its state. */
export async function loadCheckpoint(file: string, mlp: Mlp, optimizer: tf.Optimizer): Promise<CheckpointState> {
  const bytes = fs.readFileSync(file);
  const headerLength = bytes.readUInt32LE(0);
  const header = JSON.parse(bytes.subarray(4, 4 + headerLength).toString('utf8')) as Header;
  let offset = 4 + headerLength;
  const take = (shape: number[]) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(bytes.buffer.slice(bytes.byteOffset + offset, bytes.byteOffset + offset + size * 4));
    offset += size * 4;
    return tf.tensor(values, shape);
  };
  mlp.variables.forEach((variable, i) => {
    const value = take(header.variables[i].shape);
    variable.assign(value);
    value.dispose();
  });
  const weights = header.optimizer.map((w) => ({ name: w.name, tensor: take(w.shape) }));
  await optimizer.setWeights(weights);
  tf.dispose(weights.map((w) => w.tensor));
  return header.state;
}
