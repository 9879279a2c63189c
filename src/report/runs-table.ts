// The runs table: accuracy, epochs to reach accuracy thresholds, losses and wall time, aggregated over seeds.
import { formatAggregate, formatNumber } from './number-format';
import type { RunGroup } from './groups';
import { num, type EpochMetrics } from './load';
import { aggregate } from '../stats';
import { groupCells, groupCsv, groupLayout, meanStdColumns, putAggregate, type ReportTable } from './table';

/** Test-accuracy thresholds (fractions) whose first epoch the table reports. */
export const ACCURACY_THRESHOLDS = [0.9, 0.95, 0.97] as const;

/** summary.csv columns shown per group, with their display header and number kind (the differences table compares them too). */
export const SUMMARY_METRICS = [
  { column: 'final_test_accuracy', header: 'final test acc. (%)', kind: 'percent' },
  { column: 'best_test_accuracy', header: 'best test acc. (%)', kind: 'percent' },
  { column: 'final_train_loss', header: 'final train loss', kind: 'general' },
  { column: 'final_test_loss', header: 'final test loss', kind: 'general' },
  { column: 'wall_s', header: 'wall time (s)', kind: 'seconds' },
] as const;

/**
 * The first epoch whose test accuracy reaches `threshold` (a fraction), null if none does,
 * undefined without metrics. Epoch 0 is the evaluation before training.
 */
export function epochsToReach(metrics: readonly EpochMetrics[] | undefined, threshold: number): number | null | undefined {
  if (metrics === undefined) return undefined;
  const hit = metrics.find((m) => m.testAccuracy >= threshold);
  return hit === undefined ? null : hit.epoch;
}

/** Display text for epochs-to-threshold over seeds: "mean ± std", "never", or "mean ± std (k never)". */
export function formatEpochsToReach(epochs: readonly (number | null)[]): string {
  const reached = epochs.filter((e): e is number => e !== null);
  const never = epochs.length - reached.length;
  if (epochs.length === 0) return '—';
  if (reached.length === 0) return 'never';
  const text = formatAggregate(aggregate(reached), 'count');
  return never === 0 ? text : `${text} (${never} never)`;
}

/** Builds the runs table, one row per run group. */
export function runsTable(groups: readonly RunGroup[], gridKeys: readonly string[]): ReportTable {
  const thresholdLabel = (t: number) => String(Math.round(t * 100));
  const headers = [
    ...gridKeys,
    'run',
    'n',
    SUMMARY_METRICS[0].header,
    SUMMARY_METRICS[1].header,
    ...ACCURACY_THRESHOLDS.map((t) => `epochs to ${thresholdLabel(t)}%`),
    ...SUMMARY_METRICS.slice(2).map((m) => m.header),
  ];
  const csvColumns = [
    ...gridKeys,
    'run',
    'n',
    ...meanStdColumns(SUMMARY_METRICS[0].column),
    ...meanStdColumns(SUMMARY_METRICS[1].column),
    ...ACCURACY_THRESHOLDS.flatMap((t) => [...meanStdColumns(`epochs_to_${thresholdLabel(t)}`), `epochs_to_${thresholdLabel(t)}_reached`]),
    ...SUMMARY_METRICS.slice(2).flatMap((m) => meanStdColumns(m.column)),
  ];
  const rows: string[][] = [];
  const csvRows: Record<string, unknown>[] = [];
  for (const group of groups) {
    const csv = groupCsv(group, gridKeys);
    csv.n = group.runs.length;
    const metricCells = SUMMARY_METRICS.map((m) => {
      const agg = aggregate(group.runs.map((run) => num(run.summary[m.column])));
      putAggregate(csv, m.column, agg);
      return formatAggregate(agg, m.kind);
    });
    const thresholdCells = ACCURACY_THRESHOLDS.map((t) => {
      const epochs = group.runs.map((run) => epochsToReach(run.metrics, t)).filter((e): e is number | null => e !== undefined);
      const reached = epochs.filter((e): e is number => e !== null);
      putAggregate(csv, `epochs_to_${thresholdLabel(t)}`, aggregate(reached));
      csv[`epochs_to_${thresholdLabel(t)}_reached`] = `${reached.length}/${epochs.length}`;
      return formatEpochsToReach(epochs);
    });
    rows.push([
      ...groupCells(group, gridKeys),
      formatNumber(group.runs.length, 'count'),
      metricCells[0],
      metricCells[1],
      ...thresholdCells,
      ...metricCells.slice(2),
    ]);
    csvRows.push(csv);
  }
  return {
    name: 'runs',
    title: 'Runs',
    description:
      'Mean ± sample standard deviation over seeds (n seeds; a single seed shows its value). Accuracies are on the ' +
      'test set in percent; "epochs to X%" is the first epoch whose test accuracy reached X%, or "never".',
    headers,
    ...groupLayout(headers, gridKeys),
    rows,
    csvColumns,
    csvRows,
  };
}
