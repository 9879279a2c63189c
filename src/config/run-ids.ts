// Run ids and hashes: filesystem-safe slugs, unique ids per run and seed, and stable content hashes.
import { createHash } from 'crypto';
import { isPlainObject } from '../util/plain-object';

/** What an id is made from: the run's name, seed and grid values. */
export interface IdentifiedRun {
  id: string;
  name: string;
  seed: number;
  gridValues: Record<string, unknown>;
}

/** Filesystem-safe slug: letters, digits, ".", "_", "-"; no leading dot, no "..", never empty. */
export function slug(text: string): string {
  const cleaned = text
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/\.{2,}/g, '.')
    .replace(/-{2,}/g, '-')
    .replace(/^[.-]+|[.-]+$/g, '');
  return cleaned === '' ? 'run' : cleaned;
}

/**
 * Sets each run's id: `<slug of name>-s<seed>`; long grid names become a prefix plus a hash of the grid values, and
 * names whose slugs clash (case-insensitively) get a hash of the name.
 */
export function assignIds(runs: IdentifiedRun[], hasGrid: boolean): void {
  const baseOf = (run: IdentifiedRun) => {
    const full = slug(run.name);
    return hasGrid && full.length > 48
      ? `${slug(run.name.split('[')[0]).slice(0, 40)}-${hashOf(run.gridValues).slice(0, 6)}`
      : full.slice(0, 64);
  };
  // Clashes are found case-insensitively: "A" and "a" would share a folder on macOS and Windows.
  const counts = new Map<string, Set<string>>();
  for (const run of runs) {
    const key = baseOf(run).toLowerCase();
    counts.set(key, (counts.get(key) ?? new Set()).add(run.name));
  }
  for (const run of runs) {
    const base = baseOf(run);
    const clash = (counts.get(base.toLowerCase())?.size ?? 0) > 1;
    run.id = `${clash ? `${base}-${hashOf(run.name).slice(0, 6)}` : base}-s${run.seed}`;
  }
}

/** Stable hash of a JSON value: keys sorted, so key order in the file does not matter. */
export function hashOf(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex').slice(0, 16);
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isPlainObject(value)) {
    return `{${Object.keys(value)
      .sort()
      .filter((k) => value[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}
