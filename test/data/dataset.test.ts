// Split construction (pixel scaling, copies) and one-hot encoding.
import { DataError } from '../../src/errors';
import { FEATURE_SIZE, NUM_CLASSES, makeSplit, oneHot } from '../../src/data/dataset';
import { syntheticImages, syntheticLabels, syntheticPixel } from '../fixtures/data/idx-files';

test('one-hot of [2, 0, 1] with 3 classes is the identity rows in that order', () => {
  expect(Array.from(oneHot([2, 0, 1], 3))).toEqual([0, 0, 1, 1, 0, 0, 0, 1, 0]);
});

test('one-hot defaults to 10 classes', () => {
  const encoded = oneHot(Uint8Array.from([9, 0]));
  expect(encoded).toHaveLength(20);
  expect(
    Array.from(encoded)
      .map((value, index) => (value === 1 ? index : -1))
      .filter((index) => index >= 0),
  ).toEqual([9, 10]);
});

test.each([
  [[0, 3], 'label 3 at index 1 is not a class index, expected an integer in 0..2'],
  [[-1], 'label -1 at index 0 is not a class index, expected an integer in 0..2'],
  [[0.5], 'label 0.5 at index 0 is not a class index, expected an integer in 0..2'],
])('one-hot of %j with 3 classes -> DataError', (labels, message) => {
  expect(() => oneHot(labels, 3)).toThrow(new DataError(message));
});

describe('makeSplit', () => {
  const images = syntheticImages(6);
  const labels = syntheticLabels(6);
  const split = makeSplit(images, labels, 2, 3);

  test('takes `count` examples from `start`, pixels / 255', () => {
    expect(split.size).toBe(3);
    expect(split.featureSize).toBe(FEATURE_SIZE);
    expect(split.numClasses).toBe(NUM_CLASSES);
    expect(split.features).toHaveLength(3 * 784);
    expect(Array.from(split.labels)).toEqual([2, 3, 4]);
    for (const [row, pixel] of [
      [0, 0],
      [0, 783],
      [1, 5],
      [2, 400],
    ]) {
      expect(split.features[row * 784 + pixel]).toBe(Math.fround(syntheticPixel(2 + row, pixel) / 255));
    }
  });

  test('pixel 0 maps to 0 and 255 to exactly 1', () => {
    const extremes = makeSplit(
      Uint8Array.from({ length: 784 }, (_, pixel) => (pixel % 2 === 0 ? 0 : 255)),
      Uint8Array.from([1]),
      0,
      1,
    );
    expect(extremes.features[0]).toBe(0);
    expect(extremes.features[1]).toBe(1);
  });

  test('labels are a copy: changing them does not change the source', () => {
    split.labels[0] = 9;
    expect(labels[2]).toBe(2);
  });
});
