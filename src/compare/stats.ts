// Mean and sample standard deviation of replicate values (several seeds of one run name).

/** Arithmetic mean; NaN for an empty list or when any value is NaN. */
export function mean(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

/** Sample standard deviation (divides by n - 1); 0 for a single value, since one seed says nothing about spread. */
export function sampleStd(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const centre = mean(values);
  const squares = values.reduce((sum, value) => sum + (value - centre) ** 2, 0);
  return Math.sqrt(squares / (values.length - 1));
}
