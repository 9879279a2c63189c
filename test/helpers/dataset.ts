// Tiny in-memory datasets with the Dataset shape, for training tests that must not read MNIST.
import type { Dataset, Split } from '../../src/data/dataset';
import { Rng } from '../../src/data/rng';

export interface TinyDatasetOptions {
  train: number;
  test: number;
  validation?: number;
  /** Features per example (default 5). */
  featureSize?: number;
  /** Classes (default 3). */
  numClasses?: number;
  /** Seed of the pixel and label values (default 7). */
  seed?: number;
}

/**
 * A split of `size` examples whose features are uniform in [0, 1) and whose label is the index of the largest of
 * the first `numClasses` features, so the task is learnable and a model's accuracy can move.
 */
export function tinySplit(size: number, featureSize: number, numClasses: number, rng: Rng): Split {
  const features = new Float32Array(size * featureSize);
  const labels = new Uint8Array(size);
  for (let row = 0; row < size; row++) {
    for (let column = 0; column < featureSize; column++) features[row * featureSize + column] = rng.nextFloat();
    let best = 0;
    for (let k = 1; k < numClasses; k++) if (features[row * featureSize + k] > features[row * featureSize + best]) best = k;
    labels[row] = best;
  }
  return { size, features, labels, numClasses, featureSize };
}

/** A deterministic Dataset with train, validation and test splits drawn from one seeded stream. */
export function tinyDataset(options: TinyDatasetOptions): Dataset {
  const featureSize = options.featureSize ?? 5;
  const numClasses = options.numClasses ?? 3;
  const rng = new Rng(options.seed ?? 7);
  const files = { trainImages: 'memory', trainLabels: 'memory', testImages: 'memory', testLabels: 'memory' };
  return {
    name: 'tiny',
    files,
    available: { train: options.train + (options.validation ?? 0), test: options.test },
    train: tinySplit(options.train, featureSize, numClasses, rng),
    validation: tinySplit(options.validation ?? 0, featureSize, numClasses, rng),
    test: tinySplit(options.test, featureSize, numClasses, rng),
  };
}
