// `losslab merge` end to end: read the shard folders, plan, write, and report what was merged.
import type { Io } from '../io';
import { ExitCode } from '../errors';
import { checkDistinctShards, checkOutFolder, planMerge, writeMerge } from './merge';
import { readShardFolder } from './read-shard';

/** The command's options. */
export interface MergeOptions {
  dirs: readonly string[];
  out: string;
  allowMissing: boolean;
}

/** Merges the shards into `out` and prints one line; bad input throws a LosslabError (exit 2). */
export function runMerge(options: MergeOptions, io: Io): number {
  checkDistinctShards(options.dirs);
  checkOutFolder(options.out, options.dirs);
  const shards = options.dirs.map(readShardFolder);
  const plan = planMerge(shards, options.allowMissing);
  writeMerge(plan, options.out);
  const total = Object.keys(plan.manifest.runs).length;
  const merged = total - plan.missing.length;
  const missing = plan.missing.length > 0 ? `; ${plan.missing.length} missing, recorded as pending: ${plan.missing.join(', ')}` : '';
  io.out(`merged ${shards.length} shard${shards.length === 1 ? '' : 's'} (${merged} of ${total} runs) into ${options.out}${missing}\n`);
  return ExitCode.ok;
}
