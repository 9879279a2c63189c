// Paired measurement: the alternation order, the slice bounds, and the median-of-pairs ratio with its range.
import { alternate, median, pairedRatio, roundOrder, sliceBounds, type PairedArm } from '../../scripts/bench/paired';

describe('sliceBounds', () => {
  test.each([
    [100, 10, [0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100]],
    [16, 10, [0, 2, 3, 5, 6, 8, 10, 11, 13, 14, 16]],
    [4, 10, [0, 1, 2, 3, 4]],
  ])('%i steps in %i slices cover every step once, in order', (steps, slices, edges) => {
    expect(sliceBounds(steps, slices)).toEqual(edges.slice(0, -1).map((from, i) => [from, edges[i + 1]]));
  });
});

test('roundOrder: a seeded permutation per round, so over many rounds each arm follows each other arm', () => {
  expect(roundOrder(3, 7)).toEqual(roundOrder(3, 7));
  const follows = new Map<string, number>();
  for (let round = 0; round < 300; round++) {
    const order = roundOrder(4, round);
    expect([...order].sort()).toEqual([0, 1, 2, 3]);
    for (let i = 1; i < order.length; i++)
      follows.set(`${order[i - 1]}→${order[i]}`, (follows.get(`${order[i - 1]}→${order[i]}`) ?? 0) + 1);
  }
  // 12 ordered pairs, 900 adjacencies: about 75 each; a rotation would give 4 pairs 225 times and the rest never.
  expect(follows.size).toBe(12);
  for (const count of follows.values()) expect(count).toBeGreaterThan(40);
});

test('alternate: slice r of every arm before slice r + 1 of any, in each round order; between() after every slice', async () => {
  const calls: string[] = [];
  const arm = (id: string, seconds: number): PairedArm => ({
    id,
    run: (from, to) => {
      calls.push(`${id}${from}-${to}`);
      return Promise.resolve({ seconds: seconds * (to - from), cpuSeconds: 2 * seconds * (to - from) });
    },
  });
  const times = await alternate([arm('A', 1), arm('B', 3), arm('C', 5)], 9, 3, (a) => {
    calls.push(`idle ${a.id}`);
    return Promise.resolve();
  });
  const names = ['A', 'B', 'C'];
  const expected = [0, 1, 2].flatMap((round) =>
    roundOrder(3, round).flatMap((index) => [`${names[index]}${3 * round}-${3 * round + 3}`, `idle ${names[index]}`]),
  );
  expect(calls).toEqual(expected);
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
