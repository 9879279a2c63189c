// The reference table: published numbers from experiment.json's `reference` block against the measured ones.
import { ReferenceSchema, type Reference } from '../config/schema';
import { formatAggregate, formatNumber, type NumberKind } from './number-format';
import type { RunGroup } from './groups';
import { num, type ResultsData } from './load';
import { aggregate, meanInterval } from '../stats';
import { csvNumber, type ReportTable } from './table';

export type { Reference };

/** Accuracy columns are better higher; every other metric (losses, times, steps) is better lower. */
export function higherIsBetter(metric: string): boolean {
  return metric.includes('accuracy');
}

function kindOf(metric: string): NumberKind {
  if (metric.includes('accuracy')) return 'percent';
  if (metric.endsWith('_s')) return 'seconds';
  return 'general';
}

/**
 * experiment.json's `reference` (undefined when absent). Its shape was checked by the results-folder validator with
 * the config schema, and its run names when the experiment file was validated; a value naming a run this folder does
 * not hold (a sweep run with --only) is shown with n = 0 and no measured value.
 */
export function readReference(data: ResultsData): Reference | undefined {
  const raw = data.experiment.reference;
  return raw === undefined || raw === null ? undefined : ReferenceSchema.parse(raw);
}

/** Builds the published-against-measured table (difference = measured − published). */
export function referenceTable(reference: Reference, groups: readonly RunGroup[]): ReportTable {
  const headers = ['run', 'metric', 'aggregate', 'n', 'published', 'measured', 'difference', '95% interval of difference'];
  const csvColumns = [
    ...['run', 'metric', 'aggregate', 'n', 'published', 'measured', 'measured_std', 'difference'],
    ...['difference_ci_low', 'difference_ci_high'],
  ];
  const rows: string[][] = [];
  const csvRows: Record<string, unknown>[] = [];
  for (const entry of reference.values) {
    const runs = groups.find((g) => g.name === entry.run)?.runs ?? [];
    const values = runs.map((run) => num(run.summary[entry.metric]));
    const agg = aggregate(values);
    const kind = kindOf(entry.metric);
    const unit = kind === 'percent' ? '%' : '';
    let measured: number | undefined;
    let measuredText = '—';
    let measuredStd: number | undefined;
    if (agg !== undefined && entry.aggregate === 'mean') {
      measured = agg.mean;
      measuredStd = agg.std;
      measuredText = formatAggregate(agg, kind) + unit;
    } else if (agg !== undefined) {
      measured = higherIsBetter(entry.metric) ? agg.max : agg.min;
      measuredText = formatNumber(measured, kind) + unit;
    }
    const difference = measured === undefined ? undefined : measured - entry.value;
    const points = kind === 'percent' ? ' pp' : '';
    const signed = (value: number) => `${value >= 0 ? '+' : '−'}${formatNumber(Math.abs(value), kind)}`;
    const differenceText = difference === undefined ? '—' : signed(difference) + points;
    // The t interval of the mean, shifted by the published number; a best seed is a maximum, which has no such interval.
    const interval = entry.aggregate === 'mean' ? meanInterval(values) : undefined;
    const ciLow = interval && interval.low - entry.value;
    const ciHigh = interval && interval.high - entry.value;
    const intervalText =
      ciLow !== undefined && ciHigh !== undefined
        ? `[${signed(ciLow)}, ${signed(ciHigh)}]${points}`
        : values.length === 0
          ? '—'
          : entry.aggregate === 'best'
            ? `best of ${values.length}: no interval`
            : '1 seed: no interval';
    rows.push([
      entry.run,
      entry.metric,
      entry.aggregate,
      String(values.length),
      formatNumber(entry.value, kind) + unit,
      measuredText,
      differenceText,
      intervalText,
    ]);
    csvRows.push({
      run: entry.run,
      metric: entry.metric,
      aggregate: entry.aggregate,
      n: values.length,
      published: entry.value,
      measured: csvNumber(measured),
      measured_std: csvNumber(measuredStd),
      difference: csvNumber(difference),
      difference_ci_low: csvNumber(ciLow),
      difference_ci_high: csvNumber(ciHigh),
    });
  }
  const notes = reference.notes ? ` ${reference.notes}` : '';
  return {
    name: 'reference',
    title: 'Against the published results',
    description:
      `Published: ${reference.source}${reference.url ? ` (${reference.url})` : ''}.${notes} ` +
      'Measured is the best seed or the mean ± std over seeds, as the reference asks; difference is measured − published ' +
      "(pp: percentage points), with the 95% t interval of the mean's difference where the mean is compared. A published " +
      'number from a single run has its own seed-to-seed spread, which this interval does not include.',
    headers,
    align: ['left', 'left', 'left', 'right', 'right', 'right', 'right', 'right'],
    rows,
    groupColumns: 1,
    csvColumns,
    csvRows,
  };
}
