// The report's optional "Loss anatomy" section: the files `losslab anatomy --out <results>/anatomy` wrote, if any.
import * as fs from 'fs';
import * as path from 'path';
import { anatomySpec } from '../anatomy/chart';
import type { AnatomyRow, AnatomySummary } from '../anatomy/compute';
import { summaryTable } from '../anatomy/summary-table';
import { OutputError } from '../errors';
import { ANATOMY_COLUMNS, ANATOMY_DIR, ANATOMY_SUMMARY_COLUMNS, AnatomyFiles } from '../results/contract';
import { parseCsvFile } from '../results/read-back';
import type { ChartSpec } from './charts';
import type { ReportTable } from './table';

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

/** The section's table (tables/anatomy.csv) and plot (plots/anatomy.svg). */
export function anatomyBlocks(anatomy: AnatomyData): { table: ReportTable; chart: ChartSpec } {
  const { header, rows } = summaryTable(anatomy.summary);
  return {
    table: {
      name: 'anatomy',
      title: 'Loss anatomy',
      description:
        'One example, K = 10: the loss and maxₖ |∂L/∂zₖ| when confidently wrong (p_true = 0.01) and right (0.99). "Vanishes": the gradient, confidently wrong, is below 10% of its peak over p (the learning slowdown).',
      headers: header,
      align: header.map((_, i) => (i < 2 || i === header.length - 1 ? 'left' : 'right')),
      rows,
      groupColumns: 0,
      csvColumns: [...ANATOMY_SUMMARY_COLUMNS],
      csvRows: anatomy.summary as unknown as Record<string, unknown>[],
    },
    chart: {
      name: 'anatomy',
      title: 'Loss anatomy',
      caption:
        'The loss of one example and |∂L/∂z| at the logits against the output probability; one line per output:loss pair, log y scales from 1e-5.',
      spec: anatomySpec(anatomy.rows),
    },
  };
}
