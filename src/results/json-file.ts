// Parses a results file losslab wrote itself (experiment.json, manifest.json), as bad input when it is not JSON.
import { DataError } from '../errors';

/** JSON.parse of `text`; a syntax error becomes a DataError (exit 2) naming `file`, with `hint` on what to do. */
export function parseJsonFile(text: string, file: string, hint = ''): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new DataError(`${file}: not valid JSON: ${(error as Error).message}${hint ? ` — ${hint}` : ''}`);
  }
}

/** Whether a parsed manifest has the `runs` mapping every reader needs (see src/results/contract.ts). */
export function hasRunsMapping(manifest: unknown): boolean {
  const runs = (manifest as { runs?: unknown } | null)?.runs;
  return typeof runs === 'object' && runs !== null && !Array.isArray(runs);
}
