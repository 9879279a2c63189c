// Reads one shard's results folder for `losslab merge`: experiment.json, manifest.json and summary.csv, checked.
import * as fs from 'fs';
import * as path from 'path';
import { DataError, OutputError } from '../errors';
import { Files, type ExperimentRecord, type Manifest } from '../results/contract';
import type { CsvTable } from '../results/csv';
import { hasRunsMapping, parseCsvFile, parseJsonFile } from '../results/read-back';

/** One shard folder, read. */
export interface ShardFolder {
  /** The folder as given on the command line. */
  dir: string;
  /** experiment.json's text, copied byte for byte into the merged folder. */
  experimentText: string;
  experiment: ExperimentRecord;
  manifest: Manifest;
  summary: CsvTable;
}

/** Reads and checks a shard folder; throws OutputError when it is not a results folder, DataError for bad files. */
export function readShardFolder(dir: string): ShardFolder {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new OutputError(`${dir}: no such folder`);
  const missing = [Files.experiment, Files.manifest, Files.summary].filter((name) => !fs.existsSync(path.join(dir, name)));
  if (missing.length > 0) {
    throw new OutputError(
      `${dir}: not a results folder: no ${missing.join(', ')} (expected the --out folder of \`losslab run --shard i/N\`)`,
    );
  }
  const experimentFile = path.join(dir, Files.experiment);
  const experimentText = fs.readFileSync(experimentFile, 'utf8');
  const experiment = parseJsonFile(experimentText, experimentFile) as ExperimentRecord;
  if (
    typeof experiment?.hash !== 'string' ||
    !Array.isArray(experiment.runs) ||
    experiment.runs.some((run) => typeof run?.id !== 'string')
  ) {
    throw new DataError(
      `${experimentFile}: expected an experiment record with "hash" and "runs" (each with an "id"), see src/results/contract.ts`,
    );
  }
  const manifestFile = path.join(dir, Files.manifest);
  const manifest = parseJsonFile(fs.readFileSync(manifestFile, 'utf8'), manifestFile) as Manifest;
  if (!hasRunsMapping(manifest)) {
    throw new DataError(`${manifestFile}: expected a manifest with a "runs" mapping, see src/results/contract.ts`);
  }
  if (manifest.experimentHash !== experiment.hash) {
    throw new DataError(
      `${dir}: manifest.json has experiment hash ${String(manifest.experimentHash)} but experiment.json has ${experiment.hash}; the folder is inconsistent`,
    );
  }
  const summaryFile = path.join(dir, Files.summary);
  const summary = parseCsvFile(fs.readFileSync(summaryFile, 'utf8'), summaryFile);
  if (summary.columns.length > 0 && !summary.columns.includes('run_id')) {
    throw new DataError(`${summaryFile}: no run_id column (summary.csv columns: src/results/contract.ts SUMMARY_COLUMNS)`);
  }
  return { dir, experimentText, experiment, manifest, summary };
}
