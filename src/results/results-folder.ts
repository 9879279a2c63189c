// The one results-folder validator: every reader of losslab's own output (report, compare, merge, --resume) reads a
// results folder through it, so all of them accept and refuse the same folders, with the same ResultsError messages.
import * as fs from 'fs';
import * as path from 'path';
import type { z } from 'zod';
import { formatPath, problemsFromIssues } from '../config/issues';
import { ReferenceSchema } from '../config/schema';
import { ResultsError } from '../errors';
import { parseJson } from '../files/parse-json';
import { readTextFile } from '../files/read-file';
import { parameterLayerKinds } from '../models/layers';
import { quote } from '../util/quote';
import {
  ExperimentRecordSchema,
  Files,
  isSafeRunId,
  ManifestSchema,
  RUN_ID_PATTERN,
  RUN_STATUSES,
  SUMMARY_CELL_TYPES,
  type CellType,
  type ExperimentRecord,
  type Manifest,
  type SummaryColumn,
} from './contract';
import { CsvSyntaxError, parseCsv } from './csv';

/** The three contract files of a results folder. */
export type ContractFile = 'experiment' | 'manifest' | 'summary';
const FILE_NAMES: Record<ContractFile, string> = { experiment: Files.experiment, manifest: Files.manifest, summary: Files.summary };
const CONTRACT_FILES = `${Files.experiment}, ${Files.manifest}, ${Files.summary} and ${Files.runsDir}/<run id>/`;

/** A CSV file read back and checked: its columns in file order and its rows keyed by column. */
export interface ResultsTable {
  file: string;
  columns: string[];
  rows: Record<string, string>[];
}

/** What a reader needs of a results folder. */
export interface ReadResultsOptions {
  /** Contract files that must be present. The others are read and checked when present, and undefined when not. */
  require: readonly ContractFile[];
  /** Which contract files to read (default: every one present); the others are not opened. */
  read?: readonly ContractFile[];
  /** The summary.csv columns the reader reads: a summary.csv without one of them is refused; others may be missing. */
  summaryColumns: readonly SummaryColumn[];
  /** What the user can do, appended to every message (e.g. --resume's "rerun without --resume …"). */
  hint?: string;
}

/** A results folder whose present files are each well-formed and agree with each other. */
export interface ResultsFolder {
  dir: string;
  experiment?: ExperimentRecord;
  /** experiment.json's exact text (merge copies it byte for byte). */
  experimentText?: string;
  manifest?: Manifest;
  summary?: ResultsTable;
}

/**
 * Reads and checks the results folder `dir`:
 * - the folder is a folder, and the required contract files exist (read by the guarded reader: regular files, size
 *   caps, UTF-8);
 * - experiment.json and manifest.json have the contract's shape (src/results/contract.ts), experiment.json's
 *   `reference` the config schema's; run ids are safe (RUN_ID_PATTERN) and unique;
 * - summary.csv parses (csv-parse), has the columns the reader reads, and every cell of a contract column has its type;
 * - the files agree: one experiment hash; manifest runs and summary rows name runs of experiment.json, with the same
 *   name, seed and config hash; runs/ and runs/<id> are real folders (not links or files).
 * Every problem is a ResultsError (exit 2) naming the file, the key or row, what was expected and what was found.
 */
export function readResultsFolder(dir: string, options: ReadResultsOptions): ResultsFolder {
  const hint = options.hint ? ` — ${options.hint}` : '';
  const fail = (where: string, problem: string) => new ResultsError(withHint(`${where}: ${problem}`, hint));
  const stat = fs.statSync(dir, { throwIfNoEntry: false });
  if (!stat) throw fail(dir, 'no such folder (expected a results folder written by "losslab run")');
  if (!stat.isDirectory()) throw fail(dir, 'not a folder (expected a results folder written by "losslab run")');
  const fileOf = (name: ContractFile) => path.join(dir, FILE_NAMES[name]);
  const present = (Object.keys(FILE_NAMES) as ContractFile[]).filter(
    (name) => (options.read ?? [name]).includes(name) && fs.lstatSync(fileOf(name), { throwIfNoEntry: false }),
  );
  if (present.length === 0 && options.require.length > 0) {
    throw fail(dir, `not a results folder: it has none of ${Object.values(FILE_NAMES).join(', ')} (a results folder holds ${CONTRACT_FILES})`);
  }
  for (const name of options.require) {
    if (!present.includes(name)) throw fail(fileOf(name), `file is missing (a results folder holds ${CONTRACT_FILES})`);
  }
  const folder: ResultsFolder = { dir };
  if (present.includes('experiment')) {
    const file = fileOf('experiment');
    folder.experimentText = readText(file, hint);
    folder.experiment = readExperimentRecord(folder.experimentText, file, hint);
  }
  if (present.includes('manifest')) {
    const file = fileOf('manifest');
    folder.manifest = checkShape(ManifestSchema, parseJsonText(readText(file, hint), file, hint), file, hint);
  }
  if (present.includes('summary')) folder.summary = readSummaryCsv(fileOf('summary'), options.summaryColumns, options.hint);
  checkAgreement(folder, fail);
  checkRunsFolder(folder, fail);
  return folder;
}

/**
 * Reads a summary.csv (in a results folder, or given on its own to `compare`): parsed by csv-parse, the columns in
 * `columns` present, every contract column's cells typed (SUMMARY_CELL_TYPES), run ids safe and unique.
 */
export function readSummaryCsv(file: string, columns: readonly SummaryColumn[], hintText?: string): ResultsTable {
  const hint = hintText ? ` — ${hintText}` : '';
  const table = readResultsCsv(file, columns, SUMMARY_CELL_TYPES, hintText);
  const seen = new Map<string, number>();
  table.rows.forEach((row, index) => {
    const id = row.run_id;
    if (id === undefined) return;
    const previous = seen.get(id);
    if (previous !== undefined) throw new ResultsError(`${file}: row ${index + 2}: run_id ${quote(id)} is also in row ${previous + 2}${hint}`);
    seen.set(id, index);
  });
  return table;
}

/**
 * Reads a results CSV (summary.csv, metrics.csv, gradients.csv): the guarded reader, csv-parse, the `required`
 * columns present, and each cell of a column in `types` of that type. `keep` drops rows before they are checked
 * and kept (the report does not need gradients.csv's bias rows).
 */
export function readResultsCsv(
  file: string,
  required: readonly string[],
  types: Readonly<Record<string, CellType>>,
  hintText?: string,
  keep?: (row: Record<string, string>) => boolean,
): ResultsTable {
  const hint = hintText ? ` — ${hintText}` : '';
  return parseResultsCsv(readText(file, hint, 'resultsCsv'), file, required, types, hintText, keep);
}

/** readResultsCsv of text already read (`file` names it in messages): --resume checks a prefix of metrics.csv. */
export function parseResultsCsv(
  text: string,
  file: string,
  required: readonly string[],
  types: Readonly<Record<string, CellType>>,
  hintText?: string,
  keep?: (row: Record<string, string>) => boolean,
): ResultsTable {
  const hint = hintText ? ` — ${hintText}` : '';
  let table;
  try {
    table = parseCsv(text);
  } catch (error) {
    if (!(error instanceof CsvSyntaxError)) throw error;
    throw new ResultsError(`${file}:${error.line}: malformed CSV: ${error.reason}${hint}`);
  }
  if (table.columns.length === 0 && required.length > 0) {
    throw new ResultsError(`${file}: empty file, expected a header row with ${required.join(', ')}${hint}`);
  }
  const missing = required.filter((column) => !table.columns.includes(column));
  if (missing.length > 0) {
    throw new ResultsError(
      `${file}: missing column${missing.length > 1 ? 's' : ''} ${missing.map((c) => `"${c}"`).join(', ')} ` +
        `(the columns read here; src/results/contract.ts)${hint}`,
    );
  }
  const typed = table.columns.filter((column) => column in types);
  for (const [index, row] of table.rows.entries()) {
    for (const column of typed) {
      const problem = cellProblem(types[column], row[column]);
      if (problem) throw new ResultsError(`${file}: row ${index + 2}, column ${column}: expected ${problem}, received ${quote(row[column])}${hint}`);
    }
  }
  return { file, columns: table.columns, rows: keep ? table.rows.filter(keep) : table.rows };
}

/** gradients.csv's layer_kind values: the kinds the layer registry gives its parameter layers. */
const PARAMETER_LAYER_KINDS: readonly string[] = parameterLayerKinds();

/** A number as losslab writes it (NaN and ±Infinity from a diverged run included); integers of counts. */
const NUMBER_CELL = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$|^[-+]?Infinity$|^NaN$/;
const COUNT_CELL = /^\d+$/;

/** What a cell of `type` should have been, or undefined when `cell` is one. Empty cells are allowed but for ids and statuses. */
function cellProblem(type: CellType, cell: string): string | undefined {
  switch (type) {
    case 'runId':
      return isSafeRunId(cell) ? undefined : 'a run id of letters, digits, ".", "_" and "-" (no "/" or "..")';
    case 'status':
      return (RUN_STATUSES as readonly string[]).includes(cell) ? undefined : `a run status (${RUN_STATUSES.join(', ')})`;
    case 'count':
      return cell === '' || COUNT_CELL.test(cell) ? undefined : 'a whole number >= 0 or an empty cell';
    case 'number':
      return cell === '' || NUMBER_CELL.test(cell) ? undefined : 'a number or an empty cell';
    case 'layerKind':
      return PARAMETER_LAYER_KINDS.includes(cell) ? undefined : `a kind of layer with parameters (${PARAMETER_LAYER_KINDS.join(', ')})`;
    case 'text':
      return undefined;
  }
}

/** `message` with the hint (" — what to do") appended, dropping the sentence's own final period first. */
function withHint(message: string, hint: string): string {
  return hint ? `${message.replace(/\.$/, '')}${hint}` : message;
}

function readText(file: string, hint: string, kind: 'resultsJson' | 'resultsCsv' = 'resultsJson'): string {
  try {
    return readTextFile(file, kind);
  } catch (error) {
    if (error instanceof ResultsError && hint) throw new ResultsError(withHint(error.message, hint));
    throw error;
  }
}

function parseJsonText(text: string, file: string, hint: string): unknown {
  return parseJson(text, file, (message) => new ResultsError(`${message}${hint}`));
}

/** `data` checked against `schema`; the first problems become one ResultsError naming the file and key paths. */
function checkShape<T extends z.ZodType>(schema: T, data: unknown, file: string, hint: string, prefix: PropertyKey[] = []): z.output<T> {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new ResultsError(`${file}: expected a JSON object, received ${data === null ? 'null' : Array.isArray(data) ? 'a list' : typeof data}${hint}`);
  }
  const parsed = schema.safeParse(data, { reportInput: true });
  if (parsed.success) return parsed.data;
  const problems = problemsFromIssues(parsed.error.issues, schema, prefix);
  const shown = problems.slice(0, 5).map((p) => `${file}: ${formatPath(p.path) || '(top level)'}: ${p.message}`);
  if (problems.length > 5) shown.push(`… and ${problems.length - 5} more problems in ${file}`);
  throw new ResultsError(withHint(shown.join('\n'), hint));
}

/** experiment.json: its shape, its `reference` by the config schema, and unique run ids. */
function readExperimentRecord(text: string, file: string, hint: string): ExperimentRecord {
  const record = checkShape(ExperimentRecordSchema, parseJsonText(text, file, hint), file, hint);
  if (record.reference !== undefined && record.reference !== null) checkShape(ReferenceSchema, record.reference, file, hint, ['reference']);
  const seen = new Map<string, number>();
  record.runs.forEach((run, index) => {
    const previous = seen.get(run.id);
    if (previous !== undefined) throw new ResultsError(`${file}: runs[${index}].id: run id ${quote(run.id)} is also runs[${previous}].id${hint}`);
    seen.set(run.id, index);
  });
  return record;
}

/** The files of one folder describe one experiment and the same runs. */
function checkAgreement(folder: ResultsFolder, fail: (where: string, problem: string) => ResultsError): void {
  const { experiment, manifest, summary, dir } = folder;
  const experimentFile = path.join(dir, Files.experiment);
  const manifestFile = path.join(dir, Files.manifest);
  const runs = experiment ? new Map(experiment.runs.map((run) => [run.id, run])) : undefined;
  if (experiment && manifest) {
    if (manifest.experimentHash !== experiment.hash) {
      throw fail(dir, `manifest.json has experiment hash ${quote(manifest.experimentHash)} but experiment.json has ${quote(experiment.hash)}; the folder is inconsistent`);
    }
    for (const id of Object.keys(manifest.runs)) {
      if (!runs!.has(id)) throw fail(manifestFile, `run ${quote(id)} is not a run of ${experimentFile}; the folder is inconsistent`);
    }
  }
  if (!summary) return;
  summary.rows.forEach((row, index) => {
    const id = row.run_id;
    if (id === undefined) return;
    const where = `${summary.file}: row ${index + 2}`;
    if (runs) {
      const run = runs.get(id);
      if (!run) throw fail(where, `run ${quote(id)} is not a run of ${experimentFile}; the folder is inconsistent`);
      const disagree = (column: string, cell: string, recorded: string) =>
        fail(where, `run ${quote(id)} has ${column} ${quote(cell)} but experiment.json has ${quote(recorded)}; the folder is inconsistent`);
      if (row.name !== undefined && row.name !== run.name) throw disagree('name', row.name, run.name);
      if (row.seed !== undefined && row.seed !== '' && row.seed !== String(run.seed)) throw disagree('seed', row.seed, String(run.seed));
      if (row.config_hash && row.config_hash !== run.configHash) throw disagree('config_hash', row.config_hash, run.configHash);
    } else if (manifest && !(id in manifest.runs)) {
      throw fail(where, `run ${quote(id)} is not in ${manifestFile}; the folder is inconsistent`);
    }
  });
}

/** runs/ and runs/<id> of the folder's runs are real folders: never a link that would lead reads or copies elsewhere. */
function checkRunsFolder(folder: ResultsFolder, fail: (where: string, problem: string) => ResultsError): void {
  const runsDir = path.join(folder.dir, Files.runsDir);
  const stat = fs.lstatSync(runsDir, { throwIfNoEntry: false });
  if (!stat) return;
  if (!stat.isDirectory()) throw fail(runsDir, `expected a folder of run folders, found ${kindOf(stat)}`);
  const ids = new Set([
    ...(folder.experiment?.runs.map((run) => run.id) ?? []),
    ...Object.keys(folder.manifest?.runs ?? {}),
    ...(folder.summary?.rows.map((row) => row.run_id).filter((id) => id !== undefined) ?? []),
  ]);
  for (const id of ids) {
    const runDir = path.join(runsDir, id);
    const entry = fs.lstatSync(runDir, { throwIfNoEntry: false });
    if (entry && !entry.isDirectory()) throw fail(runDir, `expected the run's folder, found ${kindOf(entry)}`);
  }
}

/** Most entries a run folder may hold, and how deep, before checkRunFolderTree gives up (model/, checkpoint/ are shallow). */
const RUN_FOLDER_LIMITS = { entries: 10000, depth: 4 };

/**
 * Checks that everything under runs/<id> is a folder or a regular file, before merge copies it: a symbolic link would
 * be copied as a link pointing anywhere, and a FIFO would block the copy. Bounded in entries and depth.
 */
export function checkRunFolderTree(folder: string, runId: string): void {
  if (!isSafeRunId(runId)) throw new ResultsError(`${folder}: run id ${quote(runId)} does not match ${RUN_ID_PATTERN}`);
  let entries = 0;
  const visit = (dir: string, depth: number) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (++entries > RUN_FOLDER_LIMITS.entries) throw new ResultsError(`${path.join(folder, Files.runsDir, runId)}: more than ${RUN_FOLDER_LIMITS.entries} entries; not a run folder losslab wrote`);
      if (entry.isDirectory()) {
        if (depth >= RUN_FOLDER_LIMITS.depth) throw new ResultsError(`${full}: folders nested deeper than a run folder losslab writes`);
        visit(full, depth + 1);
      } else if (!entry.isFile()) {
        throw new ResultsError(`${full}: expected a regular file or folder in a run folder, found ${kindOf(fs.lstatSync(full))}`);
      }
    }
  };
  const runDir = path.join(folder, Files.runsDir, runId);
  if (fs.lstatSync(runDir, { throwIfNoEntry: false })?.isDirectory()) visit(runDir, 1);
}

function kindOf(stat: fs.Stats): string {
  if (stat.isSymbolicLink()) return 'a symbolic link';
  if (stat.isFile()) return 'a file';
  if (stat.isDirectory()) return 'a folder';
  if (stat.isFIFO()) return 'a named pipe (FIFO)';
  if (stat.isSocket()) return 'a socket';
  return 'a device';
}
