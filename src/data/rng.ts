// A seeded PRNG (xoshiro128**) with JSON-serialisable state, a seeded Fisher–Yates shuffle and seed derivation.

/** The complete state of an Rng as a plain JSON value, for checkpoints. */
export interface RngState {
  algorithm: 'xoshiro128**';
  /** The four 32-bit state words as unsigned integers; never all zero. */
  words: [number, number, number, number];
}

const TWO_POW_32 = 4294967296;

function rotateLeft(value: number, bits: number): number {
  return ((value << bits) | (value >>> (32 - bits))) >>> 0;
}

/** splitmix32 step: spreads a 32-bit seed into well-mixed words (the seeding xoshiro's authors recommend). */
function splitmix32(state: number): { state: number; value: number } {
  const next = (state + 0x9e3779b9) >>> 0;
  let z = next;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return { state: next, value: (z ^ (z >>> 16)) >>> 0 };
}

/**
 * xoshiro128** (Blackman & Vigna): 32-bit outputs, period 2^128 - 1, 16 bytes of state. Deterministic for a
 * seed on every platform (only 32-bit integer arithmetic), and resumable from getState().
 */
export class Rng {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;

  /** Seeds from any integer (taken modulo 2^32) by expanding it with splitmix32. */
  constructor(seed: number) {
    if (!Number.isSafeInteger(seed)) throw new RangeError(`Rng seed must be a safe integer, received ${seed}`);
    let mixer = seed >>> 0;
    const words: number[] = [];
    for (let index = 0; index < 4; index++) {
      const step = splitmix32(mixer);
      mixer = step.state;
      words.push(step.value);
    }
    // splitmix32 is a bijection of a counter, so four consecutive outputs cannot all be zero.
    [this.s0, this.s1, this.s2, this.s3] = words;
  }

  /** Builds an Rng that continues exactly where the one that produced `state` was. */
  static fromState(state: RngState): Rng {
    const rng = new Rng(0);
    rng.setState(state);
    return rng;
  }

  /** A copy of the state as plain JSON: save it, then setState() resumes the identical sequence. */
  getState(): RngState {
    return { algorithm: 'xoshiro128**', words: [this.s0, this.s1, this.s2, this.s3] };
  }

  /** Restores a state from getState(); throws a RangeError for anything that is not one. */
  setState(state: RngState): void {
    const words = (state as { words?: unknown } | null)?.words;
    const valid =
      state !== null &&
      typeof state === 'object' &&
      state.algorithm === 'xoshiro128**' &&
      Array.isArray(words) &&
      words.length === 4 &&
      words.every((word) => Number.isInteger(word) && word >= 0 && word < TWO_POW_32) &&
      words.some((word) => word !== 0);
    if (!valid) {
      throw new RangeError(
        `Rng state must be {algorithm: "xoshiro128**", words: four unsigned 32-bit integers, not all 0}, received ${JSON.stringify(state)}`,
      );
    }
    [this.s0, this.s1, this.s2, this.s3] = words as number[];
  }

  /** The next unsigned 32-bit integer in [0, 2^32). */
  nextUint32(): number {
    const result = Math.imul(rotateLeft(Math.imul(this.s1, 5) >>> 0, 7), 9) >>> 0;
    const shifted = (this.s1 << 9) >>> 0;
    this.s2 = (this.s2 ^ this.s0) >>> 0;
    this.s3 = (this.s3 ^ this.s1) >>> 0;
    this.s1 = (this.s1 ^ this.s2) >>> 0;
    this.s0 = (this.s0 ^ this.s3) >>> 0;
    this.s2 = (this.s2 ^ shifted) >>> 0;
    this.s3 = rotateLeft(this.s3, 11);
    return result;
  }

  /** A float in [0, 1) with 32 random bits. */
  nextFloat(): number {
    return this.nextUint32() / TWO_POW_32;
  }

  /** An integer uniform in [0, n), without modulo bias (rejection sampling); n must be in [1, 2^32]. */
  nextInt(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > TWO_POW_32) {
      throw new RangeError(`nextInt(n) needs an integer n in [1, 2^32], received ${n}`);
    }
    // Reject the top (2^32 mod n) values so every residue is equally likely.
    const limit = TWO_POW_32 - (TWO_POW_32 % n);
    let draw = this.nextUint32();
    while (draw >= limit) draw = this.nextUint32();
    return draw % n;
  }
}

/** Anything indexable and writable: number[], Uint32Array, Int32Array, … */
export interface MutableIndexable {
  length: number;
  [index: number]: number;
}

/**
 * Shuffles `items` in place with Fisher–Yates (Durstenfeld), drawing from `rng`: every permutation is
 * equally likely and the same rng state gives the same permutation. Returns `items`.
 * Use this, never tf.util.shuffle, which draws from the unseeded Math.random.
 */
export function shuffleInPlace<T extends MutableIndexable>(items: T, rng: Rng): T {
  for (let last = items.length - 1; last > 0; last--) {
    const pick = rng.nextInt(last + 1);
    const kept = items[last];
    items[last] = items[pick];
    items[pick] = kept;
  }
  return items;
}

/** Alias of shuffleInPlace under the algorithm's name. */
export const fisherYates = shuffleInPlace;

/**
 * A seed in [1, 2^31 - 1] for one purpose within a run ("shuffle", "layer0.kernel", …): a stable hash
 * (FNV-1a over `${runSeed}:${purpose}`, then the murmur3 finaliser) so each purpose gets an independent
 * stream, and the same run seed always gives the same seeds. Never 0, because tfjs treats seed 0 as "no seed".
 */
export function deriveSeed(runSeed: number, purpose: string): number {
  if (!Number.isSafeInteger(runSeed)) throw new RangeError(`deriveSeed: run seed must be a safe integer, received ${runSeed}`);
  const text = `${runSeed}:${purpose}`;
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  hash = Math.imul(hash ^ (hash >>> 16), 0x85ebca6b);
  hash = Math.imul(hash ^ (hash >>> 13), 0xc2b2ae35);
  hash = (hash ^ (hash >>> 16)) >>> 0;
  const seed = hash & 0x7fffffff;
  return seed === 0 ? 1 : seed;
}
