// Paired measurement: the alternation order, the slice bounds, and the median-of-pairs ratio with its range.
import { alternate, median, pairedRatio, sliceBounds, type PairedArm } from '../../scripts/bench/paired';

describe('sliceBounds', () => {
  test.each([
    [100, 10, [0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100]],
    [16, 10, [0, 2, 3, 5, 6, 8, 10, 11, 13, 14, 16]],
    [4, 10, [0, 1, 2, 3, 4]],
  ])('%i steps in %i slices cover every step once, in order', (steps, slices, edges) => {
    expect(sliceBounds(steps, slices)).toEqual(edges.slice(0, -1).map((from, i) => [from, edges[i + 1]]));
  });
});

test('alternate: slice r of every arm before slice r + 1 of any, each round starting one arm later', async () => {
  const calls: string[] = [];
  const arm = (id: string, seconds: number): PairedArm => ({
    id,
    run: (from, to) => {
      calls.push(`${id}${from}-${to}`);
      return Promise.resolve({ seconds: seconds * (to - from), cpuSeconds: 2 * seconds * (to - from) });
    },
  });
  const times = await alternate([arm('A', 1), arm('B', 3), arm('C', 5)], 9, 3);
  expect(calls).toEqual(['A0-3', 'B0-3', 'C0-3', 'B3-6', 'C3-6', 'A3-6', 'C6-9', 'A6-9', 'B6-9']);
  expect(times.get('B')).toEqual([
    { round: 0, from: 0, to: 3, seconds: 9, cpuSeconds: 18 },
    { round: 1, from: 3, to: 6, seconds: 9, cpuSeconds: 18 },
    { round: 2, from: 6, to: 9, seconds: 9, cpuSeconds: 18 },
  ]);
});

test('median: middle value, or the mean of the middle two', () => {
  expect(median([3, 1, 2])).toBe(2);
  expect(median([4, 1, 3, 2])).toBe(2.5);
  expect(() => median([])).toThrow('median of an empty list');
});

test('pairedRatio: the median of the pairwise ratios, not the ratio of the sums', () => {
  // Sums give 12/6 = 2; the pairs give 1, 1, 10: median 1, range 1–10.
  expect(pairedRatio([1, 1, 10], [1, 1, 1])).toEqual({ median: 1, min: 1, max: 10, pairs: 3 });
  expect(() => pairedRatio([1, 2], [1])).toThrow('pairedRatio: expected two lists of the same non-zero length, received 2 and 1');
});
