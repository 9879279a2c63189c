// Reads what compare needs from a results folder or a summary.csv: the summary rows and step-0 preactivation gradients.
import * as fs from 'fs';
import * as path from 'path';
import { DataError } from '../errors';
import { Files, SUMMARY_COLUMNS } from '../results/contract';
import type { CsvTable } from '../results/csv';
import { parseCsvFile } from '../results/read-back';
import { SUMMARY_METRICS, type SummaryMetric } from './tolerance';

/** The contract's fixed summary columns; a summary.csv without any of them is malformed. */
const REQUIRED_SUMMARY_COLUMNS = SUMMARY_COLUMNS.slice(0, SUMMARY_COLUMNS.indexOf('wall_s') + 1);

/** gradients.csv columns compare reads; others (layer_kind, …) may come and go. */
const READ_GRADIENT_COLUMNS = ['step', 'layer', 'tensor', 'l2'] as const;

/** One summary.csv row as compare sees it. */
export interface SummaryRecord {
  runId: string;
  name: string;
  status: string;
  /** The run's config hash (summary.csv's config_hash), where the file has that column. */
  configHash?: string;
  /** Metric values; a missing key means an empty cell. NaN/Infinity are kept (a diverged run). */
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

/** Reads a results folder or summary.csv given as `argument`; `role` ("current" / "baseline") names it in errors. */
export function readResultsSource(argument: string, role: string): ResultsSource {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(argument);
  } catch {
    throw new DataError(`${role} "${argument}": no such file or folder (expected a results folder or a ${Files.summary})`);
  }
  const folder = stat.isDirectory() ? argument : null;
  const summaryFile = folder === null ? argument : path.join(folder, Files.summary);
  if (folder !== null && !fs.existsSync(summaryFile)) {
    throw new DataError(`${role} "${argument}": no ${Files.summary} in this folder (expected ${summaryFile})`);
  }
  return { source: argument, folder, summaryFile, rows: readSummary(summaryFile) };
}

/** Parses and checks a summary.csv: contract columns present, run ids unique, metric cells numeric or empty. */
export function readSummary(file: string): SummaryRecord[] {
  const table = readCsvFile(file);
  if (table.columns.length === 0)
    throw new DataError(`${file}: empty file, expected a header row (${SUMMARY_COLUMNS.slice(0, 3).join(',')},...)`);
  const missing = REQUIRED_SUMMARY_COLUMNS.filter((column) => !table.columns.includes(column));
  if (missing.length > 0) {
    throw new DataError(
      `${file}: missing column${missing.length > 1 ? 's' : ''} ${missing.map((c) => `"${c}"`).join(', ')} (summary.csv columns: src/results/contract.ts SUMMARY_COLUMNS)`,
    );
  }
  const seen = new Set<string>();
  return table.rows.map((row, index) => {
    const runId = row.run_id;
    const where = `${file}: row ${index + 2}`;
    if (runId === '') throw new DataError(`${where}: empty run_id`);
    if (seen.has(runId)) throw new DataError(`${where}: run_id "${runId}" appears twice`);
    seen.add(runId);
    const metrics: Partial<Record<SummaryMetric, number>> = {};
    for (const metric of SUMMARY_METRICS) {
      const value = parseNumberCell(row[metric], `${where} (run "${runId}"), column ${metric}`);
      if (value !== undefined) metrics[metric] = value;
    }
    return { runId, name: row.name, status: row.status, ...(row.config_hash ? { configHash: row.config_hash } : {}), metrics };
  });
}

/**
 * The L2 norm of the preactivation gradient per layer at step 0 of one run, from runs/<id>/gradients.csv;
 * undefined when the run has no gradients.csv. Only the leading step-0 rows are parsed (the file is ordered by
 * step and can be large).
 */
export function readStep0PreactivationL2(folder: string, runId: string): Map<number, number> | undefined {
  const file = path.join(folder, Files.runsDir, runId, Files.gradients);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const headerEnd = text.indexOf('\n');
  let end = headerEnd < 0 ? text.length : headerEnd + 1;
  while (end < text.length && text.startsWith('0,', end)) {
    const lineEnd = text.indexOf('\n', end);
    end = lineEnd < 0 ? text.length : lineEnd + 1;
  }
  const table = parseCsvFile(text.slice(0, end), file);
  const missing = READ_GRADIENT_COLUMNS.filter((column) => !table.columns.includes(column));
  if (missing.length > 0 || table.columns[0] !== 'step') {
    throw new DataError(
      `${file}: expected step first and the columns ${READ_GRADIENT_COLUMNS.join(',')}, received ${table.columns.join(',')}`,
    );
  }
  const byLayer = new Map<number, number>();
  table.rows.forEach((row, index) => {
    if (row.step !== '0' || row.tensor !== 'preactivation') return;
    const where = `${file}: row ${index + 2}`;
    const layer = Number(row.layer);
    if (row.layer === '' || !Number.isInteger(layer) || layer < 0)
      throw new DataError(`${where}: column layer: expected an integer >= 0, received "${row.layer}"`);
    const l2 = parseNumberCell(row.l2, `${where}, column l2`);
    if (l2 === undefined) throw new DataError(`${where}: column l2: expected a number, received an empty cell`);
    byLayer.set(layer, l2);
  });
  return byLayer;
}

/** A numeric CSV cell: undefined when empty; NaN, Infinity and -Infinity are accepted as written by a diverged run. */
export function parseNumberCell(cell: string | undefined, where: string): number | undefined {
  if (cell === undefined || cell === '') return undefined;
  const value = Number(cell);
  if (Number.isNaN(value) && cell.trim() !== 'NaN') throw new DataError(`${where}: expected a number, received "${cell}"`);
  return value;
}

function readCsvFile(file: string): CsvTable {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new DataError(`${file}: cannot read the file`);
  }
  return parseCsvFile(text, file);
}
