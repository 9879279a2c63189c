// Paired measurement: arms (possibly in different processes) take turns over slices of one epoch, and a ratio of two
// arms is the median of its slice-by-slice ratios, so drift on a shared machine lands on both sides of every pair.
import type { Elapsed } from './clock';

/** Something that trains steps [from, to) of its epoch when asked and reports the time that took. */
export interface PairedArm {
  id: string;
  run(from: number, to: number): Promise<Elapsed>;
}

/** One slice of one arm. */
export interface SliceTime extends Elapsed {
  round: number;
  from: number;
  to: number;
}

/** [from, to) step ranges of `slices` near-equal slices of an epoch of `steps` steps (empty ones left out). */
export function sliceBounds(steps: number, slices: number): [number, number][] {
  const bound = (s: number) => Math.round((s * steps) / slices);
  const bounds: [number, number][] = [];
  for (let s = 0; s < slices; s++) if (bound(s + 1) > bound(s)) bounds.push([bound(s), bound(s + 1)]);
  return bounds;
}

/**
 * The order of the arms in round `round`: a permutation drawn from a generator seeded by the round, so every arm
 * follows every other about equally often (a plain rotation would always put the same arm before it, and whatever
 * that arm leaves running — garbage collection, a busy cache — would always land on the same one).
 */
export function roundOrder(count: number, round: number): number[] {
  const order = Array.from({ length: count }, (_, i) => i);
  let state = (round + 1) * 0x9e3779b9;
  const next = () => {
    state = (Math.imul(state ^ (state >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    return state / 4294967296;
  };
  for (let i = count - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

/**
 * Runs one epoch of every arm in alternation: slice r of every arm before slice r + 1 of any, the arms of each
 * round in a seeded shuffled order (roundOrder). `between` runs after every slice, outside the timing (the bench
 * waits there for the worker that ran it to go idle). Resolves to each arm's slice times.
 */
export async function alternate(
  arms: readonly PairedArm[],
  steps: number,
  slices: number,
  between: (arm: PairedArm) => Promise<void> = () => Promise.resolve(),
): Promise<Map<string, SliceTime[]>> {
  const times = new Map<string, SliceTime[]>(arms.map((arm) => [arm.id, []]));
  const bounds = sliceBounds(steps, slices);
  for (const [round, [from, to]] of bounds.entries()) {
    for (const index of roundOrder(arms.length, round)) {
      const arm = arms[index];
      const elapsed = await arm.run(from, to);
      times.get(arm.id)!.push({ round, from, to, ...elapsed });
      await between(arm);
    }
  }
  return times;
}

/** The median of a non-empty list (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of an empty list');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** A ratio measured pair by pair: the median of the pairwise ratios and their range. */
export interface PairedRatio {
  median: number;
  min: number;
  max: number;
  pairs: number;
}

/** numerator[i] ÷ denominator[i] for every pair i, summarised. The lists must be paired (same length, ≥ 1). */
export function pairedRatio(numerator: readonly number[], denominator: readonly number[]): PairedRatio {
  if (numerator.length !== denominator.length || numerator.length === 0) {
    throw new Error(`pairedRatio: expected two lists of the same non-zero length, received ${numerator.length} and ${denominator.length}`);
  }
  const ratios = numerator.map((value, i) => value / denominator[i]);
  return { median: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios), pairs: ratios.length };
}
