// The report's table model: display text for Markdown/HTML/LaTeX and raw numbers for the tidy CSV, built together.
import type { Aggregate } from '../stats';
import { baseRunName, gridValueText } from '../util/grid-text';
import type { RunGroup } from './groups';

export type Align = 'left' | 'right';

/** One report table in both forms. */
export interface ReportTable {
  /** File stem under tables/ ("runs" -> tables/runs.csv). */
  name: string;
  title: string;
  /** One or two sentences on how to read the table. */
  description: string;
  headers: string[];
  align: Align[];
  /** Display rows, one string per header. */
  rows: string[][];
  /** Leading columns (grid keys and run name) whose repeated values are blanked in display forms. */
  groupColumns: number;
  csvColumns: string[];
  /** Raw values: fractions stay fractions, std is empty for n = 1. */
  csvRows: Record<string, unknown>[];
}

/**
 * Layout of a table that starts with the group cells (one column per grid key, then the run name): those columns
 * left-aligned and blanked where they repeat, the numbers after them right-aligned, and `textColumns` (indexes of
 * further text columns) left-aligned too.
 */
export function groupLayout(
  headers: readonly string[],
  gridKeys: readonly string[],
  textColumns: readonly number[] = [],
): Pick<ReportTable, 'align' | 'groupColumns'> {
  return {
    align: headers.map((_, i) => (i <= gridKeys.length || textColumns.includes(i) ? 'left' : 'right')),
    groupColumns: gridKeys.length + 1,
  };
}

/** Leading display cells for a group: one per grid key, then the run name. */
export function groupCells(group: RunGroup, gridKeys: readonly string[]): string[] {
  return [...gridKeys.map((key) => gridValueText(group.gridValues[key])), displayName(group, gridKeys)];
}

/** The run column: with grid columns beside it, the name without its generated grid suffix. */
function displayName(group: RunGroup, gridKeys: readonly string[]): string {
  return gridKeys.length > 0 ? baseRunName(group.name) : group.name;
}

/** Leading CSV cells for a group, keyed like the headers. */
export function groupCsv(group: RunGroup, gridKeys: readonly string[]): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (const key of gridKeys) row[key] = gridValueText(group.gridValues[key]);
  row.run = displayName(group, gridKeys);
  return row;
}

/** `<prefix>_mean` and `<prefix>_std` column names. */
export function meanStdColumns(prefix: string): string[] {
  return [`${prefix}_mean`, `${prefix}_std`];
}

/** A number for the CSV tables, to 12 significant digits so float noise (0.30000000000000004) does not show. */
export function csvNumber(value: number | undefined): number | undefined {
  return value === undefined || !Number.isFinite(value) ? value : Number(value.toPrecision(12));
}

/** Sets `<prefix>_mean` and `<prefix>_std` on a CSV row (empty when undefined). */
export function putAggregate(row: Record<string, unknown>, prefix: string, agg: Aggregate | undefined): void {
  row[`${prefix}_mean`] = csvNumber(agg?.mean);
  row[`${prefix}_std`] = csvNumber(agg?.std);
}

/** Display rows with a leading column's value blanked where it repeats the row above (and all columns before it do). */
export function blankRepeats(rows: readonly string[][], groupColumns: number): string[][] {
  return rows.map((row, r) => {
    if (r === 0) return [...row];
    const above = rows[r - 1];
    const out = [...row];
    for (let c = 0; c < groupColumns && row[c] === above[c]; c++) out[c] = '';
    return out;
  });
}
