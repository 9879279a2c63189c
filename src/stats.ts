// Statistics over seeds, in one place for report and compare: aggregates, intervals and tests of differences, Holm, power.
/*
 * The t distributions come from jstat. Why jstat: it is one dependency-free package with both the central t
 * (Welch's intervals and p-values) and the noncentral t (the power of Welch's test, for "seeds needed"); @stdlib
 * has the central t but no noncentral t, and simple-statistics has neither. Its t functions agree with scipy to
 * about 1e-9 (test/stats.test.ts checks them against published and scipy values), far below what a table shows.
 */
import { noncentralt, studentt } from 'jstat';
import { Rng } from './data/rng';

/** Two-sided level of every interval and test here: 95% intervals, α = 0.05. */
export const ALPHA = 0.05;
/** The power the "seeds needed" column asks for. */
export const TARGET_POWER = 0.8;
/** The most seeds per arm the power search considers; beyond it the answer is "more than this". */
export const MAX_SEEDS = 1000;
/** Bootstrap resamples: the p-value and interval ends then move by about ±0.005 between seeds of the resampler. */
export const BOOTSTRAP_RESAMPLES = 10_000;
/** The resampler's seed, fixed so a report is reproducible. */
export const BOOTSTRAP_SEED = 1;
/**
 * `auto` uses the bootstrap only from this many seeds per arm: with fewer, a resample has too few distinct values
 * (3 seeds give 10) and the percentile interval is too narrow, while Welch's t is exact for normal data at any n.
 */
export const BOOTSTRAP_MIN_SEEDS = 10;
/** `auto` counts an arm as far from normal beyond this |skewness| (Bulmer's "highly skewed"): e.g. one stalled seed. */
export const SKEWNESS_LIMIT = 1;

/** Summary of one quantity over the seeds of a run. `std` is undefined for one seed. */
export interface Aggregate {
  mean: number;
  /** Sample standard deviation (divides by n − 1); undefined for one seed (see sampleStd). */
  std: number | undefined;
  min: number;
  max: number;
  n: number;
}

/** Arithmetic mean; NaN for an empty list or when any value is NaN (a diverged seed must not vanish). */
export function mean(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

/**
 * Sample standard deviation (divides by n − 1). The one rule for a single seed: it says nothing about spread, so
 * there is no standard deviation (undefined). The report then shows no "±" and no interval; compare widens its
 * tolerance by nothing.
 */
export function sampleStd(values: readonly number[]): number | undefined {
  if (values.length < 2) return undefined;
  const centre = mean(values);
  return Math.sqrt(values.reduce((sum, value) => sum + (value - centre) ** 2, 0) / (values.length - 1));
}

/**
 * Aggregates `values` (one per seed). NaN values take part on purpose, so a diverged seed shows as NaN rather than
 * silently improving the mean. Undefined for an empty list.
 */
export function aggregate(values: readonly number[]): Aggregate | undefined {
  if (values.length === 0) return undefined;
  return { mean: mean(values), std: sampleStd(values), min: Math.min(...values), max: Math.max(...values), n: values.length };
}

/**
 * Adjusted Fisher–Pearson skewness G1 = √(n(n−1))/(n−2) · m3/m2^{3/2}, with m_k the k-th central moment over n
 * (scipy.stats.skew with bias=False). NaN for fewer than 3 values or no spread.
 */
export function skewness(values: readonly number[]): number {
  const n = values.length;
  if (n < 3) return NaN;
  const centre = mean(values);
  const m2 = values.reduce((sum, v) => sum + (v - centre) ** 2, 0) / n;
  const m3 = values.reduce((sum, v) => sum + (v - centre) ** 3, 0) / n;
  if (m2 === 0) return NaN;
  return (Math.sqrt(n * (n - 1)) / (n - 2)) * (m3 / m2 ** 1.5);
}

/** An interval [low, high]. */
export interface Interval {
  low: number;
  high: number;
}

/** A 95% t interval of a mean, and its degrees of freedom; undefined for fewer than 2 values. */
export function meanInterval(values: readonly number[]): (Interval & { df: number }) | undefined {
  const std = sampleStd(values);
  if (std === undefined) return undefined;
  const df = values.length - 1;
  const half = studentt.inv(1 - ALPHA / 2, df) * (std / Math.sqrt(values.length));
  const centre = mean(values);
  return { low: centre - half, high: centre + half, df };
}

/** Welch's two-sample t-test of mean(a) − mean(b) with its 95% interval. */
export interface WelchTest extends Interval {
  difference: number;
  standardError: number;
  /** Welch–Satterthwaite degrees of freedom. */
  df: number;
  t: number;
  /** Two-sided p-value. */
  p: number;
}

/**
 * Welch's t-test (unequal variances) of mean(a) − mean(b): se = √(s_a²/n_a + s_b²/n_b), df by Welch–Satterthwaite
 * (s_a²/n_a + s_b²/n_b)² / ((s_a²/n_a)²/(n_a−1) + (s_b²/n_b)²/(n_b−1)), interval difference ± t_{0.975,df}·se.
 * Needs at least 2 values in each arm; gives NaN where neither arm has any spread.
 */
export function welchTest(a: readonly number[], b: readonly number[]): WelchTest {
  if (a.length < 2 || b.length < 2) throw new RangeError(`welchTest needs 2 or more values per arm, received ${a.length} and ${b.length}`);
  const varianceOfMeanA = sampleStd(a)! ** 2 / a.length;
  const varianceOfMeanB = sampleStd(b)! ** 2 / b.length;
  const standardError = Math.sqrt(varianceOfMeanA + varianceOfMeanB);
  const df = (varianceOfMeanA + varianceOfMeanB) ** 2 / (varianceOfMeanA ** 2 / (a.length - 1) + varianceOfMeanB ** 2 / (b.length - 1));
  const difference = mean(a) - mean(b);
  const t = difference / standardError;
  const half = studentt.inv(1 - ALPHA / 2, df) * standardError;
  // 2·P(T ≤ −|t|) rather than 2·(1 − P(T ≤ |t|)), which would lose small p-values to cancellation.
  const p = Math.min(1, 2 * studentt.cdf(-Math.abs(t), df));
  return { difference, standardError, df, t, p, low: difference - half, high: difference + half };
}

/** A seeded percentile bootstrap of mean(a) − mean(b). */
export interface BootstrapTest extends Interval {
  difference: number;
  /** Two-sided p-value, 2·min(#{d* ≤ 0} + 1, #{d* ≥ 0} + 1)/(B + 1), at most 1. */
  p: number;
  resamples: number;
  seed: number;
}

/**
 * Percentile bootstrap of mean(a) − mean(b): each of `resamples` rounds draws n_a values of `a`, then n_b values
 * of `b`, with replacement (Rng(seed).nextInt), and records the difference of their means. The interval is the
 * 2.5% and 97.5% quantiles of those differences (linear interpolation between order statistics, numpy's default).
 * The same seed gives the same interval, bit for bit (scripts/stats_reference.py reproduces it).
 */
export function bootstrapTest(
  a: readonly number[],
  b: readonly number[],
  resamples = BOOTSTRAP_RESAMPLES,
  seed = BOOTSTRAP_SEED,
): BootstrapTest {
  if (a.length < 1 || b.length < 1) throw new RangeError(`bootstrapTest needs values in both arms, received ${a.length} and ${b.length}`);
  const rng = new Rng(seed);
  const resampledMean = (values: readonly number[]) => {
    let sum = 0;
    for (let i = 0; i < values.length; i++) sum += values[rng.nextInt(values.length)];
    return sum / values.length;
  };
  const differences = new Float64Array(resamples);
  let atMostZero = 0;
  let atLeastZero = 0;
  for (let r = 0; r < resamples; r++) {
    const difference = resampledMean(a) - resampledMean(b);
    differences[r] = difference;
    if (difference <= 0) atMostZero++;
    if (difference >= 0) atLeastZero++;
  }
  differences.sort();
  const p = Math.min(1, (2 * (Math.min(atMostZero, atLeastZero) + 1)) / (resamples + 1));
  return {
    difference: mean(a) - mean(b),
    low: quantile(differences, ALPHA / 2),
    high: quantile(differences, 1 - ALPHA / 2),
    p,
    resamples,
    seed,
  };
}

/** The q-quantile of sorted values, interpolating linearly between order statistics (numpy's "linear", type 7). */
function quantile(sorted: Float64Array, q: number): number {
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.min(below + 1, sorted.length - 1);
  return sorted[below] + (position - below) * (sorted[above] - sorted[below]);
}

/**
 * Holm's step-down adjustment: with p sorted ascending, p_(i) becomes max over j ≤ i of min(1, (m − j + 1)·p_(j)).
 * Returns the adjusted p-values in the order given. Rejecting where the adjusted p < α keeps the chance of any false
 * claim among the m at most α.
 */
export function holm(pValues: readonly number[]): number[] {
  const m = pValues.length;
  const order = pValues.map((p, index) => ({ p, index })).sort((x, y) => x.p - y.p);
  const adjusted = new Array<number>(m);
  let running = 0;
  order.forEach(({ p, index }, rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * p));
    adjusted[index] = running;
  });
  return adjusted;
}

/**
 * Power of the two-sided Welch test at α = 0.05 with `seeds` per arm, if the true difference of means were
 * `difference` and the arms' standard deviations `stdA` and `stdB`: under that alternative the statistic follows a
 * noncentral t with the Welch–Satterthwaite df and noncentrality |difference| / √((stdA² + stdB²)/seeds).
 */
export function welchPower(difference: number, stdA: number, stdB: number, seeds: number): number {
  const varianceA = stdA ** 2;
  const varianceB = stdB ** 2;
  const df = ((varianceA + varianceB) ** 2 * (seeds - 1)) / (varianceA ** 2 + varianceB ** 2);
  const noncentrality = Math.abs(difference) / Math.sqrt((varianceA + varianceB) / seeds);
  const critical = studentt.inv(1 - ALPHA / 2, df);
  return 1 - noncentralt.cdf(critical, df, noncentrality) + noncentralt.cdf(-critical, df, noncentrality);
}

/**
 * The fewest seeds per arm (at least 2) for 80% power to detect `difference` at α = 0.05 with Welch's test, taking
 * the observed standard deviations as the true ones; undefined when no number up to MAX_SEEDS does (a zero
 * difference never does). Power grows with the seeds, so the search doubles and then bisects.
 */
export function seedsForPower(difference: number, stdA: number, stdB: number): number | undefined {
  if (!(Math.abs(difference) > 0) || !(stdA ** 2 + stdB ** 2 > 0)) return undefined;
  const enough = (seeds: number) => welchPower(difference, stdA, stdB, seeds) >= TARGET_POWER;
  if (!enough(MAX_SEEDS)) return undefined;
  let low = 1; // not enough (one seed has no test)
  let high = 2;
  while (!enough(high)) [low, high] = [high, Math.min(2 * high, MAX_SEEDS)];
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (enough(middle)) high = middle;
    else low = middle;
  }
  return high;
}

/** How an interval is chosen: `auto` (Welch, or the bootstrap for ≥ 10 skewed seeds), or always one method. */
export const INTERVAL_CHOICES = ['auto', 'welch', 'bootstrap'] as const;
export type IntervalChoice = (typeof INTERVAL_CHOICES)[number];
export type IntervalMethod = Exclude<IntervalChoice, 'auto'>;

/** Why two arms get no interval: a single seed, a value that is not finite, or no spread in either arm. */
export type NoIntervalReason = 'one-seed' | 'not-finite' | 'no-spread';

/** Two arms (the seeds of two runs) compared on one metric. */
export interface ArmComparison {
  nA: number;
  nB: number;
  meanA: number;
  meanB: number;
  /** meanA − meanB. */
  difference: number;
  /** The interval and unadjusted p-value; undefined with `noInterval` set. */
  test?: Interval & { method: IntervalMethod; p: number; df?: number };
  noInterval?: NoIntervalReason;
  /** Seeds per arm for 80% power at the observed difference and spreads; undefined when none up to MAX_SEEDS. */
  seedsNeeded?: number;
}

/** The method `choice` gives for arms `a` and `b` (both with 2 or more values). */
export function intervalMethod(a: readonly number[], b: readonly number[], choice: IntervalChoice): IntervalMethod {
  if (choice !== 'auto') return choice;
  const skewed = (values: readonly number[]) => Math.abs(skewness(values)) > SKEWNESS_LIMIT;
  return Math.min(a.length, b.length) >= BOOTSTRAP_MIN_SEEDS && (skewed(a) || skewed(b)) ? 'bootstrap' : 'welch';
}

/** Compares arm `a` with arm `b` (each one value per seed, at least one): difference, 95% interval, p, seeds needed. */
export function compareArms(a: readonly number[], b: readonly number[], choice: IntervalChoice = 'auto'): ArmComparison {
  const base = { nA: a.length, nB: b.length, meanA: mean(a), meanB: mean(b), difference: mean(a) - mean(b) };
  if (a.length < 2 || b.length < 2) return { ...base, noInterval: 'one-seed' };
  if (![...a, ...b].every(Number.isFinite)) return { ...base, noInterval: 'not-finite' };
  const stdA = sampleStd(a)!;
  const stdB = sampleStd(b)!;
  if (stdA === 0 && stdB === 0) return { ...base, noInterval: 'no-spread' };
  const method = intervalMethod(a, b, choice);
  let test: ArmComparison['test'];
  if (method === 'welch') {
    const welch = welchTest(a, b);
    test = { method, low: welch.low, high: welch.high, p: welch.p, df: welch.df };
  } else {
    const bootstrap = bootstrapTest(a, b);
    test = { method, low: bootstrap.low, high: bootstrap.high, p: bootstrap.p };
  }
  return { ...base, test, seedsNeeded: seedsForPower(base.difference, stdA, stdB) };
}
