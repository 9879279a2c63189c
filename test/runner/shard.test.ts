// The shard split: parsing "i/N", an exact partition of the runs for every N, and the same split on every call.
import { parseShard, selectShard } from '../../src/runner/shard';
import { ConfigError } from '../../src/errors';

const runs = Array.from({ length: 11 }, (_, i) => ({ id: `run-${String(i).padStart(2, '0')}` }));

describe('parseShard', () => {
  test.each([
    ['1/1', 1, 1],
    ['1/3', 1, 3],
    ['3/3', 3, 3],
    ['12/40', 12, 40],
  ])('parses %s', (text, index, count) => {
    expect(parseShard(text)).toEqual({ index, count });
  });

  test.each(['0/3', '4/3', '1/0', '0/0', '3', '1/3/4', '-1/3', 'a/b', '1.5/3', '', '1/'])(
    'rejects "%s" with the rule and what was received',
    (text) => {
      expect(() => parseShard(text)).toThrow(ConfigError);
      expect(() => parseShard(text)).toThrow(`--shard: expected i/N with 1 <= i <= N, received "${text}"`);
    },
  );
});

describe('selectShard', () => {
  test.each([1, 2, 3, 4, 5])('the %i shards partition the runs, sizes differing by at most one', (count) => {
    const shards = Array.from({ length: count }, (_, i) => selectShard(runs, { index: i + 1, count }));
    const seen = shards.flat().map((run) => run.id);
    expect([...seen].sort()).toEqual(runs.map((run) => run.id));
    expect(new Set(seen).size).toBe(runs.length);
    const sizes = shards.map((shard) => shard.length);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
  });

  test('deals round-robin in experiment order (the documented rule)', () => {
    expect(selectShard(runs, { index: 2, count: 4 }).map((run) => run.id)).toEqual(['run-01', 'run-05', 'run-09']);
    expect(selectShard(runs, { index: 4, count: 4 }).map((run) => run.id)).toEqual(['run-03', 'run-07']);
  });

  test('is stable: the same input gives the same shard, and copies of the run objects select the same ids', () => {
    const first = selectShard(runs, { index: 3, count: 5 });
    const again = selectShard(
      runs.map((run) => ({ ...run })),
      { index: 3, count: 5 },
    );
    expect(again.map((run) => run.id)).toEqual(first.map((run) => run.id));
  });

  test('more shards than runs leaves the extra shards empty', () => {
    expect(selectShard(runs.slice(0, 2), { index: 3, count: 4 })).toEqual([]);
  });
});
