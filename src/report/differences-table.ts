// The differences table: per metric and compared pair of runs, the difference of means, its 95% interval, Holm p, seeds needed.
import * as path from 'path';
import { ConfigError, OutputError } from '../errors';
import { Files } from '../results/contract';
import {
  ALPHA,
  BOOTSTRAP_MIN_SEEDS,
  BOOTSTRAP_RESAMPLES,
  INTERVAL_CHOICES,
  MAX_SEEDS,
  TARGET_POWER,
  compareArms,
  holm,
  type ArmComparison,
  type IntervalChoice,
} from '../stats';
import { didYouMean } from '../util/did-you-mean';
import { baseRunName, gridValueText } from '../util/grid-text';
import type { RunGroup } from './groups';
import { num, type ResultsData } from './load';
import { formatNumber, type NumberKind } from './number-format';
import { ACCURACY_THRESHOLDS, SUMMARY_METRICS, epochsToReach } from './runs-table';
import { csvNumber, type ReportTable } from './table';

/** How runs are compared: with a reference run at each grid point, or every pair that differs in one thing. */
export interface DifferenceSettings {
  /** A run name (as in the experiment file); undefined compares pairs. */
  reference?: string;
  interval: IntervalChoice;
  /** Why the recorded reference is not used (it names a run this folder does not hold), for the report's notes. */
  note?: string;
}

/** A metric of the runs table as the differences table compares it. */
interface ComparedMetric {
  /** CSV name: a summary.csv column or epochs_to_<X>. */
  name: string;
  header: string;
  kind: NumberKind;
  /** Losses of different loss functions are on different scales: compare them only within one loss. */
  sameLossOnly: boolean;
  /** One value per seed; null for a seed that never reached an accuracy threshold. Seeds without the file drop out. */
  values(group: RunGroup): (number | null)[];
}

/** The runs table's metrics except wall time, which measures the machine's load more than the runs. */
export const COMPARED_METRICS: readonly ComparedMetric[] = [
  ...SUMMARY_METRICS.filter((m) => m.column !== 'wall_s').map((m) => ({
    name: m.column,
    header: m.header.replace(' (%)', ''),
    kind: m.kind,
    sameLossOnly: m.column.endsWith('_loss'),
    values: (group: RunGroup) => group.runs.map((run) => num(run.summary[m.column])),
  })),
  ...ACCURACY_THRESHOLDS.map((threshold) => ({
    name: `epochs_to_${Math.round(threshold * 100)}`,
    header: `epochs to ${Math.round(threshold * 100)}%`,
    kind: 'count' as const,
    sameLossOnly: false,
    values: (group: RunGroup) =>
      group.runs.map((run) => epochsToReach(run.metrics, threshold)).filter((epochs): epochs is number | null => epochs !== undefined),
  })),
];

/** Two run groups compared: `run` − `vs`. */
export interface RunPair {
  run: RunGroup;
  vs: RunGroup;
}

/**
 * The settings from experiment.json's `report` block, overridden by `overrides` (the report command's flags). A
 * recorded reference this folder does not hold (a `run --only` subset) gives every pair and a note; --reference naming
 * no run is a ConfigError, a recorded reference that is not a name or an unknown interval method an OutputError.
 */
export function readDifferenceSettings(data: ResultsData, overrides: Partial<DifferenceSettings> = {}): DifferenceSettings {
  const file = path.join(data.dir, Files.experiment);
  const recorded = (data.experiment.report ?? {}) as { reference?: unknown };
  const reference = overrides.reference ?? recorded.reference;
  const where = overrides.reference !== undefined ? '--reference' : `${file}: report.reference`;
  const names = [...new Set(data.experiment.runs.map((run) => baseRunName(run.name)))];
  if (overrides.reference === undefined && typeof reference === 'string' && !names.includes(reference)) {
    // The experiment file named a run of its own (checked at validate), but this folder holds a subset (run --only).
    const note = `${where} names ${shown(reference)}, which this folder does not hold (run with --only?); the differences table compares every pair instead.`;
    return { interval: checkedInterval(data, overrides, file), note };
  }
  if (reference !== undefined && (typeof reference !== 'string' || !names.includes(reference))) {
    // A mistyped flag is bad input on the command line (ConfigError); a bad experiment.json is a bad results folder.
    const ErrorType = overrides.reference !== undefined ? ConfigError : OutputError;
    throw new ErrorType(
      `${where}: unknown run ${shown(reference)}${didYouMean(typeof reference === 'string' ? reference : '', names) || '.'} Runs: ${names.join(', ')}.`,
    );
  }
  return { reference, interval: checkedInterval(data, overrides, file) };
}

/** The interval method from --interval or report.interval (default auto); an unknown one is an OutputError. */
function checkedInterval(data: ResultsData, overrides: Partial<DifferenceSettings>, file: string): IntervalChoice {
  const recorded = (data.experiment.report ?? {}) as { interval?: unknown };
  const interval = overrides.interval ?? recorded.interval ?? 'auto';
  if (!(INTERVAL_CHOICES as readonly unknown[]).includes(interval)) {
    const at = overrides.interval !== undefined ? '--interval' : `${file}: report.interval`;
    throw new OutputError(
      `${at}: unknown interval method ${shown(interval)}${didYouMean(typeof interval === 'string' ? interval : '', INTERVAL_CHOICES) || '.'} Known: ${INTERVAL_CHOICES.join(', ')}.`,
    );
  }
  return interval as IntervalChoice;
}

/** A value from a file or flag as it may be echoed: JSON-escaped and at most 60 characters. */
function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/**
 * The pairs to compare, in table order. With a reference: each other run against the reference run at the same grid
 * point. Without: every pair of runs that differ in one thing only, the run or one grid value, so that a difference
 * has one cause (with no grid, every pair of runs).
 */
export function comparedPairs(groups: readonly RunGroup[], gridKeys: readonly string[], reference?: string): RunPair[] {
  const differing = (a: RunGroup, b: RunGroup) =>
    gridKeys.filter((key) => gridValueText(a.gridValues[key]) !== gridValueText(b.gridValues[key]));
  const pairs: RunPair[] = [];
  if (reference !== undefined) {
    for (const run of groups) {
      if (baseRunName(run.name) === reference) continue;
      const vs = groups.find((g) => baseRunName(g.name) === reference && differing(run, g).length === 0);
      if (vs !== undefined) pairs.push({ run, vs });
    }
    return pairs;
  }
  groups.forEach((run, i) => {
    for (const vs of groups.slice(i + 1)) {
      const changes = differing(run, vs).length + (baseRunName(run.name) === baseRunName(vs.name) ? 0 : 1);
      if (changes === 1) pairs.push({ run, vs });
    }
  });
  return pairs;
}

/** One row before Holm: the pair, the metric, and the comparison or why there is none. */
interface PendingRow {
  pair: RunPair;
  metric: ComparedMetric;
  /** Seeds measured in each run. */
  nA: number;
  nB: number;
  /** Undefined when some seeds never reached an accuracy threshold: their mean would leave the slow seeds out. */
  comparison?: ArmComparison;
  /** Display text in place of an interval ("1 seed: no interval"). */
  note?: string;
}

/** The text that stands in for an interval, by reason. */
const NO_INTERVAL_TEXT: Record<NonNullable<ArmComparison['noInterval']>, string> = {
  'one-seed': '1 seed: no interval',
  'not-finite': 'a seed is not finite (diverged): no interval',
  'no-spread': 'no spread between seeds: no interval',
};

/** Rows for every metric and pair, metric by metric in the runs table's order, pairs in group order. */
function pendingRows(pairs: readonly RunPair[], data: Pick<ResultsData, 'experiment'>, interval: IntervalChoice): PendingRow[] {
  const lossOf = lossFunctions(data);
  const rows: PendingRow[] = [];
  for (const metric of COMPARED_METRICS) {
    for (const pair of pairs) {
      if (metric.sameLossOnly && lossOf(pair.run) !== lossOf(pair.vs)) continue;
      const a = metric.values(pair.run);
      const b = metric.values(pair.vs);
      const reachedA = a.filter((v): v is number => v !== null);
      const reachedB = b.filter((v): v is number => v !== null);
      if (reachedA.length === 0 && reachedB.length === 0) continue; // nothing measured, or neither run ever got there
      const counts = { pair, metric, nA: a.length, nB: b.length };
      if (reachedA.length < a.length || reachedB.length < b.length) {
        const target = metric.header.replace('epochs to ', '');
        rows.push({
          ...counts,
          note: `${reachedA.length}/${a.length} and ${reachedB.length}/${b.length} seeds reach ${target}: no interval`,
        });
        continue;
      }
      const comparison = compareArms(reachedA, reachedB, interval);
      rows.push({ ...counts, comparison, note: comparison.noInterval && NO_INTERVAL_TEXT[comparison.noInterval] });
    }
  }
  return rows;
}

/**
 * Builds the differences table (undefined when no two runs are compared). p-values are Holm-adjusted over every row
 * with an interval; "resolved" is adjusted p < 0.05.
 */
export function differencesTable(
  groups: readonly RunGroup[],
  data: Pick<ResultsData, 'experiment'>,
  settings: DifferenceSettings,
  /** The pairs to compare instead of those `settings` gives (a script choosing its own family of comparisons). */
  chosenPairs?: readonly RunPair[],
): ReportTable | undefined {
  const gridKeys = data.experiment.gridKeys;
  const pairs = chosenPairs ?? comparedPairs(groups, gridKeys, settings.reference);
  if (pairs.length === 0) return undefined;
  const pending = pendingRows(pairs, data, settings.interval);
  const tested = pending.filter((row) => row.comparison?.test !== undefined);
  const adjusted = new Map(holm(tested.map((row) => row.comparison!.test!.p)).map((p, i) => [tested[i], p]));

  const power = `seeds for ${TARGET_POWER * 100}% power`;
  const headers = ['metric', ...gridKeys, 'run', 'vs', 'n', 'difference', '95% interval', 'method', 'p (Holm)', 'resolved', power];
  const csvColumns = [
    ...['metric', ...gridKeys, 'run', 'vs', 'n', 'vs_n', 'mean', 'vs_mean', 'difference', 'ci_low', 'ci_high'],
    ...['method', 'df', 'p', 'p_holm', 'resolved', 'seeds_for_80_power', 'note'],
  ];
  const rows: string[][] = [];
  const csvRows: Record<string, unknown>[] = [];
  for (const row of pending) {
    const { pair, metric, comparison } = row;
    const test = comparison?.test;
    const pHolm = adjusted.get(row);
    const resolved = pHolm === undefined ? undefined : pHolm < ALPHA;
    const unit = metric.kind === 'percent' ? ' pp' : '';
    const seeds =
      test === undefined ? undefined : (comparison!.seedsNeeded ?? (comparison!.difference === 0 ? undefined : `>${MAX_SEEDS}`));
    rows.push([
      metric.header,
      ...gridKeys.map((key) => gridValueText(pair.run.gridValues[key])),
      baseRunName(pair.run.name),
      vsLabel(pair, gridKeys),
      `${row.nA}/${row.nB}`,
      comparison === undefined ? '—' : signed(comparison.difference, metric.kind) + unit,
      test === undefined ? (row.note ?? '—') : `[${signed(test.low, metric.kind)}, ${signed(test.high, metric.kind)}]${unit}`,
      test === undefined ? '—' : test.method === 'welch' ? 'Welch' : 'bootstrap',
      pHolm === undefined ? '—' : formatP(pHolm),
      resolved === undefined ? '—' : resolved ? 'yes' : 'no',
      seeds === undefined ? '—' : String(seeds),
    ]);
    const csv: Record<string, unknown> = { metric: metric.name };
    for (const key of gridKeys) csv[key] = gridValueText(pair.run.gridValues[key]);
    csvRows.push(
      Object.assign(csv, {
        run: baseRunName(pair.run.name),
        vs: vsLabel(pair, gridKeys),
        n: row.nA,
        vs_n: row.nB,
        mean: csvNumber(comparison?.meanA),
        vs_mean: csvNumber(comparison?.meanB),
        difference: csvNumber(comparison?.difference),
        ci_low: csvNumber(test?.low),
        ci_high: csvNumber(test?.high),
        method: test?.method,
        df: csvNumber(test?.df),
        p: csvNumber(test?.p),
        p_holm: csvNumber(pHolm),
        resolved,
        seeds_for_80_power: seeds,
        note: row.note,
      }),
    );
  }
  const compared =
    chosenPairs !== undefined
      ? `${pairs.length} chosen pair${pairs.length === 1 ? '' : 's'} of runs`
      : settings.reference === undefined
        ? 'every pair of runs that differ in one thing (the run, or one grid value)'
        : `each run against ${settings.reference} at the same grid point`;
  return {
    name: 'differences',
    title: 'Differences between runs',
    description:
      `Compared: ${compared}. Difference: the run's mean over seeds minus the other's (pp: percentage points), with its ` +
      `95% interval: Welch's t, or a seeded percentile bootstrap (${BOOTSTRAP_RESAMPLES.toLocaleString('en-US')} resamples) for ${BOOTSTRAP_MIN_SEEDS} ` +
      `or more seeds per run when one run's seeds are skewed; the method column says which. p (Holm): the two-sided ` +
      `p-value adjusted for the ${tested.length} comparison${tested.length === 1 ? '' : 's'} with an interval in this table; resolved: p (Holm) < ${ALPHA}, ` +
      `the seeds tell the two runs apart. Seeds for ${TARGET_POWER * 100}% power: seeds per run that would detect the ` +
      `observed difference at α = ${ALPHA} in one Welch test, were the observed means and spreads the true ones. ` +
      'Losses are compared only between runs with the same loss function; wall time is not compared.',
    headers,
    align: headers.map((_, i) => (i < gridKeys.length + 3 ? 'left' : 'right')),
    rows,
    groupColumns: gridKeys.length + 2,
    csvColumns,
    csvRows,
  };
}

/** The label of the other run: its name, with the grid values where it differs from the row's run. */
function vsLabel(pair: RunPair, gridKeys: readonly string[]): string {
  const changes = gridKeys
    .filter((key) => gridValueText(pair.run.gridValues[key]) !== gridValueText(pair.vs.gridValues[key]))
    .map((key) => `${key.split('.').pop()}=${gridValueText(pair.vs.gridValues[key])}`);
  return changes.length === 0 ? baseRunName(pair.vs.name) : `${baseRunName(pair.vs.name)} (${changes.join(', ')})`;
}

/** Which loss function a group trains with (loss block of its config minus the gradient mode, which does not change the value). */
function lossFunctions(data: Pick<ResultsData, 'experiment'>): (group: RunGroup) => string {
  const byName = new Map<string, string>();
  for (const run of data.experiment.runs) {
    const loss = (run.config as { loss?: Record<string, unknown> } | undefined)?.loss;
    if (loss !== undefined && !byName.has(run.name)) {
      const { gradient: _gradient, ...value } = loss;
      byName.set(run.name, JSON.stringify(value, Object.keys(value).sort()));
    }
  }
  return (group) => byName.get(group.name) ?? group.runs[0]?.summary.loss ?? '';
}

/** A signed number: "+0.36", "−1.2e-3", "0". Percent kinds are shown in points. */
function signed(value: number, kind: NumberKind): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === 0) return formatNumber(0, kind);
  return `${value < 0 ? '−' : '+'}${formatNumber(Math.abs(value), kind)}`;
}

/** A p-value: two significant digits, "<0.001" below that. */
export function formatP(p: number): string {
  if (p < 0.001) return '<0.001';
  return p >= 0.1 ? p.toFixed(2) : p.toPrecision(2);
}
