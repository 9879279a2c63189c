// The results folder of an experiment: refuse another experiment's folder, check it is writable, write its files.
import * as fs from 'fs';
import * as path from 'path';
import type { Experiment } from '../config/experiment';
import { DataError, OutputError } from '../errors';
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

/**
 * Prepares `dir` for `experiment`. A folder holding a different experiment is refused unless `force`, which
 * clears its results; a folder that cannot be written is refused. Returns the previous manifest and summary
 * rows when they belong to the same experiment (for --resume).
 */
export function prepareOutputFolder(
  dir: string,
  experiment: Experiment,
  options: { force: boolean; resume: boolean },
): { manifest?: Manifest; summary: Map<string, Record<string, string>> } {
  const experimentFile = path.join(dir, Files.experiment);
  let previous: ExperimentRecord | undefined;
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
      for (const name of [Files.runsDir, Files.summary, Files.manifest, Files.experiment])
        fs.rmSync(path.join(dir, name), { recursive: true, force: true });
      previous = undefined;
    }
  }
  checkWritable(dir);
  if (!previous || !options.resume) return { summary: new Map() };
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
  return { manifest, summary };
}

function checkWritable(dir: string): void {
  try {
    fs.mkdirSync(dir, { recursive: true });
    const probe = path.join(dir, `.losslab-write-check-${process.pid}`);
    fs.writeFileSync(probe, '');
    fs.rmSync(probe);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new OutputError(`${dir}: the output folder is not writable (${code ?? (error as Error).message}) — choose another with --out.`);
  }
}

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
