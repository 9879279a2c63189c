// Reads what compare needs from a results folder or a summary.csv: the summary rows and step-0 preactivation gradients.
import * as fs from 'fs';
import * as path from 'path';
import { ResultsError } from '../errors';
import { Files, GRADIENT_CELL_TYPES, REQUIRED_SUMMARY_COLUMNS, type GradientColumn } from '../results/contract';
import { readResultsCsv, readResultsFolder, readSummaryCsv, type ResultsTable } from '../results/results-folder';
import { SUMMARY_METRICS, type SummaryMetric } from './tolerance';

/** The gradients.csv columns compare reads (the others may be missing). */
const GRADIENT_READ_COLUMNS = ['step', 'layer', 'tensor', 'l2'] as const satisfies readonly GradientColumn[];

/** One summary.csv row as compare sees it. */
export interface SummaryRecord {
  runId: string;
  name: string;
  status: string;
  /** The run's config hash (summary.csv's config_hash), where the file has that column. */
  configHash?: string;
  /** The backend that trained the run (summary.csv's optional `backend` column; '' when absent). */
  backend: string;
  /** Metric values; a missing key means an empty cell or a missing column. NaN/Infinity are kept (a diverged run). */
  metrics: Partial<Record<SummaryMetric, number>>;
}

/** One side of a comparison. */
export interface ResultsSource {
  /** The argument as given on the command line. */
  source: string;
  /** The results folder, or null when a summary.csv file was given (then gradients cannot be compared). */
  folder: string | null;
  /** The summary.csv that was read. */
  summaryFile: string;
  /** Rows in file order. */
  rows: SummaryRecord[];
}

/**
 * Reads a results folder or summary.csv given as `argument`; `role` ("current" / "baseline") names it in errors. A
 * folder goes through the results-folder validator: summary.csv must be there; experiment.json and manifest.json,
 * which a trimmed baseline may leave out, are checked when present.
 */
export function readResultsSource(argument: string, role: string): ResultsSource {
  const stat = fs.statSync(argument, { throwIfNoEntry: false });
  if (!stat) throw new ResultsError(`${role} "${argument}": no such file or folder (expected a results folder or a ${Files.summary})`);
  if (!stat.isDirectory()) {
    return { source: argument, folder: null, summaryFile: argument, rows: toRecords(readSummaryCsv(argument, REQUIRED_SUMMARY_COLUMNS)) };
  }
  const summaryFile = path.join(argument, Files.summary);
  if (!fs.lstatSync(summaryFile, { throwIfNoEntry: false })) {
    throw new ResultsError(`${role} "${argument}": no ${Files.summary} in this folder (expected ${summaryFile})`);
  }
  const folder = readResultsFolder(argument, { require: ['summary'], summaryColumns: REQUIRED_SUMMARY_COLUMNS });
  return { source: argument, folder: argument, summaryFile, rows: toRecords(folder.summary!) };
}

/** Rows as records; cells were typed by the validator, so every metric cell is a number or empty. */
function toRecords(table: ResultsTable): SummaryRecord[] {
  return table.rows.map((row) => {
    const metrics: Partial<Record<SummaryMetric, number>> = {};
    for (const metric of SUMMARY_METRICS) {
      const cell = row[metric];
      if (cell !== undefined && cell !== '') metrics[metric] = Number(cell);
    }
    return {
      runId: row.run_id,
      name: row.name,
      status: row.status,
      ...(row.config_hash ? { configHash: row.config_hash } : {}),
      backend: row.backend ?? '',
      metrics,
    };
  });
}

/**
 * The L2 norm of the preactivation gradient per layer at step 0 of one run, from runs/<id>/gradients.csv (checked by
 * the validator); undefined when the run has no gradients.csv.
 */
export function readStep0PreactivationL2(folder: string, runId: string): Map<number, number> | undefined {
  const file = path.join(folder, Files.runsDir, runId, Files.gradients);
  if (!fs.lstatSync(file, { throwIfNoEntry: false })) return undefined;
  const table = readResultsCsv(
    file,
    GRADIENT_READ_COLUMNS,
    GRADIENT_CELL_TYPES,
    undefined,
    (row) => row.step === '0' && row.tensor === 'preactivation',
  );
  const byLayer = new Map<number, number>();
  table.rows.forEach((row) => {
    if (row.layer === '' || row.l2 === '') {
      throw new ResultsError(
        `${file}: a step-0 preactivation row has an empty ${row.layer === '' ? 'layer' : 'l2'} cell; expected a number`,
      );
    }
    byLayer.set(Number(row.layer), Number(row.l2));
  });
  return byLayer;
}
