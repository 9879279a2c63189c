// Vega-Lite specifications of the report's plots, built from the run groups' metrics and gradients.
import type { RunGroup } from './groups';
import { layerGradientStats, preactivationLayers } from './gradients-table';
import { aggregate } from '../stats';
import { COMPARED_METRICS } from './differences-table';
import type { ReportTable } from './table';
import { baseRunName, gridValueText } from '../util/grid-text';
import { CHART_STYLE } from './chart-style';

/**
 * A run group's name in legends: a grid run reads `base · value · value` ("sigmoid-mse · normal-fan-in") rather than
 * its full generated name, which legends would cut off before the part that tells the runs apart.
 */
function seriesName(group: RunGroup): string {
  const values = Object.values(group.gridValues);
  return values.length === 0 ? group.name : [baseRunName(group.name), ...values.map(gridValueText)].join(' · ');
}

/** A plot: its file stem under plots/, its title, a caption for readers, and its Vega-Lite spec. */
export interface ChartSpec {
  name: string;
  title: string;
  caption: string;
  spec: Record<string, unknown>;
}

/** Most points per line in the per-step gradient plot; longer runs are thinned to every k-th recorded step. */
export const MAX_STEP_POINTS = 300;

const WIDTH = 560;
const HEIGHT = 300;

/** Shared look: readable fonts, left-aligned titles, room for long run names in the legend. */
const CONFIG = {
  ...CHART_STYLE,
  legend: { labelFontSize: 11, titleFontSize: 12, labelLimit: 480, orient: 'right' },
  header: { labelFontSize: 12, titleFontSize: 12 },
};

/** One colour per run group, the same in every plot. */
function colorScale(groups: readonly RunGroup[]) {
  return { domain: groups.map(seriesName), scheme: groups.length <= 10 ? 'tableau10' : 'tableau20' };
}

interface Band {
  run: string;
  epoch: number;
  mean: number;
  min: number;
  max: number;
}

/** Per group and epoch, the mean, min and max over the seeds that have that epoch. */
function epochBands(groups: readonly RunGroup[], pick: (m: { trainLoss: number; testAccuracy: number }) => number, scale = 1): Band[] {
  const bands: Band[] = [];
  for (const group of groups) {
    const byEpoch = new Map<number, number[]>();
    for (const run of group.runs) {
      for (const row of run.metrics ?? []) {
        const value = pick(row);
        if (!Number.isFinite(value)) continue;
        byEpoch.set(row.epoch, [...(byEpoch.get(row.epoch) ?? []), value * scale]);
      }
    }
    for (const [epoch, values] of [...byEpoch.entries()].sort((a, b) => a[0] - b[0])) {
      const agg = aggregate(values)!;
      bands.push({ run: seriesName(group), epoch, mean: agg.mean, min: agg.min, max: agg.max });
    }
  }
  return bands;
}

/** A mean line with a min–max band per run group, against epoch. */
function bandChart(
  groups: readonly RunGroup[],
  values: Band[],
  title: string,
  subtitle: string,
  yTitle: string,
  yScale: Record<string, unknown>,
): Record<string, unknown> {
  // The legend would take the band's opacity from the first layer; an opaque stroke symbol matches the line.
  const legend = { symbolType: 'stroke', symbolStrokeWidth: 3, symbolOpacity: 1, labelLimit: 480 };
  const color = { field: 'run', type: 'nominal', title: 'run', scale: colorScale(groups), legend };
  const x = { field: 'epoch', type: 'quantitative', title: 'epoch', axis: { tickMinStep: 1 } };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: title, subtitle },
    width: WIDTH,
    height: HEIGHT,
    data: { values },
    encoding: { x },
    layer: [
      {
        mark: { type: 'area', opacity: 0.18 },
        encoding: { y: { field: 'min', type: 'quantitative', title: yTitle, scale: yScale }, y2: { field: 'max' }, color },
      },
      {
        mark: { type: 'line', strokeWidth: 2, point: { filled: true, size: 28 } },
        encoding: { y: { field: 'mean', type: 'quantitative', title: yTitle, scale: yScale }, color },
      },
    ],
    config: CONFIG,
  };
}

/** Test accuracy (%) against epoch, mean over seeds with a min–max band. */
export function testAccuracyChart(groups: readonly RunGroup[]): ChartSpec {
  const values = epochBands(groups, (m) => m.testAccuracy, 100);
  return {
    name: 'test-accuracy',
    title: 'Test accuracy by epoch',
    caption: 'Line: mean over seeds; band: lowest to highest seed. Epoch 0 is before training.',
    spec: bandChart(groups, values, 'Test accuracy by epoch', 'mean over seeds, band = min–max', 'test accuracy (%)', { zero: false }),
  };
}

/** Training loss against epoch, mean over seeds with a min–max band; log scale when every value is positive. */
export function trainLossChart(groups: readonly RunGroup[]): ChartSpec {
  const values = epochBands(groups, (m) => m.trainLoss);
  const log = values.length > 0 && values.every((v) => v.min > 0);
  return {
    name: 'train-loss',
    title: 'Training loss by epoch',
    caption: `Line: mean over seeds; band: lowest to highest seed${log ? '; log scale' : ''}. Losses of different loss functions are on their own scales.`,
    spec: bandChart(
      groups,
      values,
      'Training loss by epoch',
      `mean over seeds, band = min–max${log ? ', log scale' : ''}`,
      'training loss',
      log ? { type: 'log' } : { zero: false },
    ),
  };
}

interface StepPoint {
  run: string;
  layer: string;
  tensor: string;
  step: number;
  l2: number;
}

/** Mean L2 over seeds per (group, layer, tensor, step), thinned to at most MAX_STEP_POINTS steps per line. */
function stepSeries(groups: readonly RunGroup[], tensors: readonly string[]): StepPoint[] {
  const points: StepPoint[] = [];
  for (const group of groups) {
    const series = new Map<string, Map<number, number[]>>();
    for (const run of group.runs) {
      for (const p of run.gradients ?? []) {
        if (!tensors.includes(p.tensor) || !(p.l2 > 0)) continue; // log scale: zeros and NaN cannot be drawn
        // A conv layer's label says so; dense layers keep the plain "layer i" of an MLP.
        const key = `${p.layer}${p.kind !== 'dense' ? ` · ${p.kind}` : ''}|${p.tensor}`;
        let bySteps = series.get(key);
        if (bySteps === undefined) series.set(key, (bySteps = new Map<number, number[]>()));
        const values = bySteps.get(p.step);
        if (values === undefined) bySteps.set(p.step, [p.l2]);
        else values.push(p.l2);
      }
    }
    for (const [key, bySteps] of series) {
      const [layer, tensor] = key.split('|');
      const steps = [...bySteps.keys()].sort((a, b) => a - b);
      const stride = Math.ceil(steps.length / MAX_STEP_POINTS);
      steps.forEach((step, i) => {
        if (i % stride !== 0 && i !== steps.length - 1) return;
        points.push({ run: seriesName(group), layer: `layer ${layer}`, tensor, step, l2: aggregate(bySteps.get(step)!)!.mean });
      });
    }
  }
  return points;
}

/** Pre-activation and kernel gradient L2 against step on a log scale: a column per layer, a row per tensor. */
export function gradientByStepChart(groups: readonly RunGroup[]): ChartSpec {
  const values = stepSeries(groups, ['preactivation', 'kernel']);
  const layers = new Set(values.map((v) => v.layer)).size;
  const panelWidth = Math.max(150, Math.min(260, Math.floor(780 / Math.max(1, layers))));
  return {
    name: 'gradient-l2-by-step',
    title: 'Gradient L2 by step and layer',
    caption:
      "Mean over seeds of the L2 norm of the gradient with respect to each layer's pre-activations (top) and kernel " +
      `(bottom), log scale; layer 0 is next to the input. Lines are thinned to at most ${MAX_STEP_POINTS} recorded steps.`,
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title: { text: 'Gradient L2 by step and layer', subtitle: 'mean over seeds, log scale' },
      data: { values },
      facet: {
        row: { field: 'tensor', type: 'nominal', title: null, sort: ['preactivation', 'kernel'], header: { labelFontWeight: 'bold' } },
        column: { field: 'layer', type: 'ordinal', title: null, header: { labelFontWeight: 'bold' } },
      },
      spec: {
        width: panelWidth,
        height: 190,
        mark: { type: 'line', strokeWidth: 1.5, clip: true },
        encoding: {
          x: { field: 'step', type: 'quantitative', title: 'step', axis: { tickMinStep: 1, format: ',d' } },
          y: { field: 'l2', type: 'quantitative', title: 'gradient L2', scale: { type: 'log' } },
          color: {
            field: 'run',
            type: 'nominal',
            title: 'run',
            scale: colorScale(groups),
            legend: { orient: 'bottom', direction: 'vertical', labelLimit: 480 },
          },
        },
      },
      resolve: { scale: { y: 'shared' } },
      config: CONFIG,
    },
  };
}

/** Pre-activation gradient L2 at step 0 against layer, per group: the picture of vanishing gradients. */
export function step0ByLayerChart(groups: readonly RunGroup[]): ChartSpec {
  const values: { run: string; layer: number; mean: number; min: number; max: number }[] = [];
  for (const group of groups) {
    const byLayer = new Map<number, number[]>();
    for (const run of group.runs) {
      const points = run.gradients ?? [];
      for (const layer of preactivationLayers(points)) {
        const l2 = layerGradientStats(points, layer)!.l2Step0;
        if (l2 > 0) byLayer.set(layer, [...(byLayer.get(layer) ?? []), l2]);
      }
    }
    for (const [layer, l2s] of [...byLayer.entries()].sort((a, b) => a[0] - b[0])) {
      const agg = aggregate(l2s)!;
      values.push({ run: seriesName(group), layer, mean: agg.mean, min: agg.min, max: agg.max });
    }
  }
  const color = { field: 'run', type: 'nominal', title: 'run', scale: colorScale(groups) };
  const y = { field: 'mean', type: 'quantitative', title: 'pre-activation gradient L2 at step 0', scale: { type: 'log' } };
  return {
    name: 'gradient-l2-step0-by-layer',
    title: 'Gradient L2 at step 0 by layer',
    caption:
      'Mean over seeds (whiskers: lowest to highest seed) of the pre-activation gradient L2 at the first step, log scale. ' +
      'A line falling towards layer 0 (the input side) shows vanishing gradients; a rising one, exploding gradients.',
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title: { text: 'Gradient L2 at step 0 by layer', subtitle: 'pre-activation gradient, mean over seeds, log scale' },
      width: WIDTH,
      height: HEIGHT,
      data: { values },
      encoding: {
        x: { field: 'layer', type: 'ordinal', title: 'layer (0 = input side)', axis: { labelAngle: 0 } },
        color,
      },
      layer: [
        { mark: { type: 'rule', strokeWidth: 1.5 }, encoding: { y: { ...y, field: 'min' }, y2: { field: 'max' } } },
        { mark: { type: 'line', strokeWidth: 2 }, encoding: { y } },
        { mark: { type: 'point', filled: true, size: 50 }, encoding: { y } },
      ],
      config: CONFIG,
    },
  };
}

/**
 * The differences table as an interval chart: per metric (a panel each, its own scale), a point at each pair's
 * difference with a line over its 95% interval, coloured by whether Holm calls it resolved, and a zero line.
 * Rows without an interval are left out.
 */
export function differencesChart(table: ReportTable, gridKeys: readonly string[]): ChartSpec {
  const values = table.csvRows
    .filter((row) => row.ci_low !== undefined && row.ci_high !== undefined)
    .map((row) => {
      const metric = COMPARED_METRICS.find((m) => m.name === row.metric)!;
      const scale = metric.kind === 'percent' ? 100 : 1;
      const grid = gridKeys.map((key) => String(row[key]));
      return {
        metric: metric.kind === 'percent' ? `${metric.header} (pp)` : metric.header,
        pair: [`${String(row.run)} − ${String(row.vs)}`, ...grid].join(' · '),
        difference: (row.difference as number) * scale,
        low: (row.ci_low as number) * scale,
        high: (row.ci_high as number) * scale,
        verdict: row.resolved === true ? 'resolved (Holm p < 0.05)' : 'not resolved',
      };
    });
  const y = { field: 'pair', type: 'nominal', title: null, sort: null, axis: { labelLimit: 640 } };
  const color = {
    field: 'verdict',
    type: 'nominal',
    title: null,
    scale: { domain: ['resolved (Holm p < 0.05)', 'not resolved'], range: ['#1f77b4', '#aaaaaa'] },
    legend: { orient: 'top' },
  };
  const metrics = [...new Set(values.map((v) => v.metric))];
  const panel = (metric: string) => ({
    title: { text: metric, fontSize: 13, subtitle: '' },
    width: 420,
    height: { step: 22 },
    transform: [{ filter: { field: 'metric', equal: metric } }],
    layer: [
      { mark: { type: 'rule', strokeDash: [4, 3], color: '#555' }, encoding: { x: { datum: 0 } } },
      {
        mark: { type: 'rule', strokeWidth: 2 },
        encoding: {
          y,
          x: { field: 'low', type: 'quantitative', title: 'difference (run − vs)', scale: { zero: true, padding: 16 } },
          x2: { field: 'high' },
          color,
        },
      },
      {
        mark: { type: 'point', filled: true, size: 50, opacity: 1 },
        encoding: { y, x: { field: 'difference', type: 'quantitative' }, color },
      },
    ],
  });
  return {
    name: 'differences',
    title: 'Differences with their 95% intervals',
    caption:
      "Each pair's difference of means (point) and its 95% interval (line), one panel per metric on its own scale. An " +
      'interval that crosses the dashed zero line does not tell the runs apart; blue ones stay resolved after Holm.',
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title: { text: 'Differences between runs', subtitle: 'difference of means with its 95% interval; dashed line = no difference' },
      data: { values },
      vconcat: metrics.map(panel),
      resolve: { scale: { color: 'shared' } },
      config: CONFIG,
    },
  };
}

/** The report's plots, in reading order; plots without data are left out. */
export function reportCharts(groups: readonly RunGroup[]): ChartSpec[] {
  const charts = [testAccuracyChart(groups), trainLossChart(groups), gradientByStepChart(groups), step0ByLayerChart(groups)];
  return charts.filter((c) => (c.spec.data as { values: unknown[] }).values.length > 0);
}
