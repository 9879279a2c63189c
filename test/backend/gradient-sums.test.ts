// The recorder's sums in JS (sumsInto) and in the native addon (sums) follow one order of operations: same bits.
import { sumsInto } from '../../src/backend/gradient-sums';
import { Rng } from '../../src/data/rng';
import { nativeAddonOrSkip } from '../helpers/native';

const addon = nativeAddonOrSkip();
const testNative = addon ? test : test.skip;

/** Values spanning several magnitudes, with an optional NaN or Infinity at `special`. */
function values(length: number, seed: number, special?: number): Float32Array {
  const rng = new Rng(seed);
  const out = Float32Array.from({ length }, () => (rng.nextFloat() - 0.5) * 10 ** Math.floor(rng.nextFloat() * 8 - 6));
  if (special !== undefined && length > 0) out[length - 1] = special;
  return out;
}

const CASES: [string, Float32Array][] = [
  ['empty', values(0, 1)],
  ['one value', values(1, 2)],
  ['three values (no full group of four)', values(3, 3)],
  ['1001 values', values(1001, 4)],
  ['a 784×128 kernel gradient', values(100352, 5)],
  ['a NaN at the end', values(17, 6, NaN)],
  ['an Infinity at the end', values(17, 7, -Infinity)],
];

test('sumsInto: hand values, and all zeros for an empty tensor', () => {
  const out = new Float32Array(6);
  sumsInto(Float32Array.from([3, -4, 0, 12, -0.5]), out, 0);
  sumsInto(new Float32Array(0), out, 3);
  expect(Array.from(out)).toEqual([169.25, 19.5, 12, 0, 0, 0]);
});

testNative.each(CASES)('native sums equal sumsInto bit for bit: %s', (_, data) => {
  const inJs = new Float32Array(3);
  sumsInto(data, inJs, 0);
  // At a non-zero offset of a larger heap, as on the wasm heap.
  const heap = new Float32Array(data.length + 8);
  heap.set(data, 4);
  const native = new Float32Array(5);
  addon!.sums(heap.buffer, 16, data.length, native, 2);
  expect(Buffer.from(native.buffer, 8, 12).equals(Buffer.from(inJs.buffer))).toBe(true);
});

testNative('native sums refuse values or outputs outside their buffers', () => {
  const heap = new Float32Array(8);
  expect(() => addon!.sums(heap.buffer, 16, 5, new Float32Array(3), 0)).toThrow('sums: the values or the output lie outside their buffers');
  expect(() => addon!.sums(heap.buffer, 0, 8, new Float32Array(3), 1)).toThrow('sums: the values or the output lie outside their buffers');
});
