// The results folder of an experiment: refuse another experiment's folder, check it is writable, write its files.
import * as fs from 'fs';
import * as path from 'path';
import type { Experiment } from '../config/experiment';
import { DataError, OutputError } from '../errors';
import { checkOutputFolder, createOutputFolder } from '../files/output-folder';
import { writeFileAtomic } from '../results/atomic';
import { Files, SUMMARY_COLUMNS, type ExperimentRecord, type Manifest, type SummaryRow } from '../results/contract';
import { toCsv } from '../results/csv';
import { hasRunsMapping, parseCsvFile, parseJsonFile } from '../results/read-back';

/** experiment.json for `experiment`: the resolved experiment with every run listed. */
export function experimentRecord(experiment: Experiment): ExperimentRecord {
  return {
    name: experiment.name,
    description: experiment.description,
    source: experiment.source,
    hash: experiment.hash,
    dataset: experiment.dataset,
    gridKeys: experiment.gridKeys,
    reference: experiment.reference,
    report: experiment.report,
    runs: experiment.runs.map((r) => ({
      id: r.id,
      name: r.name,
      seed: r.seed,
      configHash: r.configHash,
      gridValues: r.gridValues,
      config: r.config,
    })),
  };
}

/** What planOutputFolder found, and the one step that changes the folder. */
export interface OutputFolderPlan {
  /** The previous manifest of the same experiment, with --resume. */
  manifest?: Manifest;
  /** The previous summary.csv rows by run id, with --resume (empty otherwise). */
  summary: Map<string, Record<string, string>>;
  /**
   * Creates the folder, and with --force over another experiment's results removes them. Call it once every check
   * that can fail (experiment file, backend, dataset) has passed: until then nothing on disk has changed.
   */
  claim(): void;
}

/**
 * Checks `dir` for `experiment`, writing nothing: it must be usable as an output folder (checkOutputFolder); a
 * folder holding a different experiment is refused unless `force`; with --resume the previous manifest and summary
 * are read back and checked. The returned plan's claim() makes the changes.
 */
export function planOutputFolder(dir: string, experiment: Experiment, options: { force: boolean; resume: boolean }): OutputFolderPlan {
  checkOutputFolder(dir);
  const experimentFile = path.join(dir, Files.experiment);
  let previous: ExperimentRecord | undefined;
  let replace = false;
  if (fs.existsSync(experimentFile)) {
    try {
      previous = JSON.parse(fs.readFileSync(experimentFile, 'utf8')) as ExperimentRecord;
    } catch {
      previous = undefined;
    }
    const same = previous?.hash === experiment.hash;
    if (!same && !options.force) {
      throw new OutputError(
        `${dir}: the folder holds results of ${previous ? `experiment "${previous.name}" (hash ${previous.hash})` : 'an unreadable experiment'}, not "${experiment.name}" (hash ${experiment.hash}) — use --out to write elsewhere, or --force to replace them.`,
      );
    }
    if (!same) {
      replace = true;
      previous = undefined;
    }
  }
  const claim = () => {
    createOutputFolder(dir);
    if (replace) for (const name of REPLACED_BY_FORCE) fs.rmSync(path.join(dir, name), { recursive: true, force: true });
  };
  if (!previous || !options.resume) return { summary: new Map(), claim };
  const manifestFile = path.join(dir, Files.manifest);
  const summaryFile = path.join(dir, Files.summary);
  // --resume trusts these files to say which runs are done; unreadable ones stop it before anything is written.
  const hint = 'rerun without --resume to train every run again, or with --force to replace the folder';
  let manifest: Manifest | undefined;
  if (fs.existsSync(manifestFile)) {
    manifest = parseJsonFile(fs.readFileSync(manifestFile, 'utf8'), manifestFile, hint) as Manifest;
    if (!hasRunsMapping(manifest))
      throw new DataError(`${manifestFile}: expected a manifest with a "runs" mapping (src/results/contract.ts) — ${hint}`);
  }
  const summary = new Map<string, Record<string, string>>();
  if (fs.existsSync(summaryFile)) {
    for (const row of parseCsvFile(fs.readFileSync(summaryFile, 'utf8'), summaryFile, hint).rows) summary.set(row.run_id, row);
  }
  return { manifest, summary, claim };
}

/** What --force removes from a folder holding another experiment's results (the contract files and run folders). */
const REPLACED_BY_FORCE = [Files.runsDir, Files.summary, Files.manifest, Files.experiment];

export function writeManifest(dir: string, manifest: Manifest): void {
  writeFileAtomic(path.join(dir, Files.manifest), `${JSON.stringify(manifest, null, 2)}\n`);
}

export function writeExperimentRecord(dir: string, record: ExperimentRecord): void {
  writeFileAtomic(path.join(dir, Files.experiment), `${JSON.stringify(record, null, 2)}\n`);
}

/** Rewrites summary.csv with the rows of the runs in `order` that have one. */
export function writeSummary(dir: string, order: readonly string[], rows: Map<string, SummaryRow | Record<string, string>>): void {
  const present = order.filter((id) => rows.has(id)).map((id) => rows.get(id)!);
  writeFileAtomic(path.join(dir, Files.summary), toCsv(SUMMARY_COLUMNS, present));
}
