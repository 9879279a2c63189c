// src/stats.ts against published values (R's t.test on the sleep data, Cohen's power tables, Holm's procedure by
// hand) and against an independent computation (scipy; scripts/stats_reference.py writes the expected numbers).
import * as fs from 'fs';
import * as path from 'path';
import {
  BOOTSTRAP_MIN_SEEDS,
  MAX_SEEDS,
  aggregate,
  bootstrapTest,
  compareArms,
  holm,
  intervalMethod,
  mean,
  meanInterval,
  sampleStd,
  seedsForPower,
  skewness,
  welchPower,
  welchTest,
} from '../src/stats';

interface WelchReference {
  a: number[];
  b: number[];
  difference: number;
  t: number;
  df: number;
  p: number;
  low: number;
  high: number;
  skewnessA: number | null;
  skewnessB: number | null;
  meanIntervalA: [number, number] | null;
}
const REFERENCE = JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', 'stats', 'reference.json'), 'utf8')) as {
  welch: Record<string, WelchReference>;
  bootstrap: { resamples: number; seed: number; cases: Record<string, { low: number; high: number; p: number }> };
  power: { difference: number; stdA: number; stdB: number; seeds: number; power: number }[];
  seedsForPower: { difference: number; stdA: number; stdB: number; seeds: number }[];
};

describe('aggregate, mean and sampleStd', () => {
  test('mean and sample standard deviation of 1..4', () => {
    const agg = aggregate([1, 2, 3, 4])!;
    expect(agg.mean).toBe(2.5);
    // Sum of squared deviations 2.25 + 0.25 + 0.25 + 2.25 = 5, over n - 1 = 3.
    expect(agg.std).toBeCloseTo(Math.sqrt(5 / 3), 12);
    expect([agg.min, agg.max, agg.n]).toEqual([1, 4, 4]);
  });

  test('one rule for a single seed: no standard deviation', () => {
    expect(aggregate([0.97])).toEqual({ mean: 0.97, std: undefined, min: 0.97, max: 0.97, n: 1 });
    expect(sampleStd([0.97])).toBeUndefined();
    expect(sampleStd([])).toBeUndefined();
  });

  test('nothing to aggregate', () => {
    expect(aggregate([])).toBeUndefined();
    expect(mean([])).toBeNaN();
  });

  test('a diverged seed (NaN) shows as NaN rather than vanishing', () => {
    expect(aggregate([0.5, NaN])!.mean).toBeNaN();
    expect(sampleStd([0.5, NaN])).toBeNaN();
  });
});

describe('welchTest', () => {
  test("matches R's published t.test(extra ~ group, data = sleep): t = -1.8608, df = 17.776, p = 0.07939, CI -3.3654832 0.2054832", () => {
    const { a, b } = REFERENCE.welch.sleep;
    const welch = welchTest(a, b);
    expect(Math.abs(welch.low - -3.3654832)).toBeLessThan(1e-6);
    expect(Math.abs(welch.high - 0.2054832)).toBeLessThan(1e-6);
    expect(welch.t.toFixed(4)).toBe('-1.8608');
    expect(welch.df.toFixed(3)).toBe('17.776');
    expect(welch.p.toFixed(5)).toBe('0.07939');
    expect(welch.difference).toBeCloseTo(0.75 - 2.33, 12);
  });

  test.each(Object.keys(REFERENCE.welch))('%s: difference, t, df, p and interval as scipy.stats.ttest_ind(equal_var=False)', (name) => {
    const expected = REFERENCE.welch[name];
    const welch = welchTest(expected.a, expected.b);
    for (const key of ['difference', 't', 'df', 'p', 'low', 'high'] as const) {
      expect(Math.abs(welch[key] - expected[key])).toBeLessThan(1e-6 * Math.max(1, Math.abs(expected[key])));
    }
  });

  test('the 3-seed findings numbers, 96.03 ± 0.14 against 95.67 ± 0.20 over 3 seeds, give t = 2.55 on 3.6 df (the issue says t ≈ 2.5, p ≈ 0.07)', () => {
    // Three values with mean m and sample std s: m - s, m, m + s.
    const arm = (m: number, s: number) => [m - s, m, m + s];
    const welch = welchTest(arm(96.03, 0.14), arm(95.67, 0.2));
    expect(welch.t).toBeCloseTo(0.36 / Math.sqrt((0.14 ** 2 + 0.2 ** 2) / 3), 10);
    expect(welch.t.toFixed(2)).toBe('2.55');
    expect(welch.df.toFixed(1)).toBe('3.6');
    expect(welch.p.toFixed(2)).toBe('0.07');
  });

  test('needs two values per arm', () => {
    expect(() => welchTest([1], [1, 2])).toThrow('welchTest needs 2 or more values per arm, received 1 and 2');
  });
});

describe('meanInterval and skewness', () => {
  test.each(Object.keys(REFERENCE.welch).filter((name) => REFERENCE.welch[name].meanIntervalA !== null))(
    '%s: the t interval of the mean as scipy.stats.t.interval',
    (name) => {
      const expected = REFERENCE.welch[name];
      const interval = meanInterval(expected.a)!;
      expect(Math.abs(interval.low - expected.meanIntervalA![0])).toBeLessThan(1e-8);
      expect(Math.abs(interval.high - expected.meanIntervalA![1])).toBeLessThan(1e-8);
      expect(interval.df).toBe(expected.a.length - 1);
    },
  );

  test('one value has no interval', () => {
    expect(meanInterval([0.95])).toBeUndefined();
  });

  test.each(Object.keys(REFERENCE.welch))('%s: skewness as scipy.stats.skew(bias=False)', (name) => {
    const expected = REFERENCE.welch[name];
    for (const [values, skew] of [
      [expected.a, expected.skewnessA],
      [expected.b, expected.skewnessB],
    ] as const) {
      if (skew === null) expect(skewness(values)).toBeNaN();
      else expect(Math.abs(skewness(values) - skew)).toBeLessThan(1e-9);
    }
  });
});

describe('bootstrapTest', () => {
  test.each(Object.keys(REFERENCE.bootstrap.cases))('%s: the same resamples, interval and p as the Python re-implementation', (name) => {
    const { a, b } = REFERENCE.welch[name];
    const expected = REFERENCE.bootstrap.cases[name];
    const result = bootstrapTest(a, b, REFERENCE.bootstrap.resamples, REFERENCE.bootstrap.seed);
    expect(Math.abs(result.low - expected.low)).toBeLessThan(1e-12);
    expect(Math.abs(result.high - expected.high)).toBeLessThan(1e-12);
    expect(result.p).toBeCloseTo(expected.p, 14);
  });

  test('is deterministic for a seed and changes with it', () => {
    const { a, b } = REFERENCE.welch['unequal-sizes'];
    expect(bootstrapTest(a, b, 500, 3)).toEqual(bootstrapTest(a, b, 500, 3));
    expect(bootstrapTest(a, b, 500, 3).low).not.toBe(bootstrapTest(a, b, 500, 4).low);
  });

  test('agrees with Welch for many roughly normal seeds (40 per arm)', () => {
    const a = Array.from({ length: 40 }, (_, i) => 1 + Math.sin(i * 1.7) * 0.3);
    const b = Array.from({ length: 40 }, (_, i) => 0.8 + Math.cos(i * 2.3) * 0.3);
    const welch = welchTest(a, b);
    const boot = bootstrapTest(a, b);
    const halfWidth = (welch.high - welch.low) / 2;
    expect(Math.abs(boot.low - welch.low)).toBeLessThan(0.1 * halfWidth);
    expect(Math.abs(boot.high - welch.high)).toBeLessThan(0.1 * halfWidth);
  });
});

describe('holm', () => {
  test('step-down by hand: p = 0.01, 0.04, 0.03, 0.005 becomes 0.03, 0.06, 0.06, 0.02', () => {
    // Sorted: 0.005·4 = 0.02; 0.01·3 = 0.03; 0.03·2 = 0.06; 0.04·1 = 0.04, raised to the running maximum 0.06.
    const adjusted = holm([0.01, 0.04, 0.03, 0.005]);
    [0.03, 0.06, 0.06, 0.02].forEach((expected, i) => expect(adjusted[i]).toBeCloseTo(expected, 15));
  });

  test('caps at 1, keeps ties, and leaves a single p alone', () => {
    expect(holm([0.5, 0.5, 0.9])).toEqual([1, 1, 1]);
    expect(holm([0.2, 0.2])).toEqual([0.4, 0.4]);
    expect(holm([0.03])).toEqual([0.03]);
    expect(holm([])).toEqual([]);
  });
});

describe('power and seeds needed', () => {
  test.each(REFERENCE.power)('power of Welch at difference $difference, stds $stdA and $stdB, $seeds seeds: as scipy.stats.nct', (c) => {
    expect(Math.abs(welchPower(c.difference, c.stdA, c.stdB, c.seeds) - c.power)).toBeLessThan(1e-6);
  });

  test("Cohen's (1988) table 2.4.1: d = 0.5 needs 64 seeds per arm and d = 0.8 needs 26, at α = 0.05 two-sided", () => {
    expect(seedsForPower(0.5, 1, 1)).toBe(64);
    expect(seedsForPower(0.8, 1, 1)).toBe(26);
  });

  test.each(REFERENCE.seedsForPower)('difference $difference, stds $stdA and $stdB need $seeds seeds per arm (scipy)', (c) => {
    expect(seedsForPower(c.difference, c.stdA, c.stdB)).toBe(c.seeds);
  });

  test('no difference, no spread, or more than MAX_SEEDS: no number', () => {
    expect(seedsForPower(0, 1, 1)).toBeUndefined();
    expect(seedsForPower(1, 0, 0)).toBeUndefined();
    expect(seedsForPower(0.01, 1, 1)).toBeUndefined(); // about 157,000 per arm
    expect(seedsForPower(0.2, 1, 1)).toBeLessThanOrEqual(MAX_SEEDS);
  });
});

describe('compareArms', () => {
  test('one seed in either arm: no interval', () => {
    expect(compareArms([0.95], [0.94, 0.93])).toEqual({
      nA: 1,
      nB: 2,
      meanA: 0.95,
      meanB: 0.935,
      difference: 0.95 - 0.935,
      noInterval: 'one-seed',
    });
  });

  test('a value that is not finite, or no spread in either arm: no interval', () => {
    expect(compareArms([0.95, NaN], [0.94, 0.93]).noInterval).toBe('not-finite');
    expect(compareArms([4, 4, 4], [2, 2, 2])).toMatchObject({ difference: 2, noInterval: 'no-spread' });
  });

  test('Welch for few seeds, with the seeds needed for the observed difference', () => {
    const { a, b } = REFERENCE.welch['accuracy-3-seeds'];
    const comparison = compareArms(a, b);
    const welch = welchTest(a, b);
    expect(comparison.test).toEqual({ method: 'welch', low: welch.low, high: welch.high, p: welch.p, df: welch.df });
    expect(comparison.seedsNeeded).toBe(seedsForPower(welch.difference, sampleStd(a)!, sampleStd(b)!));
  });

  test(`auto: the bootstrap from ${BOOTSTRAP_MIN_SEEDS} seeds per arm when an arm is skewed beyond |1|, Welch otherwise`, () => {
    const { a, b } = REFERENCE.welch['stalled-seed'];
    expect(Math.abs(skewness(a))).toBeGreaterThan(1);
    expect(intervalMethod(a, b, 'auto')).toBe('bootstrap');
    expect(intervalMethod(a.slice(0, 9), b.slice(0, 9).concat([0.5]), 'auto')).toBe('welch'); // 9 seeds: too few
    expect(intervalMethod(a, b, 'welch')).toBe('welch');
    const sleep = REFERENCE.welch.sleep;
    expect(intervalMethod(sleep.a, sleep.b, 'auto')).toBe('welch'); // 10 seeds, skewness 0.58 and 0.39
    const comparison = compareArms(a, b);
    const boot = bootstrapTest(a, b);
    expect(comparison.test).toEqual({ method: 'bootstrap', low: boot.low, high: boot.high, p: boot.p });
  });
});
