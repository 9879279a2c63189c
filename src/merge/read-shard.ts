// Reads one shard's results folder for `losslab merge` through the results-folder validator.
import { ResultsError } from '../errors';
import type { ExperimentRecord, Manifest } from '../results/contract';
import { readResultsFolder, type ResultsTable } from '../results/results-folder';

/** One shard folder, read and checked. */
export interface ShardFolder {
  /** The folder as given on the command line. */
  dir: string;
  /** experiment.json's text, copied byte for byte into the merged folder. */
  experimentText: string;
  experiment: ExperimentRecord;
  manifest: Manifest;
  summary: ResultsTable;
}

/**
 * Reads a shard folder with readResultsFolder: all three contract files present, well-formed and in agreement (safe,
 * unique run ids; one experiment hash; rows and manifest entries naming runs of experiment.json). merge reads only
 * summary.csv's run_id; the other columns are copied as they are. Every problem is a ResultsError (exit 2).
 */
export function readShardFolder(dir: string): ShardFolder {
  const shardFolder = 'the --out folder of `losslab run --shard i/N`';
  let folder;
  try {
    folder = readResultsFolder(dir, { require: ['experiment', 'manifest', 'summary'], summaryColumns: ['run_id'] });
  } catch (error) {
    // Where the folder itself is wrong, say what a shard folder is.
    if (!(error instanceof ResultsError)) throw error;
    const message = error.message.replace('(expected a results folder written by "losslab run")', `(expected ${shardFolder})`);
    throw new ResultsError(/: (not a results folder|file is missing)/.test(message) ? `${message}; expected ${shardFolder}` : message);
  }
  return {
    dir,
    experimentText: folder.experimentText!,
    experiment: folder.experiment!,
    manifest: folder.manifest!,
    summary: folder.summary!,
  };
}
