// Sharding a sweep across machines: `--shard i/N` parsing and the deterministic split of runs into N shards.
import { ConfigError } from '../errors';

/** One shard of N, numbered from 1 as in jest's `--shard=1/3`. */
export interface Shard {
  /** 1-based index of this shard, 1 <= index <= count. */
  index: number;
  /** Number of shards the sweep is split into. */
  count: number;
}

const SHARD_PATTERN = /^\s*(\d+)\s*\/\s*(\d+)\s*$/;

/**
 * Parses `--shard` text "i/N" (1 <= i <= N). Throws a ConfigError naming the flag, the rule and the received text.
 */
export function parseShard(text: string): Shard {
  const match = SHARD_PATTERN.exec(text);
  const index = match ? Number(match[1]) : NaN;
  const count = match ? Number(match[2]) : NaN;
  if (!match || index < 1 || count < 1 || index > count || !Number.isSafeInteger(count)) {
    throw new ConfigError(`--shard: expected i/N with 1 <= i <= N, received "${text}"`);
  }
  return { index, count };
}

/**
 * The runs of one shard. Runs are dealt round-robin in experiment order: shard i takes the runs at positions
 * i-1, i-1+N, i-1+2N, ... of `runs`. Why this rule: it depends only on the experiment's run order (fixed by the
 * experiment file and recorded in experiment.json), so every machine computes the same split; the N shards
 * partition the runs exactly, with sizes differing by at most one; and dealing (rather than cutting contiguous
 * blocks) spreads each grid axis, e.g. the costly wide models, over all shards. Shards beyond the number of runs
 * are empty. The relative order of the selected runs is kept.
 */
export function selectShard<T extends { id: string }>(runs: readonly T[], shard: Shard): T[] {
  return runs.filter((_, position) => position % shard.count === shard.index - 1);
}
