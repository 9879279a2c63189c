// Reads a results folder through the output-file contract only (experiment.json, manifest.json, summary.csv, runs/<id>/).
import * as fs from 'fs';
import * as path from 'path';
import { readAnatomy, type AnatomyData } from './anatomy-read';
import {
  Files,
  GRADIENT_CELL_TYPES,
  METRICS_CELL_TYPES,
  REQUIRED_METRICS_COLUMNS,
  REQUIRED_SUMMARY_COLUMNS,
  type CellType,
  type ExperimentRecord,
  type GradientColumn,
  type Manifest,
} from '../results/contract';
import { readResultsCsv, readResultsFolder, type ResultsFolder } from '../results/results-folder';

/** gradients.csv columns the report reads (layer_kind is read when present: files written before it are MLPs). */
export const REQUIRED_GRADIENT_COLUMNS = [
  'step',
  'epoch',
  'layer',
  'tensor',
  'l2',
  'saturated_fraction',
] as const satisfies readonly GradientColumn[];

/** One row of metrics.csv as numbers (empty cells become NaN). */
export interface EpochMetrics {
  epoch: number;
  step: number;
  trainLoss: number;
  testLoss: number;
  testAccuracy: number;
}

/** One row of gradients.csv as numbers; `saturatedFraction` is NaN where the cell is empty. */
export interface GradientPoint {
  step: number;
  epoch: number;
  layer: number;
  /** dense or conv2d (dense where the file predates the layer_kind column). */
  kind: string;
  tensor: string;
  l2: number;
  saturatedFraction: number;
}

/** One run as the report sees it: its summary.csv row and, when present, its per-epoch and per-step files. */
export interface RunData {
  id: string;
  name: string;
  seed: number;
  status: string;
  /** The summary.csv row, keyed by column. */
  summary: Record<string, string>;
  /** metrics.csv rows in file order; undefined when the file is absent. */
  metrics: EpochMetrics[] | undefined;
  /** gradients.csv kernel and pre-activation rows in file order (bias rows are not needed); undefined when absent. */
  gradients: GradientPoint[] | undefined;
}

/** Everything the report is built from. */
export interface ResultsData {
  dir: string;
  experiment: ExperimentRecord;
  manifest: Manifest;
  /** summary.csv columns, in file order. */
  summaryColumns: string[];
  /** One entry per summary.csv row, in file order. */
  runs: RunData[];
  /** Things a reader should know (missing per-run files); shown in the report. */
  warnings: string[];
  /** `losslab anatomy` files in `<dir>/anatomy/`, when there are any. */
  anatomy?: AnatomyData;
}

/**
 * Loads the results folder `dir` through the results-folder validator (readResultsFolder: every contract file
 * present, well-formed and in agreement; the summary columns of REQUIRED_SUMMARY_COLUMNS). A run's metrics.csv and
 * gradients.csv are read when present (checked the same way) and left out with a warning when absent.
 * Every problem is a ResultsError (exit 2).
 */
export function loadResults(dir: string): ResultsData {
  const folder = readResultsFolder(dir, { require: ['experiment', 'manifest', 'summary'], summaryColumns: REQUIRED_SUMMARY_COLUMNS });
  const { experiment, manifest, summary } = folder as Required<ResultsFolder>;
  const warnings: string[] = [];
  const runs = summary.rows.map((row): RunData => {
    const runDir = path.join(dir, Files.runsDir, row.run_id);
    const metrics = readOptional(
      path.join(runDir, Files.metrics),
      REQUIRED_METRICS_COLUMNS,
      METRICS_CELL_TYPES,
      'curves and epoch counts',
      warnings,
      toEpochMetrics,
    );
    // Bias rows are a third of gradients.csv and no table or plot uses them; they are dropped as they are read.
    const gradients = readOptional(
      path.join(runDir, Files.gradients),
      REQUIRED_GRADIENT_COLUMNS,
      GRADIENT_CELL_TYPES,
      'gradient tables and plots',
      warnings,
      toGradientPoint,
      (row) => row.tensor !== 'bias',
    );
    return { id: row.run_id, name: row.name, seed: Number(row.seed), status: row.status, summary: row, metrics, gradients };
  });
  return { dir, experiment, manifest, summaryColumns: summary.columns, runs, warnings, anatomy: readAnatomy(dir) };
}

/** Reads a per-run CSV if it exists (a failed or pending run may have none), through the validator. */
function readOptional<T>(
  file: string,
  columns: readonly string[],
  types: Readonly<Record<string, CellType>>,
  usedFor: string,
  warnings: string[],
  convert: (row: Record<string, string>) => T,
  keep?: (row: Record<string, string>) => boolean,
): T[] | undefined {
  if (!fs.lstatSync(file, { throwIfNoEntry: false })) {
    warnings.push(`${file} is missing; the ${usedFor} leave this run out.`);
    return undefined;
  }
  return readResultsCsv(file, columns, types, undefined, keep).rows.map(convert);
}

function toEpochMetrics(row: Record<string, string>): EpochMetrics {
  return {
    epoch: num(row.epoch),
    step: num(row.step),
    trainLoss: num(row.train_loss),
    testLoss: num(row.test_loss),
    testAccuracy: num(row.test_accuracy),
  };
}

function toGradientPoint(row: Record<string, string>): GradientPoint {
  return {
    step: num(row.step),
    epoch: num(row.epoch),
    layer: num(row.layer),
    kind: row.layer_kind || 'dense',
    tensor: row.tensor,
    l2: num(row.l2),
    saturatedFraction: num(row.saturated_fraction),
  };
}

/** A CSV cell as a number; the empty cell is NaN (not 0, which Number('') would give). */
export function num(cell: string | undefined): number {
  return cell === undefined || cell.trim() === '' ? NaN : Number(cell);
}
