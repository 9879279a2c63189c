// Aggregation over seeds: mean, sample standard deviation (n - 1), min and max of the finite-or-not values given.

/** Summary of one quantity over the seeds of a run group. `std` is undefined for n < 2. */
export interface Aggregate {
  mean: number;
  /** Sample standard deviation (divides by n - 1); undefined when n < 2. */
  std: number | undefined;
  min: number;
  max: number;
  n: number;
}

/**
 * Aggregates `values` (one per seed). NaN values take part on purpose, so a diverged seed shows as NaN
 * rather than silently improving the mean. Returns undefined for an empty list.
 */
export function aggregate(values: readonly number[]): Aggregate | undefined {
  const n = values.length;
  if (n === 0) return undefined;
  const mean = values.reduce((sum, v) => sum + v, 0) / n;
  const std = n < 2 ? undefined : Math.sqrt(values.reduce((sum, v) => sum + (v - mean) ** 2, 0) / (n - 1));
  return { mean, std, min: Math.min(...values), max: Math.max(...values), n };
}
