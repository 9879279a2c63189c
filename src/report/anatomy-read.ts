// Reads the files `losslab anatomy --out <results>/anatomy` wrote into a results folder, for the report, if any.
import * as fs from 'fs';
import * as path from 'path';
import type { AnatomyRow, AnatomySummary } from '../anatomy/compute';
import { OutputError } from '../errors';
import { ANATOMY_COLUMNS, ANATOMY_DIR, ANATOMY_SUMMARY_COLUMNS, AnatomyFiles } from '../results/contract';
import { parseCsvFile } from '../results/read-back';

/** The anatomy of the pairs in a results folder, as anatomy.csv and anatomy-summary.csv hold it. */
export interface AnatomyData {
  rows: AnatomyRow[];
  summary: AnatomySummary[];
}

const NUMERIC = new Set([
  'p',
  'loss_value',
  'dLdz_true',
  'dLdz_wrong',
  'dLdz_other',
  'max_abs_dLdz',
  'loss_at_wrong',
  'loss_at_right',
  'grad_at_wrong',
  'grad_at_right',
  'grad_peak',
  'wrong_over_peak',
]);

/** Reads `<dir>/anatomy/`'s two CSV files when both are there (else undefined), checking their contract columns. */
export function readAnatomy(dir: string): AnatomyData | undefined {
  const folder = path.join(dir, ANATOMY_DIR);
  const files = [path.join(folder, AnatomyFiles.rows), path.join(folder, AnatomyFiles.summary)];
  if (!files.every((file) => fs.existsSync(file))) return undefined;
  const [rows, summary] = files.map((file, i) => {
    const table = parseCsvFile(fs.readFileSync(file, 'utf8'), file, 'rerun losslab anatomy with --out pointing there');
    const columns = i === 0 ? ANATOMY_COLUMNS : ANATOMY_SUMMARY_COLUMNS;
    const missing = columns.find((c) => !table.columns.includes(c));
    if (missing) throw new OutputError(`${file}: missing column "${missing}" (expected ${columns.join(', ')})`);
    return table.rows.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, NUMERIC.has(k) ? Number(v) : v])));
  });
  return { rows: rows as unknown as AnatomyRow[], summary: summary as unknown as AnatomySummary[] };
}
