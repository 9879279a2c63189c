// Renders a CompareResult for people: a fixed-width table of checks, the missing and added runs, and a verdict line.
import type { Check, CompareResult } from './compare';
import { describeTolerance, METRICS } from './tolerance';
import { textTableLines } from '../util/text-table';

/** Table columns, in order. */
export const TABLE_COLUMNS = ['metric', 'run', 'baseline', 'current', 'delta', 'tolerance', 'verdict'] as const;

/** The whole text report, ending in a newline. */
export function formatCompareText(result: CompareResult): string {
  const lines: string[] = [];
  lines.push(
    `losslab compare: current ${result.current.source} (${plural(result.current.runs, 'run')}) vs baseline ${result.baseline.source} (${plural(result.baseline.runs, 'run')})`,
  );
  const tolerances = METRICS.filter((metric) => result.tolerances[metric]).map(
    (metric) => `${metric} ${describeTolerance(result.tolerances[metric]!)}`,
  );
  lines.push(`tolerances: ${tolerances.join(', ') || 'none'}; replicates may also differ by k = ${result.k} baseline std`);
  lines.push('');
  lines.push(...textTableLines(TABLE_COLUMNS, result.checks.map(tableRow)));
  lines.push('');
  lines.push(`missing from current (FAIL): ${result.missing.join(', ') || 'none'}`);
  lines.push(`added in current (not compared): ${result.added.join(', ') || 'none'}`);
  if (result.baselineIncomplete.length > 0) {
    lines.push(`not complete in baseline (left out of the means): ${result.baselineIncomplete.join(', ')}`);
  }
  lines.push(`gradients: ${result.gradients.compared ? 'compared ' : ''}${result.gradients.reason}`);
  if (result.backends.differ) lines.push(backendsLine(result.backends));
  lines.push('');
  lines.push(verdictLine(result));
  return `${lines.join('\n')}\n`;
}

/**
 * The note for runs trained on different backends, e.g. wasm+openblas (OpenBLAS's sgemm) against wasm (XNNPACK):
 * both are float32, but sums run in another order, so values agree to rounding and the trajectories drift apart.
 */
export function backendsLine(backends: CompareResult['backends']): string {
  const list = (values: string[]) => values.join(', ') || 'unknown';
  const wasmOnly = [...backends.current, ...backends.baseline].every((b) => b.startsWith('wasm'));
  const what = wasmOnly ? 'another matMul path' : 'another backend';
  return `backends differ: current ${list(backends.current)}, baseline ${list(backends.baseline)} (${what}: float32 rounding differs, so runs agree within tolerance, not bit for bit; noted, not a failure)`;
}

/** "PASS: all 12 checks passed" or "FAIL: 2 of 12 checks failed, 1 run missing from current". */
export function verdictLine(result: CompareResult): string {
  const failedChecks = result.failures - result.missing.length;
  const total = result.checks.length;
  if (result.pass) return `PASS: all ${plural(total, 'check')} passed`;
  const parts: string[] = [];
  if (failedChecks > 0) parts.push(`${failedChecks} of ${plural(total, 'check')} failed`);
  if (result.missing.length > 0) parts.push(`${plural(result.missing.length, 'run')} missing from current`);
  return `FAIL: ${parts.join(', ')}`;
}

/** One check as table cells, in TABLE_COLUMNS order. */
export function tableRow(check: Check): string[] {
  if (check.kind === 'status') return ['status', check.run, check.baseline, check.current, '-', 'complete', check.verdict];
  if (check.kind === 'config') return ['config_hash', check.run, check.baseline, check.current, '-', 'equal', check.verdict];
  const metric = check.layer === undefined ? check.metric : `${check.metric}[${check.layer}]`;
  const run = check.runIds.length > 1 ? `${check.run} (n=${check.runIds.length})` : check.run;
  return [metric, run, formatNumber(check.baseline), formatNumber(check.current), formatDelta(check), formatBounds(check), check.verdict];
}

/** A number in at most 6 significant digits, without trailing zeros; NaN and Infinity spelled out. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  return String(Number(value.toPrecision(6)));
}

function formatSigned(value: number): string {
  return value >= 0 ? `+${formatNumber(value)}` : formatNumber(value);
}

function formatDelta(check: Extract<Check, { kind: 'metric' }>): string {
  return check.tolerance.kind === 'factor' ? `x${formatNumber(check.delta)}` : formatSigned(check.delta);
}

/** The allowed change: ">= -0.005", "<= +0.0123", "+/-0.01" for abs/rel; ">= x0.5", "<= x2", "x0.5..x2" for factor. */
function formatBounds(check: Extract<Check, { kind: 'metric' }>): string {
  const { low, high, baseline } = check;
  if (check.tolerance.kind === 'factor') {
    if (check.tolerance.direction === 'no-drop') return `>= x${formatNumber(low / baseline)}`;
    if (check.tolerance.direction === 'no-rise') return `<= x${formatNumber(high / baseline)}`;
    return `x${formatNumber(low / baseline)}..x${formatNumber(high / baseline)}`;
  }
  if (check.tolerance.direction === 'no-drop') return `>= ${formatSigned(low - baseline)}`;
  if (check.tolerance.direction === 'no-rise') return `<= ${formatSigned(high - baseline)}`;
  return `+/-${formatNumber(high - baseline)}`;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
