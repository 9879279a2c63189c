// Reads a results folder through the output-file contract only (experiment.json, manifest.json, summary.csv, runs/<id>/).
import * as fs from 'fs';
import * as path from 'path';
import { ConfigError, OutputError } from '../errors';
import { parseCsv } from '../results/csv';
import { parseJsonFile } from '../results/read-back';
import { readAnatomy, type AnatomyData } from './anatomy-read';
import { Files, METRICS_COLUMNS, type ExperimentRecord, type ExperimentRunRecord, type Manifest } from '../results/contract';

/** summary.csv columns the report reads; a folder without them cannot be reported on. */
export const REQUIRED_SUMMARY_COLUMNS = [
  'run_id',
  'name',
  'seed',
  'status',
  'final_train_loss',
  'final_test_loss',
  'final_test_accuracy',
  'best_test_accuracy',
  'wall_s',
] as const;

/** gradients.csv columns the report reads (layer_kind is read when present: files written before it are MLPs). */
export const REQUIRED_GRADIENT_COLUMNS = ['step', 'epoch', 'layer', 'tensor', 'l2', 'saturated_fraction'] as const;

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

const CONTRACT_FILES = `${Files.experiment}, ${Files.manifest}, ${Files.summary} and ${Files.runsDir}/<run id>/`;

/**
 * Loads the results folder `dir`. Throws ConfigError when `dir` is not a folder, OutputError when it is not a
 * results folder or one of its contract files is missing or malformed.
 */
export function loadResults(dir: string): ResultsData {
  if (!fs.existsSync(dir)) {
    throw new ConfigError(`${dir}: no such folder (expected a results folder written by "losslab run")`);
  }
  if (!fs.statSync(dir).isDirectory()) {
    throw new ConfigError(`${dir}: not a folder (expected a results folder written by "losslab run")`);
  }
  const present = [Files.experiment, Files.manifest, Files.summary].filter((f) => fs.existsSync(path.join(dir, f)));
  if (present.length === 0) {
    throw new OutputError(
      `${dir}: not a results folder: it has none of ${Files.experiment}, ${Files.manifest}, ${Files.summary} ` +
        `(a results folder holds ${CONTRACT_FILES})`,
    );
  }
  for (const file of [Files.experiment, Files.manifest, Files.summary]) {
    if (!present.includes(file)) {
      throw new OutputError(`${path.join(dir, file)}: file is missing (a results folder holds ${CONTRACT_FILES})`);
    }
  }
  const experiment = readExperiment(path.join(dir, Files.experiment));
  const manifest = readJsonObject(path.join(dir, Files.manifest)) as unknown as Manifest;
  const summaryFile = path.join(dir, Files.summary);
  const summary = readCsv(summaryFile);
  for (const column of REQUIRED_SUMMARY_COLUMNS) {
    if (!summary.columns.includes(column)) {
      throw new OutputError(
        `${summaryFile}: missing column "${column}" (expected the contract columns ${REQUIRED_SUMMARY_COLUMNS.join(', ')}, …); ` +
          `received ${summary.columns.join(', ') || 'an empty file'}`,
      );
    }
  }
  const warnings: string[] = [];
  const runs = summary.rows.map((row): RunData => {
    const runDir = path.join(dir, Files.runsDir, row.run_id);
    const metrics = readOptional(path.join(runDir, Files.metrics), METRICS_COLUMNS, 'curves and epoch counts', warnings, toEpochMetrics);
    // Bias rows are a third of gradients.csv and no table or plot uses them; they are dropped as they are read.
    const gradients = readOptional(
      path.join(runDir, Files.gradients),
      REQUIRED_GRADIENT_COLUMNS,
      'gradient tables and plots',
      warnings,
      toGradientPoint,
      (row) => row.tensor !== 'bias',
    );
    return { id: row.run_id, name: row.name, seed: Number(row.seed), status: row.status, summary: row, metrics, gradients };
  });
  return { dir, experiment, manifest, summaryColumns: summary.columns, runs, warnings, anatomy: readAnatomy(dir) };
}

function readExperiment(file: string): ExperimentRecord {
  const record = readJsonObject(file);
  if (!Array.isArray(record.runs)) {
    throw new OutputError(`${file}: "runs" must be an array of runs; received ${describe(record.runs)}`);
  }
  const runs: unknown[] = record.runs;
  runs.forEach((run, index) => {
    const r = run as Partial<ExperimentRunRecord> | null;
    if (typeof r !== 'object' || r === null || typeof r.id !== 'string' || typeof r.name !== 'string') {
      throw new OutputError(`${file}: runs[${index}] must be an object with string "id" and "name"; received ${describe(run)}`);
    }
  });
  const gridKeys: unknown = record.gridKeys ?? [];
  if (!Array.isArray(gridKeys) || !gridKeys.every((k) => typeof k === 'string')) {
    throw new OutputError(`${file}: "gridKeys" must be an array of dotted keys; received ${describe(record.gridKeys)}`);
  }
  return { ...record, gridKeys } as unknown as ExperimentRecord;
}

function readJsonObject(file: string): Record<string, unknown> {
  const parsed = parseJsonFile(fs.readFileSync(file, 'utf8'), file);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new OutputError(`${file}: expected a JSON object; received ${describe(parsed)}`);
  }
  return parsed as Record<string, unknown>;
}

function readCsv(file: string) {
  try {
    return parseCsv(fs.readFileSync(file, 'utf8'), file);
  } catch (error) {
    throw new OutputError((error as Error).message.startsWith(file) ? (error as Error).message : `${file}: ${(error as Error).message}`);
  }
}

/** Reads a per-run CSV if it exists (a failed or pending run may have none), checking its contract columns. */
function readOptional<T>(
  file: string,
  columns: readonly string[],
  usedFor: string,
  warnings: string[],
  convert: (row: Record<string, string>) => T,
  keep: (row: Record<string, string>) => boolean = () => true,
): T[] | undefined {
  if (!fs.existsSync(file)) {
    warnings.push(`${file} is missing; the ${usedFor} leave this run out.`);
    return undefined;
  }
  const table = readCsv(file);
  const missing = columns.filter((c) => !table.columns.includes(c));
  if (missing.length > 0) {
    throw new OutputError(`${file}: missing column "${missing[0]}" (the report reads the columns ${columns.join(', ')})`);
  }
  return table.rows.filter(keep).map(convert);
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

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
