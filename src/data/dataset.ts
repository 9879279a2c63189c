// The Dataset and Split types: train / validation / test splits as flat typed arrays, and one-hot encoding.
import { DataError } from '../errors';

/** Every dataset losslab reads is 28x28 grey-scale images in 10 classes. */
export const IMAGE_ROWS = 28;
export const IMAGE_COLS = 28;
/** One example as an image, channels last: [height, width, channels]. */
export const IMAGE_SHAPE: readonly [number, number, number] = [IMAGE_ROWS, IMAGE_COLS, 1];
/** Features per example: 28 * 28 pixels. */
export const FEATURE_SIZE = IMAGE_ROWS * IMAGE_COLS;
/** Number of classes (digits 0-9, or the ten Fashion-MNIST articles). */
export const NUM_CLASSES = 10;

/** The four files of an IDX dataset, by role. */
export type DatasetFileRole = 'trainImages' | 'trainLabels' | 'testImages' | 'testLabels';
export const DATASET_FILE_ROLES: readonly DatasetFileRole[] = ['trainImages', 'trainLabels', 'testImages', 'testLabels'];
/** Absolute paths of the four files of a dataset. */
export type DatasetFiles = Record<DatasetFileRole, string>;

/** One split of a dataset, as flat arrays ready to be copied into batches. */
export interface Split {
  /** Number of examples. */
  readonly size: number;
  /** [size, featureSize] row-major: pixel / 255, in [0, 1]. */
  readonly features: Float32Array;
  /** [size]: the class index (0-9) of each example. */
  readonly labels: Uint8Array;
  /** Always NUM_CLASSES (10). */
  readonly numClasses: number;
  /** Always FEATURE_SIZE (784). */
  readonly featureSize: number;
}

/** A loaded dataset: three non-overlapping splits plus where they came from. */
export interface Dataset {
  /** Registry name: "mnist", "fashion-mnist" or "idx". */
  readonly name: string;
  /** The files the splits were read from. */
  readonly files: DatasetFiles;
  /** SHA-256 of each file, for datasets that are checksummed (mnist); undefined otherwise. */
  readonly sha256?: DatasetFiles;
  /** Examples in the training file and in the test file, before splitting. */
  readonly available: { readonly train: number; readonly test: number };
  /** The first `train` examples of the training file. */
  readonly train: Split;
  /** The last `validation` examples of the training file (never overlapping `train`). */
  readonly validation: Split;
  /** The first `test` examples of the test file. */
  readonly test: Split;
}

/** p / 255 for every byte p, by division (not multiplication by 1/255) so 255 maps to exactly 1. */
const PIXEL_SCALE = Float32Array.from({ length: 256 }, (_, pixel) => pixel / 255);

/**
 * Builds a split from `count` consecutive examples starting at `start` of decoded image bytes
 * ([n, 784]) and labels ([n]). Pixels are scaled by 1/255 into [0, 1].
 */
export function makeSplit(images: Uint8Array, labels: Uint8Array, start: number, count: number): Split {
  const features = new Float32Array(count * FEATURE_SIZE);
  const source = images.subarray(start * FEATURE_SIZE, (start + count) * FEATURE_SIZE);
  for (let index = 0; index < source.length; index++) features[index] = PIXEL_SCALE[source[index]];
  return {
    size: count,
    features,
    labels: new Uint8Array(labels.subarray(start, start + count)), // a copy: callers may not alter the cached file
    numClasses: NUM_CLASSES,
    featureSize: FEATURE_SIZE,
  };
}

/**
 * One-hot encodes class indices: returns [labels.length, numClasses] row-major with a 1 at each label.
 * A label outside [0, numClasses) is a DataError (it would silently give an all-zero target).
 */
export function oneHot(labels: ArrayLike<number>, numClasses: number = NUM_CLASSES): Float32Array {
  const encoded = new Float32Array(labels.length * numClasses);
  for (let row = 0; row < labels.length; row++) {
    const label = labels[row];
    if (!Number.isInteger(label) || label < 0 || label >= numClasses) {
      throw new DataError(`label ${label} at index ${row} is not a class index, expected an integer in 0..${numClasses - 1}`);
    }
    encoded[row * numClasses + label] = 1;
  }
  return encoded;
}
