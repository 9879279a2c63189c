// Mini-batches copied from a split's typed arrays into reused buffers, in an epoch's (seeded) order.
import { Split } from './dataset';
import { Rng, shuffleInPlace } from './rng';

/**
 * The order in which an epoch visits a split's examples: 0..size-1, shuffled by `rng` with Fisher–Yates,
 * or left in file order when `rng` is null (shuffle off, or evaluation).
 */
export function epochOrder(size: number, rng: Rng | null): Uint32Array {
  const order = new Uint32Array(size);
  for (let index = 0; index < size; index++) order[index] = index;
  return rng === null ? order : shuffleInPlace(order, rng);
}

/** One mini-batch. Its arrays are views of the builder's buffers: valid until the next fill(). */
export interface Batch {
  /** Examples in this batch: batchSize, or fewer for the last batch of an epoch. */
  size: number;
  /** [size, featureSize] row-major pixels in [0, 1]. */
  x: Float32Array;
  /** [size, numClasses] row-major one-hot targets. */
  y: Float32Array;
  /** [size] class indices (for accuracy without an argmax over y). */
  labels: Uint8Array;
  /** Where the batch's examples sit in the split, in batch order. */
  indices: Uint32Array;
}

/**
 * Fills mini-batches from a split without allocating per step: one x, y, labels and indices buffer of
 * batchSize rows, reused for every batch. The last batch of an epoch keeps the remainder (it is smaller,
 * never dropped or padded), so batchesPerEpoch = ceil(size / batchSize).
 *
 * Buffer reuse means a batch's arrays are overwritten by the next fill(). On the tfjs cpu backend,
 * `tf.tensor2d(batch.x, [batch.size, 784])` keeps a reference to the array instead of copying it, so
 * finish with (dispose) the batch's tensors before filling the next batch.
 */
export class BatchBuilder {
  /** Mini-batches per pass over the split: ceil(split.size / batchSize). */
  readonly batchesPerEpoch: number;
  private readonly xBuffer: Float32Array;
  private readonly yBuffer: Float32Array;
  private readonly labelBuffer: Uint8Array;
  private readonly indexBuffer: Uint32Array;

  constructor(
    readonly split: Split,
    readonly batchSize: number,
  ) {
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new RangeError(`batch size must be a whole number >= 1, received ${batchSize}`);
    }
    this.batchesPerEpoch = Math.ceil(split.size / batchSize);
    const rows = Math.min(batchSize, Math.max(split.size, 1));
    this.xBuffer = new Float32Array(rows * split.featureSize);
    this.yBuffer = new Float32Array(rows * split.numClasses);
    this.labelBuffer = new Uint8Array(rows);
    this.indexBuffer = new Uint32Array(rows);
  }

  /** Examples in batch `batchIndex` of an epoch: batchSize except for a smaller last batch. */
  sizeOf(batchIndex: number): number {
    return Math.min(this.batchSize, this.split.size - batchIndex * this.batchSize);
  }

  /**
   * Copies batch `batchIndex` (0-based) of the epoch whose visiting order is `order` (a permutation of
   * 0..split.size-1, from epochOrder) into the reused buffers and returns views of them.
   */
  fill(order: ArrayLike<number>, batchIndex: number): Batch {
    const { split } = this;
    if (order.length !== split.size) {
      throw new RangeError(`epoch order has ${order.length} entries but the split has ${split.size} examples`);
    }
    if (!Number.isInteger(batchIndex) || batchIndex < 0 || batchIndex >= this.batchesPerEpoch) {
      throw new RangeError(`batch index ${batchIndex} is outside 0..${this.batchesPerEpoch - 1}`);
    }
    const size = this.sizeOf(batchIndex);
    const start = batchIndex * this.batchSize;
    const { featureSize, numClasses } = split;
    const y = this.yBuffer.subarray(0, size * numClasses);
    y.fill(0);
    for (let row = 0; row < size; row++) {
      const example = order[start + row];
      if (!(example >= 0 && example < split.size)) {
        throw new RangeError(`epoch order entry ${start + row} is ${example}, outside 0..${split.size - 1}`);
      }
      const label = split.labels[example];
      this.xBuffer.set(split.features.subarray(example * featureSize, (example + 1) * featureSize), row * featureSize);
      y[row * numClasses + label] = 1;
      this.labelBuffer[row] = label;
      this.indexBuffer[row] = example;
    }
    return {
      size,
      x: this.xBuffer.subarray(0, size * featureSize),
      y,
      labels: this.labelBuffer.subarray(0, size),
      indices: this.indexBuffer.subarray(0, size),
    };
  }

  /** Every batch of one epoch in turn (each overwrites the previous one's buffers). */
  *batches(order: ArrayLike<number>): Generator<Batch> {
    for (let batchIndex = 0; batchIndex < this.batchesPerEpoch; batchIndex++) yield this.fill(order, batchIndex);
  }
}
