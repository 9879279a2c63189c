// The CNN section of `npm run bench`: LeNet-5 (experiments/lenet.yaml) on wasm against PyTorch on one thread and
// tf.layers model.fit on the cpu backend, as alternating process pairs, plus the hook overhead from one interleaved
// wasm process. Each ratio is the median of its pairs (slices, for the overhead), with the range beside it.
import type { Measurement } from './workloads';

/** One process's measurement as the parent collects it; interleaved rows carry their per-slice times. */
export type CnnMeasurement = Measurement & { slices?: { seconds: number; cpuSeconds: number }[] };

/** A ratio over pairs: the median, and the smallest and largest pair. */
export interface PairedRatio {
  median: number;
  min: number;
  max: number;
  pairs: number;
}

export function pairedRatio(ratios: readonly number[]): PairedRatio {
  const sorted = [...ratios].filter(Number.isFinite).sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length === 0 ? NaN : sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  return { median, min: sorted[0] ?? NaN, max: sorted[sorted.length - 1] ?? NaN, pairs: sorted.length };
}

/** A target of the CNN workload: a bound the measured value must stay at most or at least at. */
export interface CnnTarget {
  name: string;
  bound: number;
  direction: 'at most' | 'at least';
  /** How the value prints: × for ratios, % for fractions, MB. */
  unit: '×' | '%' | 'MB';
}

/** The targets for the CNN workload, in the order they print. */
export const CNN_TARGETS = {
  ratioVsPytorch: { name: 'LeNet-5 epoch ÷ PyTorch epoch (1 thread)', bound: 3, direction: 'at most', unit: '×' },
  speedupVsFitCpu: { name: 'speedup over tf.layers model.fit (cpu)', bound: 5, direction: 'at least', unit: '×' },
  hookOverhead: { name: 'hook overhead at every 100 steps', bound: 0.1, direction: 'at most', unit: '%' },
  peakRss: { name: 'peak RSS of the wasm process', bound: 1536, direction: 'at most', unit: 'MB' },
} satisfies Record<string, CnnTarget>;

/** A value in its unit: 2.40×, 7.1%, 812 MB. */
export function formatValue(unit: CnnTarget['unit'], value: number): string {
  if (!Number.isFinite(value)) return '—';
  // A minus sign, not a hyphen: a cell starting with "-" would be quoted as a possible spreadsheet formula.
  const signed = (text: string) => text.replace(/^-/, '−');
  if (unit === '%') return signed(`${(100 * value).toFixed(1)}%`);
  if (unit === 'MB') return `${Math.round(value)} MB`;
  return signed(`${value.toFixed(2)}×`);
}

/** "met", or how far the value is from its bound ("missed by 34%"), or "not measured". */
export function verdict(target: CnnTarget, value: number): string {
  if (!Number.isFinite(value)) return 'not measured';
  const met = target.direction === 'at most' ? value <= target.bound : value >= target.bound;
  if (met) return 'met';
  const off = target.direction === 'at most' ? value / target.bound - 1 : target.bound / value - 1;
  return `missed by ${(100 * off).toFixed(0)}%`;
}
