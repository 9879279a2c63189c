// Parses IDX files (the MNIST container format), raw or gzip-compressed, checking every header field.
import * as zlib from 'zlib';
import { DataError } from '../errors';
import { FILE_KINDS, readFileBytes } from '../files/read-file';
import { formatBytes } from '../util/bytes';

/** Which IDX layout a file must have: images are [count, rows, cols], labels are [count]. */
export type IdxKind = 'images' | 'labels';

/** A decoded IDX file of unsigned bytes. */
export interface IdxArray {
  /** Sizes from the header: [count, rows, cols] for images, [count] for labels. */
  dims: number[];
  /** The values, row-major, exactly `dims` multiplied together bytes long. */
  data: Uint8Array;
}

/** The magic number each kind must carry: 0x0000 then data type 0x08 (unsigned byte) then the number of dims. */
export const IDX_MAGIC: Record<IdxKind, number> = { images: 0x00000803, labels: 0x00000801 };

const UNSIGNED_BYTE = 0x08;
const DIMENSION_COUNT: Record<IdxKind, number> = { images: 3, labels: 1 };
/** IDX data type codes, to name what a wrong file holds. */
const DATA_TYPE_NAMES: Record<number, string> = {
  0x08: 'unsigned byte',
  0x09: 'signed byte',
  0x0b: 'int16',
  0x0c: 'int32',
  0x0d: 'float32',
  0x0e: 'float64',
};

function hex32(value: number): string {
  return `0x${(value >>> 0).toString(16).padStart(8, '0')}`;
}

function describeMagic(kind: IdxKind): string {
  return kind === 'images'
    ? `${hex32(IDX_MAGIC.images)} (unsigned-byte images, 3 dimensions)`
    : `${hex32(IDX_MAGIC.labels)} (unsigned-byte labels, 1 dimension)`;
}

/** True when the bytes start with the gzip magic 0x1f 0x8b (a raw IDX file always starts with 0x00 0x00). */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Decodes IDX bytes (already decompressed) of the given kind. `file` is only used in messages.
 * Throws a DataError naming the file, what was expected and what was found, for any header that does not
 * match `kind` or whose sizes do not account for the byte length exactly.
 */
export function parseIdx(bytes: Uint8Array, file: string, kind: IdxKind): IdxArray {
  if (bytes.length < 4) {
    throw new DataError(
      `${file}: the file holds ${bytes.length} bytes, too few for an IDX header (expected magic number ${describeMagic(kind)}) — the file is truncated or not an IDX file`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, false);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new DataError(
      `${file}: magic number ${hex32(magic)} is not an IDX magic number, expected ${describeMagic(kind)} — the file is corrupt or not an IDX file`,
    );
  }
  const dataType = bytes[2];
  if (dataType !== UNSIGNED_BYTE) {
    const typeName = DATA_TYPE_NAMES[dataType] ?? 'unknown type';
    throw new DataError(
      `${file}: IDX data type 0x${dataType.toString(16).padStart(2, '0')} (${typeName}), expected 0x08 (unsigned byte) — losslab reads unsigned-byte images and labels only`,
    );
  }
  const dimensionCount = bytes[3];
  if (dimensionCount !== DIMENSION_COUNT[kind]) {
    const otherKind: IdxKind = kind === 'images' ? 'labels' : 'images';
    const hint =
      dimensionCount === DIMENSION_COUNT[otherKind] ? ` — this looks like the ${otherKind} file, given where the ${kind} file belongs` : '';
    const dimensions = `${dimensionCount} ${dimensionCount === 1 ? 'dimension' : 'dimensions'}`;
    throw new DataError(`${file}: magic number ${hex32(magic)} (${dimensions}), expected ${describeMagic(kind)}${hint}`);
  }
  const headerBytes = 4 + 4 * dimensionCount;
  if (bytes.length < headerBytes) {
    throw new DataError(
      `${file}: the file holds ${bytes.length} bytes but an IDX header with ${dimensionCount} dimensions needs ${headerBytes} — the file is truncated`,
    );
  }
  const dims: number[] = [];
  for (let axis = 0; axis < dimensionCount; axis++) dims.push(view.getUint32(4 + 4 * axis, false));
  const expectedBytes = dims.reduce((product, size) => product * size, 1);
  const actualBytes = bytes.length - headerBytes;
  if (actualBytes !== expectedBytes) {
    const claim =
      kind === 'images'
        ? `${dims[0]} images of ${dims[1]}x${dims[2]} (${expectedBytes} bytes)`
        : `${dims[0]} labels (${expectedBytes} bytes)`;
    const verdict =
      actualBytes < expectedBytes
        ? 'the file is truncated or corrupt'
        : `${actualBytes - expectedBytes} bytes too many — the header does not match the data (corrupt file)`;
    throw new DataError(`${file}: IDX header says ${claim} but the file holds ${actualBytes} bytes after the header — ${verdict}`);
  }
  // A plain Uint8Array view (not a Node Buffer, whose slice() shares memory instead of copying).
  return { dims, data: new Uint8Array(bytes.buffer, bytes.byteOffset + headerBytes, actualBytes) };
}

/**
 * Reads and decodes an IDX file of the given kind through the guarded reader (regular file, at most the dataset
 * cap). Gzip is detected by the 0x1f8b magic or a `.gz` name and inflated with zlib.gunzipSync, to at most the same
 * cap (a small .gz cannot inflate to fill memory). Every failure (missing, unreadable, bad gzip, bad header) is a
 * DataError.
 */
export function readIdxFile(file: string, kind: IdxKind): IdxArray {
  const raw = readFileBytes(file, 'dataset');
  let bytes: Uint8Array = raw;
  if (isGzip(raw) || file.endsWith('.gz')) {
    const limit = FILE_KINDS.dataset.maxBytes;
    try {
      bytes = zlib.gunzipSync(raw, { maxOutputLength: limit });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
        throw new DataError(`${file}: the gzip data inflates to more than ${formatBytes(limit)}, the limit for dataset files`);
      }
      throw new DataError(
        `${file}: expected gzip-compressed IDX data but gunzip failed (${(error as Error).message}) — the file is truncated or corrupt`,
      );
    }
  }
  return parseIdx(bytes, file, kind);
}
