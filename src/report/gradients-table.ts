// The gradient tables: per-layer pre-activation gradient L2 and saturation, and the first-to-last layer ratio.
import { formatAggregate, formatNumber } from './number-format';
import type { RunGroup } from './groups';
import type { GradientPoint, RunData } from './load';
import { aggregate, mean } from '../stats';
import { groupCells, groupCsv, groupLayout, meanStdColumns, putAggregate, type ReportTable } from './table';

/** Below this first/last ratio the table reads "vanishing", above its inverse "exploding". */
export const VANISHING_RATIO = 0.1;

/** Per-layer statistics of one run's pre-activation gradient. */
export interface LayerGradientStats {
  layer: number;
  /** dense or conv2d. */
  kind: string;
  /** L2 at the first recorded step (step 0). */
  l2Step0: number;
  /** Mean L2 over the recorded steps of the first epoch (the rows sharing the first row's epoch). */
  l2FirstEpoch: number;
  /** L2 at the last recorded step. */
  l2Last: number;
  saturatedStep0: number;
  saturatedLast: number;
}

/** Pre-activation rows by layer, each list sorted by step. */
function preactivationByLayer(points: readonly GradientPoint[]): Map<number, GradientPoint[]> {
  const byLayer = new Map<number, GradientPoint[]>();
  for (const p of points) {
    if (p.tensor !== 'preactivation') continue;
    const rows = byLayer.get(p.layer);
    if (rows === undefined) byLayer.set(p.layer, [p]);
    else rows.push(p);
  }
  for (const rows of byLayer.values()) rows.sort((a, b) => a.step - b.step);
  return byLayer;
}

/** Layers with pre-activation rows, ascending. */
export function preactivationLayers(points: readonly GradientPoint[]): number[] {
  return [...allLayerStats(points).keys()];
}

/** Statistics of one run's layer, or undefined when the run recorded nothing for it. */
export function layerGradientStats(points: readonly GradientPoint[], layer: number): LayerGradientStats | undefined {
  return allLayerStats(points).get(layer);
}

/*
 * A run's gradients.csv can hold 1e5+ rows and every table asks about each layer, so its per-layer statistics are
 * computed once per row array and remembered for as long as the array lives.
 */
const statsCache = new WeakMap<readonly GradientPoint[], Map<number, LayerGradientStats>>();

/** Statistics of every layer with pre-activation rows, by ascending layer. */
function allLayerStats(points: readonly GradientPoint[]): Map<number, LayerGradientStats> {
  const cached = statsCache.get(points);
  if (cached !== undefined) return cached;
  const stats = new Map<number, LayerGradientStats>();
  const byLayer = preactivationByLayer(points);
  for (const layer of [...byLayer.keys()].sort((a, b) => a - b)) {
    const rows = byLayer.get(layer)!;
    const first = rows[0];
    const last = rows[rows.length - 1];
    const firstEpoch = rows.filter((r) => r.epoch === first.epoch);
    stats.set(layer, {
      layer,
      kind: first.kind,
      l2Step0: first.l2,
      l2FirstEpoch: mean(firstEpoch.map((r) => r.l2)),
      l2Last: last.l2,
      saturatedStep0: first.saturatedFraction,
      saturatedLast: last.saturatedFraction,
    });
  }
  statsCache.set(points, stats);
  return stats;
}

/** Layer 0's step-0 pre-activation gradient L2 divided by the last layer's; undefined without two layers. */
export function firstToLastRatio(run: RunData): number | undefined {
  const layers = preactivationLayers(run.gradients ?? []);
  if (layers.length < 2) return undefined;
  const first = layerGradientStats(run.gradients!, layers[0])!;
  const last = layerGradientStats(run.gradients!, layers[layers.length - 1])!;
  return first.l2Step0 / last.l2Step0;
}

/** "vanishing" below 0.1, "exploding" above 10, otherwise "within 10×". */
export function ratioReading(ratio: number): string {
  if (Number.isNaN(ratio)) return '—';
  if (ratio < VANISHING_RATIO) return 'vanishing';
  if (ratio > 1 / VANISHING_RATIO) return 'exploding';
  return 'within 10×';
}

const LAYER_COLUMNS = [
  { key: 'l2Step0', csv: 'preact_l2_step0', header: 'preact. grad L2, step 0', kind: 'general' },
  { key: 'l2FirstEpoch', csv: 'preact_l2_epoch1', header: 'mean over epoch 1', kind: 'general' },
  { key: 'l2Last', csv: 'preact_l2_last', header: 'at last step', kind: 'general' },
  { key: 'saturatedStep0', csv: 'saturated_step0', header: 'saturated/dead, step 0 (%)', kind: 'percent' },
  { key: 'saturatedLast', csv: 'saturated_last', header: 'saturated/dead, last step (%)', kind: 'percent' },
] as const;

/** Builds the per-group, per-layer gradient table. */
export function gradientsTable(groups: readonly RunGroup[], gridKeys: readonly string[]): ReportTable {
  const headers = [...gridKeys, 'run', 'layer', 'n', ...LAYER_COLUMNS.map((c) => c.header)];
  const csvColumns = [...gridKeys, 'run', 'layer', 'layer_kind', 'n', ...LAYER_COLUMNS.flatMap((c) => meanStdColumns(c.csv))];
  // The layer cell names the kind (e.g. "0 conv2d") once any run has a layer that is not dense.
  const anyNotDense = groups.some((g) => g.runs.some((run) => run.gradients?.some((p) => p.kind !== 'dense')));
  const rows: string[][] = [];
  const csvRows: Record<string, unknown>[] = [];
  for (const group of groups) {
    const withGradients = group.runs.filter((run) => run.gradients !== undefined);
    const layers = [...new Set(withGradients.flatMap((run) => preactivationLayers(run.gradients!)))].sort((a, b) => a - b);
    for (const layer of layers) {
      const stats = withGradients
        .map((run) => layerGradientStats(run.gradients!, layer))
        .filter((s): s is LayerGradientStats => s !== undefined);
      const kind = stats[0]?.kind ?? '';
      const csv = { ...groupCsv(group, gridKeys), layer, layer_kind: kind, n: stats.length };
      const cells = LAYER_COLUMNS.map((column) => {
        const values = stats.map((s) => s[column.key]);
        // Saturation is empty for layers without an activation derivative (e.g. softmax outputs).
        const agg = values.every(Number.isNaN) ? undefined : aggregate(values);
        putAggregate(csv, column.csv, agg);
        return formatAggregate(agg, column.kind);
      });
      rows.push([
        ...groupCells(group, gridKeys),
        anyNotDense ? `${layer} ${kind}` : String(layer),
        formatNumber(stats.length, 'count'),
        ...cells,
      ]);
      csvRows.push(csv);
    }
  }
  return {
    name: 'gradients',
    title: 'Gradients by layer',
    description:
      "L2 norm of the loss gradient with respect to each layer's pre-activations (layers with parameters, 0 next to the input; " +
      'for a conv2d layer over all N×H×W×C units), ' +
      'mean ± std over seeds: at step 0, averaged over the first epoch, and at the last recorded step. ' +
      'Saturated/dead is the percentage of units whose activation derivative is below 1% of its maximum ' +
      '(sigmoid, tanh) or zero (relu).',
    headers,
    ...groupLayout(headers, gridKeys),
    rows,
    csvColumns,
    csvRows,
  };
}

/** Builds the per-group table of layer 0 / last layer pre-activation gradient L2 at step 0. */
export function gradientFlowTable(groups: readonly RunGroup[], gridKeys: readonly string[]): ReportTable {
  const headers = [...gridKeys, 'run', 'n', 'layers', 'layer 0 ÷ last layer, step 0', 'reading'];
  const csvColumns = [...gridKeys, 'run', 'n', 'layers', ...meanStdColumns('ratio'), 'reading'];
  const rows: string[][] = [];
  const csvRows: Record<string, unknown>[] = [];
  for (const group of groups) {
    const ratios = group.runs.map(firstToLastRatio).filter((r): r is number => r !== undefined);
    const layerCounts = new Set(group.runs.map((run) => preactivationLayers(run.gradients ?? []).length));
    const layers = [...layerCounts].filter((c) => c > 0).join('/');
    const agg = aggregate(ratios);
    const reading = agg === undefined ? '—' : ratioReading(agg.mean);
    rows.push([
      ...groupCells(group, gridKeys),
      formatNumber(ratios.length, 'count'),
      layers || '—',
      formatAggregate(agg, 'general'),
      reading,
    ]);
    const csv = { ...groupCsv(group, gridKeys), n: ratios.length, layers, reading };
    putAggregate(csv, 'ratio', agg);
    csvRows.push(csv);
  }
  return {
    name: 'gradient-flow',
    title: 'Gradient flow at initialisation',
    description:
      'Pre-activation gradient L2 of layer 0 divided by that of the last layer, at step 0, mean ± std over seeds. ' +
      `Below ${VANISHING_RATIO} the gradient vanishes on its way to the input; above ${1 / VANISHING_RATIO} it explodes.`,
    headers,
    // The last column, the reading ("vanishes", …), is text.
    ...groupLayout(headers, gridKeys, [headers.length - 1]),
    rows,
    csvColumns,
    csvRows,
  };
}
