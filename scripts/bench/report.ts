// The bench's results as CSV rows and as the markdown table docs/benchmark.md quotes: medians of paired ratios with
// their range, targets met or missed, and the date, load and command beside every absolute time.
import { pairedRatio, type PairedRatio, type SliceTime } from './paired';
import type { JobsMeasurement } from './jobs';
import { ratiosOf, type ArmSpec, type RatioSpec } from './workloads';

export type Clock = 'cpu' | 'wall';

/** What one arm measured over its epoch. */
export interface ArmResult {
  spec: ArmSpec;
  slices: SliceTime[];
  /** Images in the measured epoch (times are scaled to 60,000). */
  examples: number;
  meanLoss: number;
  numTensors: number | '';
}

/** The setting of a bench invocation, printed above its tables. */
export interface BenchMeta {
  date: Date;
  command: string;
  machine: string;
  /** 1-minute load averages sampled during the bench. */
  loads: number[];
  cores: number;
  versions: string[];
  examples: number;
  slices: number;
  clock: Clock;
  durationSeconds: number;
  /** Median parent-side cost of one alternation (request round trip minus the slice's own wall time), seconds. */
  alternationSeconds?: number;
  notes: string[];
}

export const ARM_COLUMNS = [
  'workload',
  'batch_size',
  'runner',
  'variant',
  's_per_epoch',
  'ratio_vs_pytorch',
  'ratio_vs_pytorch_min',
  'ratio_vs_pytorch_max',
  'wall_s_per_epoch',
  'cpu_s_per_epoch',
  'examples',
  'mean_loss',
  'tf_num_tensors',
] as const;
export const RATIO_COLUMNS = ['ratio', 'numerator', 'denominator', 'median', 'min', 'max', 'pairs', 'clock', 'target', 'status'] as const;
export const SLICE_COLUMNS = ['arm', 'round', 'from_step', 'to_step', 'wall_s', 'cpu_s'] as const;

const round = (value: number, digits: number) => Number(value.toFixed(digits));
const EPOCH = 60000;

function secondsOf(slice: SliceTime, clock: Clock): number {
  return clock === 'cpu' ? slice.cpuSeconds : slice.seconds;
}

/** An arm's seconds per 60,000 images on `clock` (its slices summed, scaled when it trained on fewer). */
export function secondsPerEpoch(arm: ArmResult, clock: Clock): number {
  return (arm.slices.reduce((sum, slice) => sum + secondsOf(slice, clock), 0) * EPOCH) / arm.examples;
}

/** A quoted ratio, measured: its spec, the paired statistics, and whether it meets its target. */
export interface RatioResult extends PairedRatio {
  spec: RatioSpec;
  status: '' | 'met' | 'missed';
}

/** Every ratio of ratiosOf(arms) whose two arms both measured, slice by slice on `clock`. */
export function measureRatios(arms: readonly ArmResult[], clock: Clock): RatioResult[] {
  const byId = new Map(arms.map((arm) => [arm.spec.id, arm]));
  return ratiosOf(arms.map((arm) => arm.spec)).map((spec) => {
    const numerator = byId.get(spec.numerator)!.slices.map((s) => secondsOf(s, clock));
    const denominator = byId.get(spec.denominator)!.slices.map((s) => secondsOf(s, clock));
    const ratio = pairedRatio(numerator, denominator);
    return { ...ratio, spec, status: targetStatus(ratio.median, spec.target) };
  });
}

function targetStatus(value: number, target: RatioSpec['target']): RatioResult['status'] {
  if (!target) return '';
  const met = (target.max === undefined || value <= target.max) && (target.min === undefined || value >= target.min);
  return met ? 'met' : 'missed';
}

/** bench.csv rows: one per arm, with its ratio to PyTorch when both ran. */
export function armRows(arms: readonly ArmResult[], ratios: readonly RatioResult[], clock: Clock): Record<string, string | number>[] {
  return arms.map((arm) => {
    const torch = ratios.find((r) => r.spec.numerator === arm.spec.id && r.spec.denominator.endsWith('/pytorch/pytorch'));
    return {
      workload: arm.spec.workload.id,
      batch_size: arm.spec.workload.batchSize,
      runner: arm.spec.runner,
      variant: arm.spec.variant,
      s_per_epoch: round(secondsPerEpoch(arm, clock), 3),
      ratio_vs_pytorch: torch ? round(torch.median, 3) : '',
      ratio_vs_pytorch_min: torch ? round(torch.min, 3) : '',
      ratio_vs_pytorch_max: torch ? round(torch.max, 3) : '',
      wall_s_per_epoch: round(secondsPerEpoch(arm, 'wall'), 3),
      cpu_s_per_epoch: round(secondsPerEpoch(arm, 'cpu'), 3),
      examples: arm.examples,
      mean_loss: round(arm.meanLoss, 4),
      tf_num_tensors: arm.numTensors,
    };
  });
}

/** ratios.csv rows. */
export function ratioRows(ratios: readonly RatioResult[], clock: Clock): Record<string, string | number>[] {
  return ratios.map((r) => ({
    ratio: r.spec.name,
    numerator: r.spec.numerator,
    denominator: r.spec.denominator,
    median: round(r.median, 3),
    min: round(r.min, 3),
    max: round(r.max, 3),
    pairs: r.pairs,
    clock,
    target: describeTarget(r.spec.target),
    status: r.status,
  }));
}

/** slices.csv rows: every slice of every arm, for anyone who wants other statistics. */
export function sliceRows(arms: readonly ArmResult[]): Record<string, string | number>[] {
  return arms.flatMap((arm) =>
    arm.slices.map((slice) => ({
      arm: arm.spec.id,
      round: slice.round,
      from_step: slice.from,
      to_step: slice.to,
      wall_s: round(slice.seconds, 5),
      cpu_s: round(slice.cpuSeconds, 5),
    })),
  );
}

/** --jobs 1 ÷ --jobs 2 over alternating pairs (wall clock), with its target. */
export function jobsRatio(measured: readonly JobsMeasurement[]): RatioResult | undefined {
  const pairs = [...new Set(measured.map((m) => m.pair))];
  const wall = (jobs: number) => pairs.map((pair) => measured.find((m) => m.pair === pair && m.jobs === jobs)?.wall_s ?? NaN);
  if (pairs.length === 0 || measured.some((m) => m.exit_code !== 0)) return undefined;
  const ratio = pairedRatio(wall(1), wall(2));
  const spec: RatioSpec = {
    // Not starting with '-': the CSV writer would quote such a cell as a possible spreadsheet formula.
    name: 'four-run sweep: --jobs 1 ÷ --jobs 2 (wall clock)',
    numerator: 'jobs-1',
    denominator: 'jobs-2',
    target: { min: 1.7, source: '#14' },
  };
  return { ...ratio, spec, status: targetStatus(ratio.median, spec.target) };
}

function describeTarget(target: RatioSpec['target']): string {
  if (!target) return '';
  if (target.max !== undefined) return `≤ ${target.max} (${target.source})`;
  return `≥ ${target.min} (${target.source})`;
}

const RUNNER_LABELS: Record<string, string> = { pytorch: 'PyTorch (1 thread)' };
const VARIANT_LABELS: Record<string, string> = {
  'hooks-off': 'hooks off',
  'hooks-every-100': 'hooks every 100',
  'hooks-every-1': 'hooks every 1',
  'model-fit': 'model.fit',
  pytorch: '',
};

function armLabel(spec: ArmSpec): string {
  const label = RUNNER_LABELS[spec.runner] ?? `${spec.runner} ${VARIANT_LABELS[spec.variant]}`;
  return spec.group === 'fit' ? `${label} (model.fit group)` : label;
}

/** "1.53 (1.41–1.70)": a ratio's median and range. */
function formatRatio(r: PairedRatio): string {
  return `${r.median.toFixed(2)} (${r.min.toFixed(2)}–${r.max.toFixed(2)})`;
}

function formatStatus(r: RatioResult): string {
  if (!r.status) return '';
  const target = r.spec.target!;
  const bound = target.max ?? target.min!;
  const by = Math.abs(r.median / bound - 1) * 100;
  // One decimal below 1 %, so a ratio just over its bound does not read "missed by 0 %".
  return r.status === 'met' ? 'met' : `**missed** by ${by.toFixed(by < 1 ? 1 : 0)} %`;
}

/** The markdown docs/benchmark.md quotes: setting, seconds per epoch, ratios (median and range of pairs), targets. */
export function benchMarkdown(
  meta: BenchMeta,
  arms: readonly ArmResult[],
  ratios: readonly RatioResult[],
  jobs: RatioResult | undefined,
  levers: readonly LeverRow[],
): string {
  const loads = meta.loads.length > 0 ? `${Math.min(...meta.loads).toFixed(1)}–${Math.max(...meta.loads).toFixed(1)}` : '?';
  const lines = [
    `Measured ${meta.date.toISOString().slice(0, 16).replace('T', ' ')} UTC, load ${loads} (1-minute average, sampled ${meta.loads.length}×) on ${meta.cores} cores, \`${meta.command}\`, ${Math.round(meta.durationSeconds)} s.`,
    '',
    `${meta.machine}; ${meta.versions.join('; ')}.`,
    `Each arm: ${meta.examples.toLocaleString('en-US')} training images${meta.examples < EPOCH ? ' (times scaled to 60,000)' : ''}, one epoch in ${meta.slices} slices after a 50-step warm-up of a throwaway copy; the arms of a workload take turns slice by slice, in a seeded shuffled order each round, each slice starting once the previous arm's worker is idle; ${meta.clock === 'cpu' ? 'CPU seconds (user + system) of each worker process' : 'wall seconds'}.` +
      (meta.alternationSeconds !== undefined
        ? ` One alternation costs ${(meta.alternationSeconds * 1000).toFixed(1)} ms of wall time outside the timed slice.`
        : ''),
    '',
    '| workload | arm | s / epoch | ÷ PyTorch: median (range) |',
    '|---|---|---:|---:|',
    ...arms.map((arm) => {
      const torch = ratios.find((r) => r.spec.numerator === arm.spec.id && r.spec.denominator.endsWith('/pytorch/pytorch'));
      return `| ${arm.spec.workload.id} | ${armLabel(arm.spec)} | ${secondsPerEpoch(arm, meta.clock).toFixed(2)} | ${torch ? formatRatio(torch) : ''} |`;
    }),
    '',
    '| ratio | median (range) | pairs | target | |',
    '|---|---:|---:|---|---|',
    ...[...ratios.filter((r) => !r.spec.denominator.endsWith('/pytorch/pytorch') || r.spec.target), ...(jobs ? [jobs] : [])].map(
      (r) => `| ${r.spec.name} | ${formatRatio(r)} | ${r.pairs} | ${describeTarget(r.spec.target)} | ${formatStatus(r)} |`,
    ),
  ];
  if (levers.length > 0) {
    lines.push(
      '',
      '| lever (relu-b64, hooks off) | backend | setting | s / epoch | ÷ baseline: median (range) |',
      '|---|---|---|---:|---:|',
      ...levers.map(
        (l) =>
          `| ${l.lever} | ${l.backend} | ${l.setting} | ${l.s_per_epoch.toFixed(2)} | ${l.lever === 'baseline' ? '1' : formatRatio(l.ratio)} |`,
      ),
    );
  }
  for (const note of meta.notes) lines.push('', `Note: ${note}`);
  return `${lines.join('\n')}\n`;
}

/** One lever measurement as the worker reports it, with the clock's ratio picked. */
export interface LeverRow {
  lever: string;
  setting: string;
  backend: string;
  s_per_epoch: number;
  ratio: PairedRatio;
  wall_s_per_epoch: number;
  cpu_s_per_epoch: number;
  mean_loss: number;
}
