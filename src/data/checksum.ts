// SHA-256 of dataset files, computed once per process per file version (hashing MNIST costs ~0.2 s).
import * as crypto from 'crypto';
import * as fs from 'fs';
import { readFileBytes } from '../files/read-file';

/** Hashes already computed, keyed by path, valid while size and modification time are unchanged. */
const cache = new Map<string, { size: number; mtimeMs: number; sha256: string }>();

/**
 * The SHA-256 of a file as 64 lower-case hex digits. Cached by path + size + mtime, so a file that is
 * replaced or rewritten is hashed again. Reads through the guarded reader: a file that is not a regular file or is
 * over the dataset cap is a DataError naming it.
 */
export function sha256File(file: string): string {
  const stat = fs.statSync(file);
  const cached = cache.get(file);
  if (cached !== undefined && cached.size === stat.size && cached.mtimeMs === stat.mtimeMs) return cached.sha256;
  const sha256 = crypto.createHash('sha256').update(readFileBytes(file, 'dataset')).digest('hex');
  cache.set(file, { size: stat.size, mtimeMs: stat.mtimeMs, sha256 });
  return sha256;
}

/** Forgets every cached hash (for tests that rewrite a file within the same mtime tick). */
export function clearChecksumCache(): void {
  cache.clear();
}
