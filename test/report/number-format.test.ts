// Number formatting in report tables: percentages, counts, seconds, significant digits, mean ± std.
import { formatAggregate, formatNumber, type NumberKind } from '../../src/report/number-format';

describe('formatNumber', () => {
  test.each<[number, NumberKind, string]>([
    [0.97, 'percent', '97.00'],
    [0.975321, 'percent', '97.53'],
    [0.0070710678, 'percent', '0.71'],
    [4, 'count', '4'],
    [4.5, 'count', '4.5'],
    [0.70710678, 'count', '0.707'],
    [12, 'seconds', '12.0'],
    [2.8284271, 'seconds', '2.8'],
    [0.2, 'general', '0.2'],
    [0.0141421356, 'general', '0.0141'],
    [2.302585, 'general', '2.3'],
    [0.00001234, 'general', '1.23e-5'],
    [123456, 'general', '1.23e5'],
    [0, 'general', '0'],
    [NaN, 'general', 'NaN'],
    [Infinity, 'general', '∞'],
  ])('%p as %s is %p', (value, kind, text) => {
    expect(formatNumber(value, kind)).toBe(text);
  });
});

describe('formatAggregate', () => {
  test('mean ± std for two or more seeds', () => {
    expect(formatAggregate({ mean: 0.97, std: 0.0141421356, min: 0.96, max: 0.98, n: 2 }, 'percent')).toBe('97.00 ± 1.41');
  });
  test('just the value for one seed', () => {
    expect(formatAggregate({ mean: 0.97, std: undefined, min: 0.97, max: 0.97, n: 1 }, 'percent')).toBe('97.00');
  });
  test('an em dash when there is nothing', () => {
    expect(formatAggregate(undefined, 'general')).toBe('—');
  });
});
