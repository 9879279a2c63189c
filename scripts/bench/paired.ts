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
 * Runs one epoch of every arm in alternation: slice r of every arm before slice r + 1 of any, each round starting
 * one arm later (A B C, B C A, C A B, …) so no arm always follows the same one. Resolves to each arm's slice times.
 */
export async function alternate(arms: readonly PairedArm[], steps: number, slices: number): Promise<Map<string, SliceTime[]>> {
  const times = new Map<string, SliceTime[]>(arms.map((arm) => [arm.id, []]));
  const bounds = sliceBounds(steps, slices);
  for (const [round, [from, to]] of bounds.entries()) {
    for (let k = 0; k < arms.length; k++) {
      const arm = arms[(round + k) % arms.length];
      const elapsed = await arm.run(from, to);
      times.get(arm.id)!.push({ round, from, to, ...elapsed });
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
