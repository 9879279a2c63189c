// `losslab compare` end to end: read both sides, resolve tolerances, compare, print, write JUnit, choose the exit code.
import * as fs from 'fs';
import * as path from 'path';
import { ConfigError, ExitCode, OutputError } from '../errors';
import { checkOutputFolder, createOutputFolder } from '../files/output-folder';
import { quote } from '../util/quote';
import { writeFileAtomic } from '../results/atomic';
import type { Io } from '../io';
import { compareResults, type CompareResult, type CompareSide } from './compare';
import { formatCompareText } from './format';
import { formatCompareJson } from './json';
import { formatJunitXml } from './junit';
import { readResultsSource, readStep0PreactivationL2, type ResultsSource } from './read-results';
import { readToleranceFile, resolveTolerances } from './tolerance';

/** The command's options, as parsed from the command line. */
export interface CompareOptions {
  current: string;
  baseline: string;
  /** A YAML/JSON tolerance file. */
  tolerances?: string;
  /** `metric=kind:value[:direction]` flags, applied after the file. */
  tol?: readonly string[];
  /** Baseline standard deviations allowed on top of each tolerance for replicated runs. */
  k: number;
  json: boolean;
  /** Where to write JUnit XML. */
  junit?: string;
}

/** Runs the comparison and writes its output to `io`; resolves to 0 (pass) or 1 (regression). Bad input throws. */
export function runCompare(options: CompareOptions, io: Io): number {
  if (!Number.isFinite(options.k) || options.k < 0) {
    throw new ConfigError(`--k: expected a number >= 0 (baseline standard deviations allowed), received ${String(options.k)}`);
  }
  if (options.junit !== undefined) checkJunitPath(options.junit);
  const tolerances = resolveTolerances(options.tolerances ? readToleranceFile(options.tolerances) : {}, options.tol ?? []);
  const current = readResultsSource(options.current, 'current');
  const baseline = readResultsSource(options.baseline, 'baseline');
  const result = compareSources(current, baseline, tolerances, options.k);
  const exitCode = result.pass ? ExitCode.ok : ExitCode.runsFailed;
  if (options.junit !== undefined) {
    createOutputFolder(path.dirname(options.junit), '--junit');
    writeFileAtomic(options.junit, formatJunitXml(result));
  }
  io.out(options.json ? formatCompareJson(result, exitCode) : formatCompareText(result));
  return exitCode;
}

/** Loads step-0 gradients for the common runs when both sides are folders, then compares. */
export function compareSources(
  current: ResultsSource,
  baseline: ResultsSource,
  tolerances: Parameters<typeof compareResults>[2],
  k: number,
): CompareResult {
  const currentIds = new Set(current.rows.map((row) => row.runId));
  const commonIds = baseline.rows.map((row) => row.runId).filter((id) => currentIds.has(id));
  const withGradients = current.folder !== null && baseline.folder !== null;
  const side = (source: ResultsSource): CompareSide => ({
    source: source.source,
    rows: source.rows,
    gradients: withGradients ? loadGradients(source.folder!, commonIds) : null,
  });
  return compareResults(side(current), side(baseline), tolerances, k);
}

function loadGradients(folder: string, runIds: readonly string[]): Map<string, Map<number, number>> {
  const byRun = new Map<string, Map<number, number>>();
  for (const id of runIds) {
    const layers = readStep0PreactivationL2(folder, id);
    if (layers) byRun.set(id, layers);
  }
  return byRun;
}

/** `--junit` names a file to write: its folder must be usable (checkOutputFolder) and the path must not be a folder. */
function checkJunitPath(file: string): void {
  if (file.trim() === '')
    throw new ConfigError(`--junit: expected a file name, received an empty value (${quote(file)}) — e.g. --junit results/compare.xml.`);
  checkOutputFolder(path.dirname(file), '--junit');
  if (fs.statSync(file, { throwIfNoEntry: false })?.isDirectory()) {
    throw new OutputError(`--junit ${file}: is a folder; expected a file name for the JUnit XML, e.g. ${path.join(file, 'compare.xml')}.`);
  }
}
