// The comparison itself: match runs by id, group replicates by name, and check each metric against its tolerance.
import { ResultsError } from '../errors';
import type { SummaryRecord } from './read-results';
import { mean, sampleStd } from '../stats';
import { GRADIENT_METRIC, SUMMARY_METRICS, type Metric, type Tolerance, type Tolerances } from './tolerance';

/** One side of a comparison, already read. */
export interface CompareSide {
  source: string;
  rows: readonly SummaryRecord[];
  /** Step-0 preactivation L2 by run id then layer; null when this side is a summary.csv file. */
  gradients: ReadonlyMap<string, ReadonlyMap<number, number>> | null;
}

/** A metric checked for one run name (the mean over its replicates). */
export interface MetricCheck {
  kind: 'metric';
  metric: Metric;
  /** The layer, for the gradient metric. */
  layer?: number;
  /** The run name; runIds lists the replicates compared (complete on both sides). */
  run: string;
  runIds: string[];
  baseline: number;
  current: number;
  /** Sample std of the baseline replicates (0 for one replicate). */
  baselineStd: number;
  /** current - baseline, or current / baseline for a factor tolerance. */
  delta: number;
  /** Allowed range of the current mean (tolerance plus k baseline std); -Infinity/Infinity when unbounded. */
  low: number;
  high: number;
  tolerance: Tolerance;
  verdict: Verdict;
}

/** A run that is in both sides but not complete in current. */
export interface StatusCheck {
  kind: 'status';
  metric: 'status';
  run: string;
  runIds: string[];
  baseline: string;
  current: string;
  verdict: 'FAIL';
}

/**
 * A run in both sides whose config hash differs (say, its loss module's source was edited): its metrics are still
 * compared, but they do not compare like with like, so this fails.
 */
export interface ConfigCheck {
  kind: 'config';
  metric: 'config';
  run: string;
  runIds: string[];
  baseline: string;
  current: string;
  verdict: 'FAIL';
}

export type Check = MetricCheck | StatusCheck | ConfigCheck;
export type Verdict = 'PASS' | 'FAIL';

/** Everything compare found; output formats render this. */
export interface CompareResult {
  current: { source: string; runs: number };
  baseline: { source: string; runs: number };
  k: number;
  tolerances: Tolerances;
  checks: Check[];
  /** Run ids in baseline but not in current (each is a failure), in baseline order. */
  missing: string[];
  /** Run ids in current but not in baseline (reported only), in current order. */
  added: string[];
  /** Run ids in both whose baseline status is not complete: they are left out of the means. */
  baselineIncomplete: string[];
  /**
   * The backends that trained the runs in common, each side's distinct values in first-seen order. `differ` when
   * the sets are not the same: noted, never a failure (another backend or matMul path rounds differently).
   */
  backends: { current: string[]; baseline: string[]; differ: boolean };
  /** Whether gradients were compared, and if not, why. */
  gradients: { compared: boolean; reason: string };
  failures: number;
  pass: boolean;
}

/**
 * Compares `current` against `baseline`. Runs are matched by run_id; runs sharing a `name` are replicates and are
 * compared by their means over the runs complete on both sides, allowing `k` baseline standard deviations on top
 * of each tolerance. Throws a ResultsError when the two sides have no run in common.
 */
export function compareResults(current: CompareSide, baseline: CompareSide, tolerances: Tolerances, k: number): CompareResult {
  const currentById = new Map(current.rows.map((row) => [row.runId, row]));
  const baselineIds = new Set(baseline.rows.map((row) => row.runId));
  const common = baseline.rows.filter((row) => currentById.has(row.runId));
  if (common.length === 0) {
    throw new ResultsError(
      `no runs in common: current "${current.source}" has ${listIds(current.rows)}; baseline "${baseline.source}" has ${listIds(baseline.rows)}`,
    );
  }
  const groups = new Map<string, SummaryRecord[]>();
  for (const row of common) groups.set(row.name, [...(groups.get(row.name) ?? []), row]);

  const gradientTolerance = tolerances[GRADIENT_METRIC];
  const bothFolders = current.gradients !== null && baseline.gradients !== null;
  const gradientsCompared = bothFolders && gradientTolerance !== undefined;
  const checks: Check[] = [];
  for (const [name, rows] of groups) {
    for (const row of rows) {
      const currentHash = currentById.get(row.runId)!.configHash;
      if (row.configHash !== undefined && currentHash !== undefined && row.configHash !== currentHash) {
        checks.push({
          kind: 'config',
          metric: 'config',
          run: row.runId,
          runIds: [row.runId],
          baseline: row.configHash,
          current: currentHash,
          verdict: 'FAIL',
        });
      }
      const status = currentById.get(row.runId)!.status;
      if (status !== 'complete') {
        checks.push({
          kind: 'status',
          metric: 'status',
          run: row.runId,
          runIds: [row.runId],
          baseline: row.status,
          current: status,
          verdict: 'FAIL',
        });
      }
    }
    const paired = rows.filter((row) => row.status === 'complete' && currentById.get(row.runId)!.status === 'complete');
    if (paired.length === 0) continue;
    const runIds = paired.map((row) => row.runId);
    for (const metric of SUMMARY_METRICS) {
      const tolerance = tolerances[metric];
      const baselineValues = paired.map((row) => row.metrics[metric]);
      if (!tolerance || baselineValues.every((value) => value === undefined)) continue;
      const currentValues = paired.map((row) => currentById.get(row.runId)!.metrics[metric]);
      checks.push(check(metric, undefined, name, runIds, baselineValues, currentValues, tolerance, k));
    }
    if (gradientsCompared) {
      const layers = new Set<number>();
      for (const id of runIds) for (const layer of baseline.gradients!.get(id)?.keys() ?? []) layers.add(layer);
      for (const layer of [...layers].sort((a, b) => a - b)) {
        const baselineValues = runIds.map((id) => baseline.gradients!.get(id)?.get(layer));
        const currentValues = runIds.map((id) => current.gradients!.get(id)?.get(layer));
        checks.push(check(GRADIENT_METRIC, layer, name, runIds, baselineValues, currentValues, gradientTolerance, k));
      }
    }
  }
  const missing = baseline.rows.filter((row) => !currentById.has(row.runId)).map((row) => row.runId);
  const added = current.rows.filter((row) => !baselineIds.has(row.runId)).map((row) => row.runId);
  const baselineIncomplete = common.filter((row) => row.status !== 'complete').map((row) => row.runId);
  const failures = checks.filter((c) => c.verdict === 'FAIL').length + missing.length;
  const backendsOf = (rows: readonly SummaryRecord[]) => [...new Set(rows.map((row) => row.backend).filter(Boolean))];
  const currentBackends = backendsOf(common.map((row) => currentById.get(row.runId)!));
  const baselineBackends = backendsOf(common);
  const sameBackends =
    currentBackends.length === baselineBackends.length && currentBackends.every((backend) => baselineBackends.includes(backend));
  return {
    current: { source: current.source, runs: current.rows.length },
    baseline: { source: baseline.source, runs: baseline.rows.length },
    k,
    tolerances,
    checks,
    missing,
    added,
    baselineIncomplete,
    backends: { current: currentBackends, baseline: baselineBackends, differ: !sameBackends },
    gradients: {
      compared: gradientsCompared,
      reason: gradientsCompared
        ? 'step-0 preactivation L2 per layer from runs/<id>/gradients.csv'
        : bothFolders
          ? `not compared: the ${GRADIENT_METRIC} tolerance is off`
          : 'not compared: both arguments must be results folders (a summary.csv has no gradient columns)',
    },
    failures,
    pass: failures === 0,
  };
}

/**
 * The allowed range of the current mean. abs: baseline ± value; rel: baseline ± value·|baseline|;
 * factor: [baseline / value, baseline · value]. Each side is widened by k·std and dropped (made infinite) when
 * the direction does not guard it: no-drop guards the low side, no-rise the high side.
 */
export function allowedRange(baseline: number, baselineStd: number, tolerance: Tolerance, k: number): { low: number; high: number } {
  const spread = k * baselineStd;
  let low: number;
  let high: number;
  if (tolerance.kind === 'factor') {
    low = baseline / tolerance.value - spread;
    high = baseline * tolerance.value + spread;
  } else {
    const allowance = (tolerance.kind === 'abs' ? tolerance.value : tolerance.value * Math.abs(baseline)) + spread;
    low = baseline - allowance;
    high = baseline + allowance;
  }
  return {
    low: tolerance.direction === 'no-rise' ? -Infinity : low,
    high: tolerance.direction === 'no-drop' ? Infinity : high,
  };
}

/**
 * Whether `current` lies in [low, high]. The bounds get a slack of 1e-9 relative to the values so that a change of
 * exactly the tolerance passes despite rounding (0.905 - 0.91 is -0.0050000000000000044 in floating point).
 */
export function withinRange(current: number, baseline: number, low: number, high: number): boolean {
  if (!Number.isFinite(current) || Number.isNaN(low) || Number.isNaN(high)) return false;
  const slack = 1e-9 * Math.max(Math.abs(current), Math.abs(baseline));
  return current >= low - slack && current <= high + slack;
}

function check(
  metric: Metric,
  layer: number | undefined,
  run: string,
  runIds: string[],
  baselineValues: (number | undefined)[],
  currentValues: (number | undefined)[],
  tolerance: Tolerance,
  k: number,
): MetricCheck {
  // A cell empty on one side only is treated as NaN, which fails: a metric must not disappear.
  const baselineNumbers = baselineValues.map((value) => value ?? NaN);
  const currentNumbers = currentValues.map((value) => value ?? NaN);
  const baseline = mean(baselineNumbers);
  // One baseline replicate says nothing about spread (no std), so k·std widens the tolerance by nothing.
  const baselineStd = sampleStd(baselineNumbers) ?? 0;
  const current = mean(currentNumbers);
  const { low, high } = allowedRange(baseline, baselineStd, tolerance, k);
  return {
    kind: 'metric',
    metric,
    ...(layer === undefined ? {} : { layer }),
    run,
    runIds,
    baseline,
    current,
    baselineStd,
    delta: tolerance.kind === 'factor' ? current / baseline : current - baseline,
    low,
    high,
    tolerance,
    verdict: withinRange(current, baseline, low, high) ? 'PASS' : 'FAIL',
  };
}

function listIds(rows: readonly SummaryRecord[]): string {
  if (rows.length === 0) return 'no runs';
  const shown = rows
    .slice(0, 5)
    .map((row) => row.runId)
    .join(', ');
  return `${rows.length} run${rows.length === 1 ? '' : 's'} (${shown}${rows.length > 5 ? ', ...' : ''})`;
}
