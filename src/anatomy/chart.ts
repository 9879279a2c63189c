// The anatomy plot (Vega-Lite): loss and |∂L/∂z| against the output probability, one line per pair, log scales.
import type { AnatomyRow } from './compute';
import { CHART_STYLE } from '../report/chart-style';

const PANEL = { width: 280, height: 240 };
/** Log axes start here: a loss or gradient of 1e-9 near p = 1 would squeeze the region that matters. */
const LOG_FLOOR = 1e-5;

/** Shared look with the report's charts: readable fonts, left-aligned titles. */
const CONFIG = {
  ...CHART_STYLE,
  legend: { labelFontSize: 11, titleFontSize: 12, labelLimit: 720, orient: 'bottom', columns: 1 },
};

/**
 * Three panels: the loss against p_true, |∂L/∂z| at the true class's logit against p_true, and |∂L/∂z| at a wrong
 * class's logit against that class's probability. Log y scales from 1e-5 (values below are clipped, exact zeros left out).
 */
export function anatomySpec(rows: readonly AnatomyRow[]): Record<string, unknown> {
  const pairs = [...new Set(rows.map((r) => r.pair))];
  const color = {
    field: 'pair',
    type: 'nominal',
    title: 'output:loss',
    scale: { domain: pairs, scheme: pairs.length <= 10 ? 'tableau10' : 'tableau20' },
  };
  const panel = (title: string, sweep: string, field: string, xTitle: string, yTitle: string) => ({
    ...PANEL,
    title,
    transform: [{ filter: `datum.sweep === '${sweep}'` }, { calculate: `abs(datum.${field})`, as: 'y' }, { filter: 'datum.y > 0' }],
    mark: { type: 'line', strokeWidth: 2, clip: true },
    encoding: {
      x: { field: 'p', type: 'quantitative', title: xTitle, scale: { domain: [0, 1] } },
      y: { field: 'y', type: 'quantitative', title: yTitle, scale: { type: 'log', domainMin: LOG_FLOOR } },
      color,
    },
  });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: 'Loss anatomy: one example, K = 10 outputs',
      subtitle: 'the swept class at p, the other classes sharing 1 − p evenly; ∂L/∂z at the logits',
    },
    data: {
      values: rows.map(({ pair, sweep, p, loss_value, dLdz_true, dLdz_wrong }) => ({ pair, sweep, p, loss_value, dLdz_true, dLdz_wrong })),
    },
    hconcat: [
      panel('Loss', 'true', 'loss_value', 'p of the true class', 'loss (log scale)'),
      panel('|∂L/∂z| at the true class', 'true', 'dLdz_true', 'p of the true class', '|∂L/∂z_true| (log scale)'),
      panel('|∂L/∂z| at a wrong class', 'wrong', 'dLdz_wrong', 'p of that wrong class', '|∂L/∂z_wrong| (log scale)'),
    ],
    config: CONFIG,
  };
}
