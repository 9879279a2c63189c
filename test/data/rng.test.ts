// The seeded PRNG: reference outputs, determinism, state round trip, shuffle, seed derivation.
import { Rng, deriveSeed, fisherYates, shuffleInPlace, type RngState } from '../../src/data/rng';

function draws(rng: Rng, count: number): number[] {
  return Array.from({ length: count }, () => rng.nextUint32());
}

test('xoshiro128** matches the reference C implementation from state {1, 2, 3, 4}', () => {
  // Outputs of next() in Blackman & Vigna's xoshiro128starstar.c with s = {1, 2, 3, 4}, compiled with gcc.
  const rng = Rng.fromState({ algorithm: 'xoshiro128**', words: [1, 2, 3, 4] });
  expect(draws(rng, 8)).toEqual([11520, 0, 5927040, 70819200, 2031721883, 1637235492, 1287239034, 3734860849]);
});

test('the same seed gives the same sequence; different seeds differ', () => {
  expect(draws(new Rng(42), 100)).toEqual(draws(new Rng(42), 100));
  expect(draws(new Rng(42), 100)).not.toEqual(draws(new Rng(43), 100));
  expect(draws(new Rng(0), 4)).not.toEqual([0, 0, 0, 0]); // seed 0 is a valid seed, not a degenerate state
});

test('a state saved as JSON resumes the exact same sequence', () => {
  const original = new Rng(2024);
  draws(original, 37);
  const saved = JSON.stringify(original.getState());
  const expected = [...draws(original, 50), original.nextFloat(), original.nextInt(7)];
  const resumed = Rng.fromState(JSON.parse(saved) as RngState);
  expect([...draws(resumed, 50), resumed.nextFloat(), resumed.nextInt(7)]).toEqual(expected);
  const reused = new Rng(1);
  reused.setState(JSON.parse(saved) as RngState);
  expect(draws(reused, 50)).toEqual(expected.slice(0, 50));
});

test('getState returns a copy, not a live view', () => {
  const rng = new Rng(5);
  const state = rng.getState();
  rng.nextUint32();
  expect(rng.getState()).not.toEqual(state);
});

test.each([
  [{ algorithm: 'xoshiro128**', words: [0, 0, 0, 0] }],
  [{ algorithm: 'mulberry32', words: [1, 2, 3, 4] }],
  [{ algorithm: 'xoshiro128**', words: [1, 2, 3] }],
  [{ algorithm: 'xoshiro128**', words: [1, 2, 3, 4294967296] }],
  [{ algorithm: 'xoshiro128**', words: [1, 2, 3, -1] }],
  [null],
])('setState(%j) -> RangeError', (state) => {
  expect(() => new Rng(1).setState(state as never)).toThrow(
    `Rng state must be {algorithm: "xoshiro128**", words: four unsigned 32-bit integers, not all 0}, received ${JSON.stringify(state)}`,
  );
});

test('nextFloat is in [0, 1) and averages 1/2', () => {
  const rng = new Rng(7);
  let sum = 0;
  let outside = 0;
  for (let index = 0; index < 100000; index++) {
    const value = rng.nextFloat();
    if (!(value >= 0 && value < 1)) outside++;
    sum += value;
  }
  expect(outside).toBe(0);
  // Standard error of the mean of U(0,1) over 1e5 draws is 0.00091; 0.005 is more than 5 of them.
  expect(Math.abs(sum / 100000 - 0.5)).toBeLessThan(0.005);
});

test('nextInt(n) covers 0..n-1 evenly and never leaves the range', () => {
  const rng = new Rng(11);
  const counts = new Array<number>(10).fill(0);
  for (let index = 0; index < 100000; index++) counts[rng.nextInt(10)]++;
  expect(counts.reduce((a, b) => a + b, 0)).toBe(100000);
  // Each count is Binomial(1e5, 0.1): sd 95; 500 is over 5 sd.
  for (const count of counts) expect(Math.abs(count - 10000)).toBeLessThan(500);
  expect(rng.nextInt(1)).toBe(0);
  const large = rng.nextInt(2 ** 32);
  expect(Number.isInteger(large) && large >= 0 && large < 2 ** 32).toBe(true);
});

test.each([0, -1, 2.5, 2 ** 32 + 1, NaN])('nextInt(%p) -> RangeError', (n) => {
  expect(() => new Rng(1).nextInt(n)).toThrow(`nextInt(n) needs an integer n in [1, 2^32], received ${n}`);
});

describe('shuffleInPlace (Fisher–Yates)', () => {
  test('gives a permutation, in place, the same for the same seed', () => {
    const items = Uint32Array.from({ length: 1000 }, (_, index) => index);
    const returned = shuffleInPlace(items, new Rng(3));
    expect(returned).toBe(items);
    expect(Array.from(items).sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, index) => index));
    expect(Array.from(items)).not.toEqual(Array.from({ length: 1000 }, (_, index) => index));
    const again = shuffleInPlace(
      Array.from({ length: 1000 }, (_, index) => index),
      new Rng(3),
    );
    expect(again).toEqual(Array.from(items));
    expect(fisherYates).toBe(shuffleInPlace);
  });

  test('empty and one-element arrays are left alone and draw nothing', () => {
    const rng = new Rng(9);
    const before = rng.getState();
    expect(shuffleInPlace([], rng)).toEqual([]);
    expect(shuffleInPlace([5], rng)).toEqual([5]);
    expect(rng.getState()).toEqual(before);
  });

  test('all 6 orders of 3 items are equally likely', () => {
    const rng = new Rng(13);
    const counts = new Map<string, number>();
    for (let trial = 0; trial < 60000; trial++) {
      const key = shuffleInPlace([0, 1, 2], rng).join('');
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    expect([...counts.keys()].sort()).toEqual(['012', '021', '102', '120', '201', '210']);
    // Each is Binomial(60000, 1/6): sd 91; 500 is over 5 sd.
    for (const count of counts.values()) expect(Math.abs(count - 10000)).toBeLessThan(500);
  });
});

describe('deriveSeed', () => {
  /** An independent FNV-1a + murmur3 fmix32 in BigInt arithmetic, to check the Math.imul version. */
  function referenceSeed(runSeed: number, purpose: string): number {
    const mask = 0xffffffffn;
    let hash = 0x811c9dc5n;
    for (const char of `${runSeed}:${purpose}`) {
      hash ^= BigInt(char.charCodeAt(0));
      hash = (hash * 0x01000193n) & mask;
    }
    hash = ((hash ^ (hash >> 16n)) * 0x85ebca6bn) & mask;
    hash = ((hash ^ (hash >> 13n)) * 0xc2b2ae35n) & mask;
    hash ^= hash >> 16n;
    const seed = Number(hash & 0x7fffffffn);
    return seed === 0 ? 1 : seed;
  }

  const purposes = ['shuffle', 'layer0.kernel', 'layer1.kernel', 'layer0.bias', 'dropout', ''];

  test.each(purposes)('matches the reference hash for purpose %p', (purpose) => {
    for (const runSeed of [0, 1, 42, 123456789, -7]) expect(deriveSeed(runSeed, purpose)).toBe(referenceSeed(runSeed, purpose));
  });

  test('is stable across releases (recorded runs depend on it)', () => {
    expect(deriveSeed(42, 'shuffle')).toBe(referenceSeed(42, 'shuffle'));
    expect(deriveSeed(42, 'shuffle')).toBe(deriveSeed(42, 'shuffle'));
  });

  test('differs by purpose and by run seed', () => {
    const seeds = purposes.map((purpose) => deriveSeed(1, purpose));
    expect(new Set(seeds).size).toBe(purposes.length);
    expect(deriveSeed(1, 'shuffle')).not.toBe(deriveSeed(2, 'shuffle'));
  });

  test('is always a positive 31-bit integer, never 0', () => {
    for (let runSeed = 0; runSeed < 2000; runSeed++) {
      for (const purpose of ['shuffle', 'layer0.kernel', 'layer3.kernel', 'x']) {
        const seed = deriveSeed(runSeed, purpose);
        if (!(Number.isInteger(seed) && seed >= 1 && seed <= 0x7fffffff)) throw new Error(`deriveSeed(${runSeed}, ${purpose}) = ${seed}`);
      }
    }
  });

  test('rejects a run seed that is not a safe integer', () => {
    expect(() => deriveSeed(1.5, 'shuffle')).toThrow('deriveSeed: run seed must be a safe integer, received 1.5');
  });
});
