// Crash-safe file writes: write a temporary file beside the target, fsync, then rename over it.
import * as fs from 'fs';
import * as path from 'path';
import { WriteError } from '../errors';
import { makeFolders } from '../files/output-folder';
import { describeFsError } from '../files/read-file';

/** The fs functions used for writing; tests swap in failing ones to simulate a full disk. */
export interface WriteFs {
  writeFileSync: typeof fs.writeFileSync;
  appendFileSync: typeof fs.appendFileSync;
}
let writer: WriteFs = fs;

/** Replaces the fs used for writes (for tests); returns a function that restores the previous one. */
export function setWriteFs(replacement: WriteFs): () => void {
  const previous = writer;
  writer = replacement;
  return () => {
    writer = previous;
  };
}

/**
 * Writes `data` to `file` so that a crash at any point leaves either the old file or the new one, never a
 * truncated file. Errors become a WriteError naming the file and the cause.
 */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  const temporary = `${file}.tmp-${process.pid}`;
  try {
    makeFolders(path.dirname(file));
    writer.writeFileSync(temporary, data);
    const fd = fs.openSync(temporary, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(temporary, file);
  } catch (error) {
    fs.rmSync(temporary, { force: true });
    throw asWriteError(file, error);
  }
}

/** Appends `data` to `file` (used for per-step rows); errors become a WriteError. */
export function appendFileChecked(file: string, data: string): void {
  try {
    writer.appendFileSync(file, data);
  } catch (error) {
    throw asWriteError(file, error);
  }
}

function asWriteError(file: string, error: unknown): WriteError {
  return new WriteError(`${file}: could not write results: ${describeFsError(error)}. Files written before this one are intact.`);
}
