// Seed aggregation against closed forms: mean, sample std (n - 1), min, max.
import { aggregate } from '../../src/report/stats';

describe('aggregate', () => {
  test('mean and sample standard deviation of 1..4', () => {
    const agg = aggregate([1, 2, 3, 4])!;
    expect(agg.mean).toBe(2.5);
    // Sum of squared deviations 2.25 + 0.25 + 0.25 + 2.25 = 5, over n - 1 = 3.
    expect(agg.std).toBeCloseTo(Math.sqrt(5 / 3), 12);
    expect([agg.min, agg.max, agg.n]).toEqual([1, 4, 4]);
  });

  test('a single seed has no standard deviation', () => {
    expect(aggregate([0.97])).toEqual({ mean: 0.97, std: undefined, min: 0.97, max: 0.97, n: 1 });
  });

  test('nothing to aggregate', () => {
    expect(aggregate([])).toBeUndefined();
  });

  test('a diverged seed (NaN) shows as NaN rather than vanishing', () => {
    expect(aggregate([0.5, NaN])!.mean).toBeNaN();
  });
});
