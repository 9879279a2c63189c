// Mini-batches: contents equal the source rows in the given order, one-hot targets, the last partial batch.
import { BatchBuilder, epochOrder } from '../../src/data/batches';
import { makeSplit } from '../../src/data/dataset';
import { Rng, shuffleInPlace } from '../../src/data/rng';
import { syntheticImages, syntheticLabels, syntheticPixel } from '../fixtures/data/idx-files';

// 5 examples; example i has label i % 10 and pixel p = syntheticPixel(i, p) / 255.
const split = makeSplit(syntheticImages(5), syntheticLabels(5), 0, 5);

function row(example: number): number[] {
  return Array.from({ length: 784 }, (_, pixel) => Math.fround(syntheticPixel(example, pixel) / 255));
}
function oneHotRow(label: number): number[] {
  return Array.from({ length: 10 }, (_, index) => (index === label ? 1 : 0));
}

describe('epochOrder', () => {
  test('without an rng it is the identity', () => {
    expect(Array.from(epochOrder(4, null))).toEqual([0, 1, 2, 3]);
  });

  test('with an rng it is the seeded Fisher–Yates permutation, new each epoch', () => {
    const rng = new Rng(17);
    const first = epochOrder(50, rng);
    const second = epochOrder(50, rng);
    const replay = new Rng(17);
    expect(Array.from(first)).toEqual(
      shuffleInPlace(
        Array.from({ length: 50 }, (_, index) => index),
        replay,
      ),
    );
    expect(Array.from(second)).toEqual(
      shuffleInPlace(
        Array.from({ length: 50 }, (_, index) => index),
        replay,
      ),
    );
    expect(Array.from(first)).not.toEqual(Array.from(second));
  });
});

describe('BatchBuilder', () => {
  const order = [4, 2, 0, 3, 1];

  test('batchesPerEpoch = ceil(size / batchSize)', () => {
    expect([1, 2, 4, 5, 6].map((batchSize) => new BatchBuilder(split, batchSize).batchesPerEpoch)).toEqual([5, 3, 2, 1, 1]);
    expect(new BatchBuilder(makeSplit(new Uint8Array(0), new Uint8Array(0), 0, 0), 3).batchesPerEpoch).toBe(0);
  });

  test('each batch holds the source rows and one-hot labels in the given order; the last is partial', () => {
    const builder = new BatchBuilder(split, 2);
    const expected = [[4, 2], [0, 3], [1]];
    expected.forEach((examples, batchIndex) => {
      const batch = builder.fill(order, batchIndex);
      expect(batch.size).toBe(examples.length);
      expect(batch.x).toHaveLength(examples.length * 784);
      expect(batch.y).toHaveLength(examples.length * 10);
      expect(Array.from(batch.x)).toEqual(examples.flatMap(row));
      expect(Array.from(batch.y)).toEqual(examples.flatMap((example) => oneHotRow(example % 10)));
      expect(Array.from(batch.labels)).toEqual(examples.map((example) => example % 10));
      expect(Array.from(batch.indices)).toEqual(examples);
    });
  });

  test('buffers are reused: every batch is a view of the same memory, and old one-hots are cleared', () => {
    const builder = new BatchBuilder(split, 2);
    const first = builder.fill(order, 0);
    const last = builder.fill(order, 2);
    expect(last.x.buffer).toBe(first.x.buffer);
    expect(last.y.buffer).toBe(first.y.buffer);
    expect(Array.from(last.y)).toEqual(oneHotRow(1));
    // Batch 0 set ones at classes 4 and 2; refilling the same rows must leave only the new labels' ones.
    builder.fill(order, 0);
    const again = builder.fill(order, 1);
    expect(Array.from(again.y)).toEqual([...oneHotRow(0), ...oneHotRow(3)]);
  });

  test('batches() visits every example exactly once per epoch', () => {
    const mnistSized = makeSplit(syntheticImages(103), syntheticLabels(103), 0, 103);
    const builder = new BatchBuilder(mnistSized, 10);
    const seen: number[] = [];
    const sizes: number[] = [];
    const shuffled = epochOrder(103, new Rng(1));
    for (const batch of builder.batches(shuffled)) {
      seen.push(...batch.indices);
      sizes.push(batch.size);
    }
    expect(sizes).toEqual([10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 3]);
    expect(seen).toEqual(Array.from(shuffled));
  });

  test('a batch size larger than the split gives one batch of the whole split', () => {
    const batch = new BatchBuilder(split, 64).fill(order, 0);
    expect(batch.size).toBe(5);
    expect(Array.from(batch.indices)).toEqual(order);
  });

  test.each([
    [() => new BatchBuilder(split, 0), 'batch size must be a whole number >= 1, received 0'],
    [() => new BatchBuilder(split, 2).fill(order, 3), 'batch index 3 is outside 0..2'],
    [() => new BatchBuilder(split, 2).fill([0, 1, 2], 0), 'epoch order has 3 entries but the split has 5 examples'],
    [() => new BatchBuilder(split, 2).fill([0, 1, 2, 3, 5], 2), 'epoch order entry 4 is 5, outside 0..4'],
  ])('misuse -> RangeError (%#)', (misuse, message) => {
    expect(misuse).toThrow(new RangeError(message));
  });
});
