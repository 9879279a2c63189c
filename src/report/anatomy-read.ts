// Reads the files `losslab anatomy --out <results>/anatomy` wrote into a results folder, for the report, if any.
import * as fs from 'fs';
import * as path from 'path';
import type { AnatomyRow, AnatomySummary } from '../anatomy/compute';
import { ANATOMY_COLUMNS, ANATOMY_DIR, ANATOMY_SUMMARY_COLUMNS, AnatomyFiles, type CellType } from '../results/contract';
import { readResultsCsv } from '../results/results-folder';

/** The anatomy of the pairs in a results folder, as anatomy.csv and anatomy-summary.csv hold it. */
export interface AnatomyData {
  rows: AnatomyRow[];
  summary: AnatomySummary[];
}

/** The anatomy files' text columns; every other contract column holds numbers. */
const TEXT_COLUMNS = new Set(['pair', 'output', 'loss', 'gradient', 'sweep', 'verdict']);

/**
 * Reads `<dir>/anatomy/`'s two CSV files when both are there (else undefined) through the results validator's CSV
 * reader: the contract columns present, the numeric ones numbers. A problem is a ResultsError (exit 2).
 */
export function readAnatomy(dir: string): AnatomyData | undefined {
  const folder = path.join(dir, ANATOMY_DIR);
  const files = [path.join(folder, AnatomyFiles.rows), path.join(folder, AnatomyFiles.summary)];
  if (!files.every((file) => fs.lstatSync(file, { throwIfNoEntry: false }))) return undefined;
  const [rows, summary] = files.map((file, i) => {
    const columns: readonly string[] = i === 0 ? ANATOMY_COLUMNS : ANATOMY_SUMMARY_COLUMNS;
    const numeric = new Set(columns.filter((c) => !TEXT_COLUMNS.has(c)));
    const types: Record<string, CellType> = Object.fromEntries(columns.map((c) => [c, numeric.has(c) ? 'number' : 'text']));
    const table = readResultsCsv(file, columns, types, 'rerun losslab anatomy with --out pointing there');
    return table.rows.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, numeric.has(k) ? Number(v) : v])));
  });
  return { rows: rows as unknown as AnatomyRow[], summary: summary as unknown as AnatomySummary[] };
}
