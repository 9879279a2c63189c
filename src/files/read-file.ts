// The one guarded file reader: regular files only, a size cap per kind of file, and text that is UTF-8.
import * as fs from 'fs';
import { ConfigError, DataError, ResultsError, type LosslabError } from '../errors';
import { formatBytes } from '../util/bytes';

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;

/** What a kind of file is called in messages, its size cap, and whether it is text. */
export interface FileKindSpec {
  /** "experiment file": used as `cannot read the experiment file: …`. */
  noun: string;
  /** Largest file accepted, in bytes (also the largest a .gz dataset file may inflate to). */
  maxBytes: number;
  /** Text kinds are decoded as UTF-8; binary kinds are returned as bytes. */
  text: boolean;
  /** Whether a raw NUL may appear in the text (a CSV cell may hold one, quoted; YAML and JSON forbid it). */
  allowNul?: boolean;
  /** The error a problem with this kind of file becomes (its exit code is 2 for all of them). */
  error: new (message: string) => LosslabError;
}

/**
 * Every kind of file losslab reads, with its cap (documented in docs/reliability.md). The caps are far above any
 * file losslab writes or ships, and far below what would exhaust memory: a wrong path fails at once, not after
 * minutes of reading.
 */
export const FILE_KINDS = {
  /**
   * Experiment files (YAML or JSON): real ones are a few KiB. The YAML parser takes ~25 µs a node, so this cap also
   * bounds a hostile file's parse to about two seconds (a file listing a million runs is refused here, unparsed).
   */
  experiment: { noun: 'experiment file', maxBytes: 256 * KiB, text: true, error: ConfigError },
  /** `compare --tolerances` files. */
  tolerances: { noun: 'tolerance file', maxBytes: 1 * MiB, text: true, error: ConfigError },
  /** User modules (own losses and activations) loaded from files. */
  module: { noun: 'module', maxBytes: 1 * MiB, text: true, error: ConfigError },
  /** experiment.json and manifest.json read back (experiment.json lists every run's config: ~1 KiB per run). */
  resultsJson: { noun: 'results file', maxBytes: 64 * MiB, text: true, error: ResultsError },
  /** summary.csv, metrics.csv, gradients.csv read back; CSV cells may hold a quoted NUL. */
  resultsCsv: { noun: 'results file', maxBytes: 256 * MiB, text: true, allowNul: true, error: ResultsError },
  /** runs/<id>/checkpoint/checkpoint.bin: weights and optimiser state, bounded by the model-size limit. */
  checkpoint: { noun: 'checkpoint', maxBytes: 4 * GiB, text: false, error: ResultsError },
  /** IDX dataset files, raw or gzip (and what a .gz inflates to): MNIST's largest is 45 MiB. */
  dataset: { noun: 'dataset file', maxBytes: 1 * GiB, text: false, error: DataError },
} as const satisfies Record<string, FileKindSpec>;
export type FileKind = keyof typeof FILE_KINDS;

/** Plural noun for the cap message: "experiment files". */
const plural = (noun: string) => (noun.endsWith('s') ? noun : `${noun}s`);

/** Why a path cannot be read as a regular file, from its stat, or undefined when it is one. */
function notRegular(stat: fs.Stats): string | undefined {
  if (stat.isFile()) return undefined;
  if (stat.isDirectory()) return 'it is a folder, not a file';
  if (stat.isFIFO()) return 'it is a named pipe (FIFO), not a regular file';
  if (stat.isCharacterDevice()) return 'it is a character device, not a regular file';
  if (stat.isBlockDevice()) return 'it is a block device, not a regular file';
  if (stat.isSocket()) return 'it is a socket, not a regular file';
  return 'it is not a regular file';
}

/** A file-system error in words: `no such file`, `permission denied`, … */
export function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'it is a folder, not a file';
    case 'ENOTDIR':
      return 'a part of the path is a file, not a folder';
    case 'ELOOP':
      return 'too many symbolic links (a loop?)';
    case 'ENAMETOOLONG':
      return 'the path is too long';
    case 'EROFS':
      return 'read-only file system';
    case 'ENOSPC':
      return 'no space left on device';
    case 'EDQUOT':
      return 'disk quota exceeded';
    default:
      return code ? `${code}: ${(error as Error).message}` : String((error as Error)?.message ?? error);
  }
}

/**
 * The bytes of `file`, which must be a regular file of at most FILE_KINDS[kind].maxBytes. A FIFO, device, socket or
 * folder is refused from its stat before it is opened, and again from the open descriptor (opened non-blocking, so a
 * path swapped for a FIFO in between cannot block); a file that grows past the cap while read is refused too.
 * Every problem is the kind's error (exit 2) naming the file.
 */
export function readFileBytes(file: string, kind: FileKind): Buffer {
  const spec: FileKindSpec = FILE_KINDS[kind];
  const fail = (reason: string) => new spec.error(`${file}: cannot read the ${spec.noun}: ${reason}.`);
  // An empty name would print as "losslab: : …"; say what is missing instead.
  if (typeof file !== 'string' || file.trim() === '') throw new spec.error(`no ${spec.noun} given: the file name is empty.`);
  let fd: number;
  try {
    const reason = notRegular(fs.statSync(file));
    if (reason) throw fail(reason);
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK | fs.constants.O_NOCTTY);
  } catch (error) {
    if (error instanceof spec.error) throw error;
    throw fail(describeFsError(error));
  }
  try {
    const stat = fs.fstatSync(fd);
    const reason = notRegular(stat);
    if (reason) throw fail(reason);
    const limit = formatBytes(spec.maxBytes);
    // "1,048,577 bytes, over the 1 MiB limit" where the rounded size would read as the limit itself.
    const size = (bytes: number) => (formatBytes(bytes) === limit ? `${bytes.toLocaleString('en-US')} bytes` : formatBytes(bytes));
    const tooBig = (bytes: number) => fail(`it is ${size(bytes)}, over the ${limit} limit for ${plural(spec.noun)}`);
    if (stat.size > spec.maxBytes) throw tooBig(stat.size);
    return readAll(fd, stat.size, spec.maxBytes, tooBig);
  } catch (error) {
    if (error instanceof spec.error) throw error;
    throw fail(describeFsError(error));
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Reads `fd` to its end, at most `maxBytes`. `expected` is the size from fstat: a regular file usually holds exactly
 * that, but files under /proc report 0 and a file may grow while read, so reading continues until read() returns 0.
 */
function readAll(fd: number, expected: number, maxBytes: number, tooBig: (size: number) => Error): Buffer {
  const chunks: Buffer[] = [];
  let total = 0;
  let buffer = Buffer.allocUnsafe(Math.min(Math.max(expected, 64 * 1024), maxBytes) + 1);
  let filled = 0;
  for (;;) {
    if (filled === buffer.length) {
      chunks.push(buffer);
      buffer = Buffer.allocUnsafe(Math.min(buffer.length * 2, maxBytes + 1 - total) || 1);
      filled = 0;
    }
    const read = fs.readSync(fd, buffer, filled, buffer.length - filled, null);
    if (read === 0) break;
    filled += read;
    total += read;
    if (total > maxBytes) throw tooBig(total);
  }
  chunks.push(buffer.subarray(0, filled));
  return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, total);
}

/** `file`'s text, read with readFileBytes and checked by decodeText. */
export function readTextFile(file: string, kind: FileKind): string {
  return decodeText(readFileBytes(file, kind), file, kind);
}

/** Line and column (1-based, in characters) of byte `offset` in `bytes`. */
function lineColumn(bytes: Uint8Array, offset: number): { line: number; column: number } {
  const before = Buffer.from(bytes.buffer, bytes.byteOffset, offset).toString('utf8');
  const lines = before.split('\n');
  return { line: lines.length, column: Array.from(lines[lines.length - 1]).length + 1 };
}

/**
 * `bytes` as UTF-8 text (a UTF-8 byte-order mark is dropped). UTF-16 and UTF-32 (named, with or without a byte-order
 * mark), bytes that are not UTF-8 (located), binary data, and a NUL where the kind forbids one (located: YAML 1.2 and
 * JSON do not allow it) are the kind's error naming the file and what to do.
 */
export function decodeText(bytes: Uint8Array, file: string, kind: FileKind): string {
  const spec: FileKindSpec = FILE_KINDS[kind];
  const wrongEncoding = (encoding: string, detail: string) =>
    new spec.error(`${file}: the ${spec.noun} is ${encoding} text (${detail}); losslab reads UTF-8 — save it as UTF-8.`);
  const bom = detectByteOrderMark(bytes);
  if (bom) throw wrongEncoding(bom.encoding, bom.byteOrder);
  const sniffed = sniffWideText(bytes);
  if (sniffed) throw wrongEncoding(sniffed.encoding, `${sniffed.byteOrder}, without a byte-order mark`);
  const start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  const body = bytes.subarray(start);
  const bad = firstInvalidUtf8(body);
  if (bad >= 0) {
    const { line, column } = lineColumn(body, bad);
    const byte = `0x${body[bad].toString(16).padStart(2, '0')}`;
    throw new spec.error(`${file}:${line}:${column}: the ${spec.noun} is not valid UTF-8 (byte ${byte}); save it as UTF-8.`);
  }
  const nul = body.indexOf(0);
  if (nul >= 0 && !spec.allowNul) {
    const { line, column } = lineColumn(body, nul);
    const count = body.reduce((n, byte) => n + (byte === 0 ? 1 : 0), 0);
    if (count > 8) {
      throw new spec.error(
        `${file}: the ${spec.noun} is binary data (${count} NUL bytes, the first at line ${line}, column ${column}), not text.`,
      );
    }
    throw new spec.error(`${file}:${line}:${column}: a NUL byte (U+0000): YAML and JSON do not allow one in text; remove it.`);
  }
  return Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
}

interface WideEncoding {
  encoding: 'UTF-16' | 'UTF-32';
  byteOrder: 'little-endian' | 'big-endian';
}

/** The UTF-16/UTF-32 encoding a byte-order mark announces, if any (UTF-32 first: its LE mark starts like UTF-16's). */
function detectByteOrderMark(bytes: Uint8Array): WideEncoding | undefined {
  const [b0, b1, b2, b3] = bytes;
  if (b0 === 0xff && b1 === 0xfe && b2 === 0 && b3 === 0) return { encoding: 'UTF-32', byteOrder: 'little-endian' };
  if (b0 === 0 && b1 === 0 && b2 === 0xfe && b3 === 0xff) return { encoding: 'UTF-32', byteOrder: 'big-endian' };
  if (b0 === 0xff && b1 === 0xfe) return { encoding: 'UTF-16', byteOrder: 'little-endian' };
  if (b0 === 0xfe && b1 === 0xff) return { encoding: 'UTF-16', byteOrder: 'big-endian' };
  return undefined;
}

/**
 * UTF-16 without a byte-order mark, from its pattern: ASCII text in UTF-16 has a NUL in every other byte (odd
 * positions little-endian, even positions big-endian). Judged on the first 4 KiB, and only with at least 4 pairs.
 */
function sniffWideText(bytes: Uint8Array): WideEncoding | undefined {
  const length = Math.min(bytes.length, 4096) & ~1;
  if (length < 8) return undefined;
  let evenNuls = 0;
  let oddNuls = 0;
  for (let i = 0; i < length; i += 2) {
    if (bytes[i] === 0) evenNuls++;
    if (bytes[i + 1] === 0) oddNuls++;
  }
  const pairs = length / 2;
  if (oddNuls >= 0.6 * pairs && evenNuls <= 0.1 * pairs) return { encoding: 'UTF-16', byteOrder: 'little-endian' };
  if (evenNuls >= 0.6 * pairs && oddNuls <= 0.1 * pairs) return { encoding: 'UTF-16', byteOrder: 'big-endian' };
  return undefined;
}

/** Offset of the first byte that does not belong to a well-formed UTF-8 sequence, or -1 when all do (RFC 3629). */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    if (b >= 0xc2 && b <= 0xdf) [need, min] = [1, 0x80];
    else if (b >= 0xe0 && b <= 0xef) [need, min] = [2, 0x800];
    else if (b >= 0xf0 && b <= 0xf4) [need, min] = [3, 0x10000];
    else return i;
    if (i + need >= bytes.length) return i;
    let code = b & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const next = bytes[i + k];
      if ((next & 0xc0) !== 0x80) return i;
      code = (code << 6) | (next & 0x3f);
    }
    // Overlong forms, UTF-16 surrogates and code points past U+10FFFF are not UTF-8.
    if (code < min || (code >= 0xd800 && code <= 0xdfff) || code > 0x10ffff) return i;
    i += need + 1;
  }
  return -1;
}
