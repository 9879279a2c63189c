// The results folder of an experiment: refuse another experiment's folder, check it is writable, write its files.
import * as fs from 'fs';
import * as path from 'path';
import type { Experiment } from '../config/experiment';
import { OutputError, ResultsError } from '../errors';
import { IMAGE_SHAPE, NUM_CLASSES } from '../data/dataset';
import { checkOutputFolder, createOutputFolder } from '../files/output-folder';
import { decodeText, readFileBytes } from '../files/read-file';
import { modelLayerSizes, variableShapes } from '../models/size';
import { CORRUPT_CHECKPOINT_HINT, readCheckpoint } from '../train/checkpoint';
import { writeFileAtomic } from '../results/atomic';
import {
  Files,
  METRICS_CELL_TYPES,
  REQUIRED_METRICS_COLUMNS,
  SUMMARY_COLUMNS,
  type ExperimentRecord,
  type Manifest,
  type SummaryRow,
} from '../results/contract';
import { toCsv } from '../results/csv';
import { parseResultsCsv, readResultsFolder } from '../results/results-folder';

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
  let previous: ExperimentRecord | undefined;
  let replace = false;
  if (fs.lstatSync(path.join(dir, Files.experiment), { throwIfNoEntry: false })) {
    let unreadable = '';
    try {
      // Whose results these are is experiment.json's to say; the other files matter only to --resume (below).
      previous = readResultsFolder(dir, { require: ['experiment'], read: ['experiment'], summaryColumns: [] }).experiment;
    } catch (error) {
      if (!(error instanceof ResultsError)) throw error;
      unreadable = error.message.replace(/\.$/, '');
    }
    const same = previous?.hash === experiment.hash;
    if (!same && !options.force) {
      const holder = previous
        ? `experiment "${previous.name}" (hash ${previous.hash})`
        : `an experiment that cannot be read back (${unreadable})`;
      throw new OutputError(
        `${dir}: the folder holds results of ${holder}, not "${experiment.name}" (hash ${experiment.hash}) — use --out to write elsewhere, or --force to replace them.`,
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
  // --resume trusts these files to say which runs are done; unreadable ones stop it before anything is written.
  const folder = readResultsFolder(dir, {
    require: ['experiment'],
    summaryColumns: ['run_id'],
    hint: 'rerun without --resume to train every run again, or with --force to replace the folder',
  });
  const summary = new Map((folder.summary?.rows ?? []).map((row) => [row.run_id, row]));
  if (folder.manifest) checkCheckpoints(dir, experiment, folder.manifest);
  return { manifest: folder.manifest, summary, claim };
}

/**
 * Every checkpoint --resume will continue from is read and checked before anything is written (readCheckpoint: its
 * header, the run's model shapes, its length), with the metrics.csv and gradients.csv it continues. A corrupt one
 * stops the command with exit 2 naming the file (docs/reliability.md): nothing is retrained or rewritten behind the
 * user's back, and deleting the run's checkpoint folder restarts just that run.
 */
function checkCheckpoints(dir: string, experiment: Experiment, manifest: Manifest): void {
  for (const run of experiment.runs) {
    const entry = manifest.runs[run.id];
    if (!entry || entry.status === 'complete' || entry.configHash !== run.configHash) continue;
    const runDir = path.join(dir, Files.runsDir, run.id);
    const file = path.join(runDir, Files.checkpoint, 'checkpoint.bin');
    if (!fs.lstatSync(file, { throwIfNoEntry: false })) continue;
    // The run's model (an MLP or a layer stack), sized without allocating it; validation has checked its layers fit.
    const layers = modelLayerSizes(run.config.model, IMAGE_SHAPE, NUM_CLASSES, { batchSize: run.config.batchSize, optimizerSlots: 0 });
    if (!layers) throw new Error(`checkCheckpoints: the layers of ${run.id} do not fit together, which validation refuses`);
    const { state } = readCheckpoint(file, variableShapes(layers)).header;
    for (const [name, bytes] of [
      [Files.metrics, state.metricsBytes],
      [Files.gradients, state.gradientsBytes],
    ] as const) {
      const rows = path.join(runDir, name);
      const stat = fs.lstatSync(rows, { throwIfNoEntry: false });
      const found = !stat
        ? 'the file is missing'
        : !stat.isFile()
          ? 'it is not a regular file'
          : stat.size < bytes
            ? `it holds ${stat.size} bytes`
            : '';
      if (found)
        throw new ResultsError(`${file}: the checkpoint continues ${rows} from byte ${bytes}, but ${found} — ${CORRUPT_CHECKPOINT_HINT}`);
    }
    // The epochs before the checkpoint are read back into the summary row: they must parse (what follows is cut off).
    const metricsFile = path.join(runDir, Files.metrics);
    const kept = readFileBytes(metricsFile, 'resultsCsv').subarray(0, state.metricsBytes);
    parseResultsCsv(
      decodeText(kept, metricsFile, 'resultsCsv'),
      metricsFile,
      REQUIRED_METRICS_COLUMNS,
      METRICS_CELL_TYPES,
      CORRUPT_CHECKPOINT_HINT,
    );
  }
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
