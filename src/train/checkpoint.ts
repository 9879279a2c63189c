// Epoch checkpoints: weights, optimiser state, RNG state and file offsets in one atomically written file.
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { ResultsError } from '../errors';
import { readFileBytes } from '../files/read-file';
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

const Uint32 = z.int().min(0).max(0xffffffff);

/** The JSON header of checkpoint.bin, checked when read back. */
const HeaderSchema = z.object({
  state: z.object({
    epoch: z.int().min(0),
    step: z.int().min(0),
    rng: z.object({
      algorithm: z.literal('xoshiro128**'),
      words: z
        .tuple([Uint32, Uint32, Uint32, Uint32])
        .refine((words) => words.some((word) => word !== 0), 'xoshiro words may not all be 0'),
    }),
    metricsBytes: z.int().min(0),
    gradientsBytes: z.int().min(0),
    wallSeconds: z.number().min(0),
  }),
  variables: z.array(z.object({ shape: z.array(z.int().min(0)) })),
  /** dtype is int32 for the optimiser's iteration count ('iter'), float32 otherwise. */
  optimizer: z.array(z.object({ name: z.string(), shape: z.array(z.int().min(0)), dtype: z.enum(['float32', 'int32']).optional() })),
  /** Adam's running products β₁ᵗ and β₂ᵗ (absent for other optimisers). */
  accumulators: z.array(z.number()).optional(),
});
type Header = z.output<typeof HeaderSchema>;

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

/** What to do about a checkpoint that cannot be used (docs/reliability.md: --resume over a corrupt checkpoint exits 2). */
export const CORRUPT_CHECKPOINT_HINT =
  'delete its checkpoint folder to train this run again from scratch with --resume, or rerun without --resume';

/** A checkpoint read and checked: its header, and where the tensor data starts. */
export interface CheckpointContents {
  header: Header;
  bytes: Buffer;
  dataOffset: number;
}

/**
 * Reads `file` (the guarded reader: a regular file within the checkpoint cap) and checks it fully without touching a
 * model: the header's length and JSON shape, the model's variable shapes against `variableShapes` (the run's model,
 * from src/models/size.ts), and a byte length equal to the header's tensors. Any fault is a ResultsError naming the
 * file, the fault and what to do (CORRUPT_CHECKPOINT_HINT).
 */
export function readCheckpoint(file: string, variableShapes: readonly (readonly number[])[]): CheckpointContents {
  const corrupt = (reason: string) => new ResultsError(`${file}: corrupt checkpoint: ${reason} — ${CORRUPT_CHECKPOINT_HINT}`);
  const bytes = readFileBytes(file, 'checkpoint');
  if (bytes.length < 4) throw corrupt(`the file holds ${bytes.length} bytes, too few for the 4-byte header length`);
  const headerLength = bytes.readUInt32LE(0);
  if (4 + headerLength > bytes.length)
    throw corrupt(`the header length ${headerLength} runs past the end of the file (${bytes.length} bytes)`);
  let json: unknown;
  try {
    json = JSON.parse(bytes.subarray(4, 4 + headerLength).toString('utf8'));
  } catch (error) {
    throw corrupt(`the header is not JSON (${(error as Error).message.split('\n')[0]})`);
  }
  const parsed = HeaderSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw corrupt(`header ${issue.path.join('.') || '(top level)'}: ${issue.message}`);
  }
  const header = parsed.data;
  const shapesText = (shapes: readonly (readonly number[])[]) => shapes.map((shape) => `[${shape.join(',')}]`).join(' ');
  const saved = header.variables.map((v) => v.shape);
  if (saved.length !== variableShapes.length || saved.some((shape, i) => shape.join(',') !== variableShapes[i].join(','))) {
    throw corrupt(`it holds a model of shapes ${shapesText(saved)}, the run's model has ${shapesText(variableShapes)}`);
  }
  const values = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
  const expected = 4 + headerLength + 4 * [...saved, ...header.optimizer.map((w) => w.shape)].reduce((n, shape) => n + values(shape), 0);
  if (bytes.length !== expected) throw corrupt(`the file holds ${bytes.length} bytes, its header describes ${expected}`);
  return { header, bytes, dataOffset: 4 + headerLength };
}

/** Restores a checkpoint into `model` and `optimizer` and returns its state (the file is checked by readCheckpoint first). */
export async function loadCheckpoint(file: string, model: Model, optimizer: tf.Optimizer): Promise<CheckpointState> {
  const { header, bytes, dataOffset } = readCheckpoint(
    file,
    model.variables.map((v) => v.shape),
  );
  let offset = dataOffset;
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
