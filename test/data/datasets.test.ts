// The dataset registry and loadDataset: real MNIST, Fashion-MNIST if installed, and idx folders in tmp.
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { ConfigError, DataError } from '../../src/errors';
import { Split } from '../../src/data/dataset';
import {
  DATASET_NAMES,
  DatasetSpec,
  FASHION_MNIST_FOLDER,
  clearDatasetCache,
  describeDataset,
  isDatasetName,
  loadDataset,
} from '../../src/data/datasets';
import { readIdxFile } from '../../src/data/idx';
import { mnistDataFolder } from '../../src/data/mnist';
import { encodeIdx, makeTempFolder, removeFolder, syntheticPixel, writeSyntheticIdxFolder } from '../fixtures/data/idx-files';
import * as readFile from '../../src/files/read-file';

function labelCounts(split: Split): number[] {
  const counts = new Array<number>(10).fill(0);
  for (const label of split.labels) counts[label]++;
  return counts;
}

/** Byte-wise equality of two label arrays (jest's toEqual on 50000-element arrays is slow). */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

function spec(overrides: Partial<DatasetSpec>): DatasetSpec {
  return { name: 'mnist', train: 10, validation: 0, test: 10, ...overrides };
}

test.each(DATASET_NAMES)('%s is a registered dataset name with a description', (name) => {
  expect(isDatasetName(name)).toBe(true);
  expect(describeDataset(name).length).toBeGreaterThan(20);
});

test('a name outside the registry is not a dataset name', () => expect(isDatasetName('cifar10')).toBe(false));

describe('mnist', () => {
  const mnistFolder = mnistDataFolder();
  const rawTrainImages = readIdxFile(path.join(mnistFolder, 'train-images-idx3-ubyte'), 'images').data;
  const rawTrainLabels = readIdxFile(path.join(mnistFolder, 'train-labels-idx1-ubyte'), 'labels').data;

  test('all 60000 + 10000 examples: label counts, first labels, pixel range, checksums recorded', () => {
    const mnist = loadDataset(spec({ train: 60000, validation: 0, test: 10000 }));
    expect(mnist.available).toEqual({ train: 60000, test: 10000 });
    expect(labelCounts(mnist.train)).toEqual([5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]);
    expect(labelCounts(mnist.test)).toEqual([980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
    expect(Array.from(mnist.train.labels.subarray(0, 10))).toEqual([5, 0, 4, 1, 9, 2, 1, 3, 1, 4]);
    expect(Array.from(mnist.test.labels.subarray(0, 10))).toEqual([7, 2, 1, 0, 4, 1, 4, 9, 5, 9]);
    for (const split of [mnist.train, mnist.test]) {
      expect(split.features).toHaveLength(split.size * 784);
      let min = Infinity;
      let max = -Infinity;
      const features = split.features;
      for (let index = 0; index < features.length; index++) {
        // An indexed loop: for-of over a 47M-element typed array takes ~40 s under jest.
        if (features[index] < min) min = features[index];
        if (features[index] > max) max = features[index];
      }
      expect([min, max]).toEqual([0, 1]);
    }
    expect(mnist.validation.size).toBe(0);
    expect(mnist.sha256?.trainImages).toBe('ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db');
  });

  test("Nielsen's split: train = first 50000, validation = last 10000 of the training file", () => {
    const mnist = loadDataset(spec({ train: 50000, validation: 10000, test: 3 }));
    expect([mnist.train.size, mnist.validation.size, mnist.test.size]).toEqual([50000, 10000, 3]);
    expect(sameBytes(mnist.train.labels, rawTrainLabels.subarray(0, 50000))).toBe(true);
    expect(sameBytes(mnist.validation.labels, rawTrainLabels.subarray(50000))).toBe(true);
    // First pixel row of validation is image 50000; last of train is image 49999.
    for (const [split, row, image] of [
      [mnist.validation, 0, 50000],
      [mnist.validation, 9999, 59999],
      [mnist.train, 49999, 49999],
    ] as const) {
      const expected = Array.from(rawTrainImages.subarray(image * 784, (image + 1) * 784), (pixel) => Math.fround(pixel / 255));
      expect(Array.from(split.features.subarray(row * 784, (row + 1) * 784))).toEqual(expected);
    }
  });

  test('validation is always the last M, whatever train is', () => {
    const mnist = loadDataset(spec({ train: 100, validation: 7 }));
    expect(Array.from(mnist.validation.labels)).toEqual(Array.from(rawTrainLabels.subarray(59993)));
    expect(Array.from(mnist.train.labels)).toEqual(Array.from(rawTrainLabels.subarray(0, 100)));
  });

  const trainingFile = `the mnist training file (${path.join(mnistFolder, 'train-images-idx3-ubyte')})`;
  test.each([
    [{ train: 70000 }, `dataset.train: asked for 70000 training images but ${trainingFile} holds 60000`],
    [{ validation: 60001 }, `dataset.validation: asked for 60001 validation images but ${trainingFile} holds 60000`],
    [
      { train: 55000, validation: 10000 },
      `dataset.train + dataset.validation: asked for 55000 training + 10000 validation images but ${trainingFile} holds 60000 — validation is the last 10000 images and must not overlap the first 55000 used for training; lower dataset.train to at most 50000 or dataset.validation to at most 5000`,
    ],
    [
      { test: 10001 },
      `dataset.test: asked for 10001 test images but the mnist test file (${path.join(mnistFolder, 't10k-images-idx3-ubyte')}) holds 10000`,
    ],
  ])('sizes %j -> DataError naming the key', (sizes, message) => {
    expect(() => loadDataset(spec(sizes))).toThrow(new DataError(message));
  });
});

test.each([
  [{ name: 'mnsit' }, `dataset.name: unknown dataset "mnsit" — did you mean "mnist"? Known: ${DATASET_NAMES.join(', ')}`],
  [{ name: 'cifar10' }, `dataset.name: unknown dataset "cifar10". Known: ${DATASET_NAMES.join(', ')}`],
  [{ train: 0 }, 'dataset.train: expected a whole number >= 1, received 0'],
  [{ validation: -1 }, 'dataset.validation: expected a whole number >= 0, received -1'],
  [{ test: 2.5 }, 'dataset.test: expected a whole number >= 0, received 2.5'],
  [
    { name: 'idx' },
    'dataset.path: the idx dataset needs a folder — set dataset.path to a folder holding train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte, each optionally gzip-compressed with a .gz suffix',
  ],
])('spec %j -> ConfigError', (overrides, message) => {
  expect(() => loadDataset(spec(overrides))).toThrow(new ConfigError(message));
});

describe('idx folders', () => {
  let folder: string;
  beforeEach(() => {
    folder = makeTempFolder();
    clearDatasetCache();
  });
  afterEach(() => removeFolder(folder));
  const layout =
    'train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte, each optionally gzip-compressed with a .gz suffix';

  test('raw and .gz files mixed: splits hold the right rows, scaled to [0, 1]', () => {
    writeSyntheticIdxFolder(folder, { trainCount: 12, testCount: 5, gzip: ['train-images-idx3-ubyte', 't10k-labels-idx1-ubyte'] });
    const dataset = loadDataset({ name: 'idx', path: folder, train: 8, validation: 3, test: 4 });
    expect(dataset.files.trainImages).toBe(path.join(folder, 'train-images-idx3-ubyte.gz'));
    expect(dataset.files.trainLabels).toBe(path.join(folder, 'train-labels-idx1-ubyte'));
    expect(dataset.sha256).toBeUndefined();
    expect(Array.from(dataset.train.labels)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(Array.from(dataset.validation.labels)).toEqual([9, 0, 1]); // examples 9, 10, 11
    expect(Array.from(dataset.test.labels)).toEqual([0, 1, 2, 3]);
    expect(dataset.validation.features[0]).toBe(Math.fround(syntheticPixel(9, 0) / 255));
    expect(dataset.validation.features[2 * 784 + 783]).toBe(Math.fround(syntheticPixel(11, 783) / 255));
  });

  test('a relative path is resolved against the working directory', () => {
    writeSyntheticIdxFolder(folder);
    const relative = path.relative(process.cwd(), folder);
    expect(loadDataset({ name: 'idx', path: relative, train: 1, validation: 0, test: 0 }).files.testLabels).toBe(
      path.join(folder, 't10k-labels-idx1-ubyte'),
    );
  });

  test('decoded files are cached per process, and re-read when a file changes', () => {
    writeSyntheticIdxFolder(folder, { trainCount: 12 });
    const readSpy = jest.spyOn(readFile, 'readFileBytes');
    try {
      loadDataset({ name: 'idx', path: folder, train: 12, validation: 0, test: 1 });
      loadDataset({ name: 'idx', path: folder, train: 5, validation: 5, test: 5 });
      expect(readSpy).toHaveBeenCalledTimes(4);
      writeSyntheticIdxFolder(folder, { trainCount: 20 }); // every file of different size
      expect(loadDataset({ name: 'idx', path: folder, train: 20, validation: 0, test: 1 }).available.train).toBe(20);
      expect(readSpy).toHaveBeenCalledTimes(8);
    } finally {
      readSpy.mockRestore();
    }
  });

  test('images and labels with different counts -> DataError', () => {
    writeSyntheticIdxFolder(folder, { trainCount: 12, trainLabelCount: 11 });
    expect(() => loadDataset({ name: 'idx', path: folder, train: 1, validation: 0, test: 1 })).toThrow(
      new DataError(
        `${path.join(folder, 'train-labels-idx1-ubyte')}: holds 11 labels but ${path.join(folder, 'train-images-idx3-ubyte')} holds 12 images — an images file and its labels file must have the same count`,
      ),
    );
  });

  test('missing files -> one DataError listing each', () => {
    writeSyntheticIdxFolder(folder);
    fs.unlinkSync(path.join(folder, 'train-labels-idx1-ubyte'));
    fs.unlinkSync(path.join(folder, 't10k-images-idx3-ubyte'));
    expect(() => loadDataset({ name: 'idx', path: folder, train: 1, validation: 0, test: 1 })).toThrow(
      new DataError(
        `${folder}: idx dataset folder has no train-labels-idx1-ubyte(.gz), t10k-images-idx3-ubyte(.gz) — set dataset.path to a folder holding ${layout}`,
      ),
    );
  });

  test('a folder that does not exist -> DataError', () => {
    const missing = path.join(folder, 'nowhere');
    expect(() => loadDataset({ name: 'idx', path: missing, train: 1, validation: 0, test: 1 })).toThrow(
      new DataError(`${missing}: idx dataset folder does not exist — set dataset.path to a folder holding ${layout}`),
    );
  });

  test('a label outside 0..9 -> DataError', () => {
    writeSyntheticIdxFolder(folder);
    fs.writeFileSync(path.join(folder, 't10k-labels-idx1-ubyte'), encodeIdx([5], [0, 1, 12, 3, 4]));
    expect(() => loadDataset({ name: 'idx', path: folder, train: 1, validation: 0, test: 1 })).toThrow(
      new DataError(
        `${path.join(folder, 't10k-labels-idx1-ubyte')}: label 12 at index 2 is not a class index, expected 0..9 — the file is corrupt or not a label file`,
      ),
    );
  });

  test('images that are not 28x28 -> DataError', () => {
    writeSyntheticIdxFolder(folder);
    fs.writeFileSync(path.join(folder, 't10k-images-idx3-ubyte'), encodeIdx([5, 32, 32], new Uint8Array(5 * 32 * 32)));
    expect(() => loadDataset({ name: 'idx', path: folder, train: 1, validation: 0, test: 1 })).toThrow(
      new DataError(
        `${path.join(folder, 't10k-images-idx3-ubyte')}: images are 32x32, expected 28x28 — losslab models take 784 pixels per image`,
      ),
    );
  });

  test('a corrupted copy of MNIST loaded as idx: the lying header is caught', () => {
    const mnistFolder = mnistDataFolder();
    for (const name of ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte']) {
      fs.symlinkSync(path.join(mnistFolder, name), path.join(folder, name));
    }
    const labels = fs.readFileSync(path.join(mnistFolder, 't10k-labels-idx1-ubyte'));
    labels.writeUInt32BE(10001, 4); // the header now claims one label more than the file holds
    const corrupted = path.join(folder, 't10k-labels-idx1-ubyte.gz');
    fs.writeFileSync(corrupted, zlib.gzipSync(labels));
    expect(() => loadDataset({ name: 'idx', path: folder, train: 10, validation: 0, test: 10 })).toThrow(
      new DataError(
        `${corrupted}: IDX header says 10001 labels (10001 bytes) but the file holds 10000 bytes after the header — the file is truncated or corrupt`,
      ),
    );
  });
});

const fashionAvailable = fs.existsSync(path.join(FASHION_MNIST_FOLDER, 'train-labels-idx1-ubyte.gz'));
if (!fashionAvailable) {
  console.warn(`fashion-mnist test skipped: ${FASHION_MNIST_FOLDER} not found (apt-get install -y dataset-fashion-mnist)`);
}
(fashionAvailable ? test : test.skip)('fashion-mnist (Debian package): 6000 of each class in train, 1000 in test', () => {
  const fashion = loadDataset({ name: 'fashion-mnist', train: 60000, validation: 0, test: 10000 });
  expect(fashion.files.trainImages).toBe(path.join(FASHION_MNIST_FOLDER, 'train-images-idx3-ubyte.gz'));
  expect(labelCounts(fashion.train)).toEqual(new Array(10).fill(6000));
  expect(labelCounts(fashion.test)).toEqual(new Array(10).fill(1000));
  // First labels from the Fashion-MNIST files: ankle boot, T-shirt, T-shirt, dress, ...
  expect(Array.from(fashion.train.labels.subarray(0, 5))).toEqual([9, 0, 0, 3, 0]);
});

test('fashion-mnist in a folder without its files -> DataError with the fix', () => {
  const folder = makeTempFolder();
  try {
    expect(() => loadDataset({ name: 'fashion-mnist', path: folder, train: 1, validation: 0, test: 1 })).toThrow(
      new DataError(
        `${folder}: Fashion-MNIST folder has no train-images-idx3-ubyte(.gz), train-labels-idx1-ubyte(.gz), t10k-images-idx3-ubyte(.gz), t10k-labels-idx1-ubyte(.gz) — dataset.path must be a folder holding train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte, each optionally gzip-compressed with a .gz suffix`,
      ),
    );
  } finally {
    removeFolder(folder);
  }
});
