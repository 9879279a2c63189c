// Parses results files losslab wrote itself, read back as input (--resume, compare, merge, report): a file that
// does not parse is bad input (DataError, exit 2) naming the file, never an internal error.
import { DataError } from '../errors';
import { parseCsv, type CsvTable } from './csv';

/** JSON.parse of `text`; a syntax error becomes a DataError (exit 2) naming `file`, with `hint` on what to do. */
export function parseJsonFile(text: string, file: string, hint = ''): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new DataError(`${file}: not valid JSON: ${(error as Error).message}${hint ? ` — ${hint}` : ''}`);
  }
}

/** parseCsv of `text`; a ragged row becomes a DataError (exit 2) naming `file`, with `hint` on what to do. */
export function parseCsvFile(text: string, file: string, hint = ''): CsvTable {
  try {
    return parseCsv(text, file);
  } catch (error) {
    throw new DataError(`malformed CSV: ${(error as Error).message}${hint ? ` — ${hint}` : ''}`);
  }
}

/** Whether a parsed manifest has the `runs` mapping every reader needs (see src/results/contract.ts). */
export function hasRunsMapping(manifest: unknown): boolean {
  const runs = (manifest as { runs?: unknown } | null)?.runs;
  return typeof runs === 'object' && runs !== null && !Array.isArray(runs);
}
