// The anatomy summary as display text, shared by the printed table, anatomy.html and the report's section.
import { CONFIDENTLY_RIGHT, CONFIDENTLY_WRONG, type AnatomySummary } from './compute';

/** Four significant digits, exponent form below 1e-3. */
const number = (x: number) => (x !== 0 && Math.abs(x) < 1e-3 ? x.toExponential(2) : String(Number(x.toPrecision(4))));
const percent = (x: number) => `${(x * 100).toFixed(x < 0.1 ? 1 : 0)}%`;

/** The summary as a table: header and rows of text, one row per pair. */
export function summaryTable(summaries: readonly AnatomySummary[]): { header: string[]; rows: string[][] } {
  const header = [
    'output:loss',
    'gradient',
    `loss, p=${CONFIDENTLY_WRONG}`,
    `loss, p=${CONFIDENTLY_RIGHT}`,
    `max|∂L/∂z|, p=${CONFIDENTLY_WRONG}`,
    `max|∂L/∂z|, p=${CONFIDENTLY_RIGHT}`,
    'peak',
    'wrong/peak',
    'when confidently wrong',
  ];
  const rows = summaries.map((s) => [
    s.pair,
    s.gradient,
    number(s.loss_at_wrong),
    number(s.loss_at_right),
    number(s.grad_at_wrong),
    number(s.grad_at_right),
    number(s.grad_peak),
    percent(s.wrong_over_peak),
    s.verdict === 'vanishes' ? 'gradient vanishes (learning slowdown)' : 'gradient holds',
  ]);
  return { header, rows };
}
