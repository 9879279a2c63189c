// Number formatting for report tables: accuracies as percentages, losses and gradients to a few significant digits.
import type { Aggregate } from '../stats';

/** How a quantity is shown: `percent` for fractions in [0,1], `count` for epochs, `seconds`, `general` otherwise. */
export type NumberKind = 'percent' | 'count' | 'seconds' | 'general';

/** Significant digits for `general` numbers (losses, gradient norms, ratios). */
const GENERAL_DIGITS = 3;

/**
 * One number as text. Percent: x * 100 with 2 decimals ("97.53"); seconds: 1 decimal; count: up to 3 significant
 * digits ("4", "4.5", "0.707"); general: 3 significant digits, in exponent form below 1e-3 or from 1e5 ("1.23e-5").
 */
export function formatNumber(value: number, kind: NumberKind): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '∞' : '−∞';
  switch (kind) {
    case 'percent':
      return (value * 100).toFixed(2);
    case 'seconds':
      return value.toFixed(1);
    case 'count':
      return trimZeros(value.toPrecision(3));
    case 'general': {
      const magnitude = Math.abs(value);
      if (magnitude !== 0 && (magnitude < 1e-3 || magnitude >= 1e5)) {
        const [mantissa, exponent] = value.toExponential(GENERAL_DIGITS - 1).split('e');
        return `${trimZeros(mantissa)}e${exponent.replace('+', '')}`;
      }
      return trimZeros(value.toPrecision(GENERAL_DIGITS));
    }
  }
}

/** "mean ± std" for n ≥ 2, just the value for n = 1, an em dash when there is nothing to show. */
export function formatAggregate(agg: Aggregate | undefined, kind: NumberKind): string {
  if (agg === undefined) return '—';
  const mean = formatNumber(agg.mean, kind);
  return agg.std === undefined ? mean : `${mean} ± ${formatNumber(agg.std, kind)}`;
}

/** Drops trailing zeros after a decimal point (and the point itself): "4.50" -> "4.5", "4.00" -> "4". */
function trimZeros(text: string): string {
  if (!text.includes('.') || text.includes('e')) return text;
  return text.replace(/\.?0+$/, '');
}
