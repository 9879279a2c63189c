// IDX parsing: header checks, exact error messages, gzip detection.
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { DataError } from '../../src/errors';
import { isGzip, parseIdx, readIdxFile } from '../../src/data/idx';
import { encodeIdx, makeTempFolder, removeFolder } from '../fixtures/data/idx-files';

let folder: string;
beforeEach(() => {
  folder = makeTempFolder();
});
afterEach(() => removeFolder(folder));

function write(name: string, bytes: Uint8Array): string {
  const file = path.join(folder, name);
  fs.writeFileSync(file, bytes);
  return file;
}

describe('parseIdx', () => {
  test('decodes images [n, rows, cols] and labels [n]', () => {
    const images = parseIdx(encodeIdx([2, 2, 3], [0, 1, 2, 3, 4, 5, 250, 251, 252, 253, 254, 255]), 'x', 'images');
    expect(images.dims).toEqual([2, 2, 3]);
    expect(Array.from(images.data)).toEqual([0, 1, 2, 3, 4, 5, 250, 251, 252, 253, 254, 255]);
    expect(Buffer.isBuffer(images.data)).toBe(false);
    const labels = parseIdx(encodeIdx([4], [9, 0, 3, 7]), 'y', 'labels');
    expect(labels.dims).toEqual([4]);
    expect(Array.from(labels.data)).toEqual([9, 0, 3, 7]);
  });

  test('accepts an empty file of zero examples', () => {
    expect(parseIdx(encodeIdx([0], []), 'y', 'labels')).toEqual({ dims: [0], data: new Uint8Array(0) });
  });

  test.each([
    [
      'header that claims more data than the file holds',
      encodeIdx([60000, 28, 28], new Uint8Array(1000)),
      'images',
      'f: IDX header says 60000 images of 28x28 (47040000 bytes) but the file holds 1000 bytes after the header — the file is truncated or corrupt',
    ],
    [
      'header that claims less data than the file holds',
      encodeIdx([3], [1, 2, 3, 4, 5]),
      'labels',
      'f: IDX header says 3 labels (3 bytes) but the file holds 5 bytes after the header — 2 bytes too many — the header does not match the data (corrupt file)',
    ],
    [
      'labels file given as images',
      encodeIdx([3], [1, 2, 3]),
      'images',
      'f: magic number 0x00000801 (1 dimension), expected 0x00000803 (unsigned-byte images, 3 dimensions) — this looks like the labels file, given where the images file belongs',
    ],
    [
      'images file given as labels',
      encodeIdx([1, 1, 1], [1]),
      'labels',
      'f: magic number 0x00000803 (3 dimensions), expected 0x00000801 (unsigned-byte labels, 1 dimension) — this looks like the images file, given where the labels file belongs',
    ],
    [
      'two-dimensional file',
      encodeIdx([1, 1], [1]),
      'labels',
      'f: magic number 0x00000802 (2 dimensions), expected 0x00000801 (unsigned-byte labels, 1 dimension)',
    ],
    [
      'float32 data',
      encodeIdx([1], [0, 0, 0, 0], 0x0d),
      'labels',
      'f: IDX data type 0x0d (float32), expected 0x08 (unsigned byte) — losslab reads unsigned-byte images and labels only',
    ],
    [
      'not an IDX file',
      Buffer.from('PK\u0003\u0004rest'),
      'images',
      'f: magic number 0x504b0304 is not an IDX magic number, expected 0x00000803 (unsigned-byte images, 3 dimensions) — the file is corrupt or not an IDX file',
    ],
    [
      'file shorter than a magic number',
      Buffer.from([0, 0]),
      'labels',
      'f: the file holds 2 bytes, too few for an IDX header (expected magic number 0x00000801 (unsigned-byte labels, 1 dimension)) — the file is truncated or not an IDX file',
    ],
    [
      'header cut off inside the sizes',
      Buffer.from([0, 0, 8, 3, 0, 0, 0, 1, 0, 0]),
      'images',
      'f: the file holds 10 bytes but an IDX header with 3 dimensions needs 16 — the file is truncated',
    ],
  ] as const)('%s -> DataError with the exact message', (_case, bytes, kind, message) => {
    expect(() => parseIdx(bytes, 'f', kind)).toThrow(new DataError(message));
    expect(() => parseIdx(bytes, 'f', kind)).toThrow(DataError);
  });
});

describe('readIdxFile', () => {
  const labels = encodeIdx([5], [4, 3, 2, 1, 0]);

  test('reads a raw file', () => {
    expect(Array.from(readIdxFile(write('labels', labels), 'labels').data)).toEqual([4, 3, 2, 1, 0]);
  });

  test('gzip round trip: a .gz file decodes to the same values as the raw file', () => {
    const gz = write('labels.gz', zlib.gzipSync(labels));
    expect(isGzip(fs.readFileSync(gz))).toBe(true);
    expect(readIdxFile(gz, 'labels')).toEqual(readIdxFile(write('labels', labels), 'labels'));
  });

  test('gzip is detected by the 0x1f8b magic even without a .gz name', () => {
    const file = write('labels-compressed-but-not-named', zlib.gzipSync(labels));
    expect(readIdxFile(file, 'labels').dims).toEqual([5]);
  });

  test('a .gz name on data that is not gzip -> DataError', () => {
    const file = write('labels.gz', labels);
    expect(() => readIdxFile(file, 'labels')).toThrow(
      new DataError(
        `${file}: expected gzip-compressed IDX data but gunzip failed (incorrect header check) — the file is truncated or corrupt`,
      ),
    );
  });

  test('a truncated gzip file -> DataError', () => {
    const compressed = zlib.gzipSync(encodeIdx([1000], new Uint8Array(1000).fill(7)));
    const file = write('labels.gz', compressed.subarray(0, compressed.length - 10));
    expect(() => readIdxFile(file, 'labels')).toThrow(
      new DataError(
        `${file}: expected gzip-compressed IDX data but gunzip failed (unexpected end of file) — the file is truncated or corrupt`,
      ),
    );
  });

  test('a header that lies inside a gzip file is reported against the .gz path', () => {
    const file = write('images.gz', zlib.gzipSync(encodeIdx([60000, 28, 28], new Uint8Array(1000))));
    expect(() => readIdxFile(file, 'images')).toThrow(
      new DataError(
        `${file}: IDX header says 60000 images of 28x28 (47040000 bytes) but the file holds 1000 bytes after the header — the file is truncated or corrupt`,
      ),
    );
  });

  test('a missing file -> DataError naming it', () => {
    const file = path.join(folder, 'nope');
    expect(() => readIdxFile(file, 'images')).toThrow(new DataError(`${file}: cannot read the dataset file: no such file.`));
  });
});
