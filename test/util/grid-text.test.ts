// Grid values as text in run names and report tables, and a grid run's base name.
import { baseRunName, gridValueText } from '../../src/util/grid-text';

test.each<[unknown, string]>([
  [3, '3'],
  [[784, 30], '784-30'],
  [{ name: 'normal-fan-in' }, 'normal-fan-in'],
  [{ name: 'normal', mean: 0, stddev: 1 }, 'normal(mean=0,stddev=1)'],
  [null, '—'],
])('gridValueText(%p) = %p', (value, text) => {
  expect(gridValueText(value)).toBe(text);
});

test.each([
  ['sigmoid-mse[kernelInitializer=normal(mean=0,stddev=1)]', 'sigmoid-mse'],
  ['relu[learningRate=0.1,hidden=100-30]', 'relu'],
  ['plain-name', 'plain-name'],
  ['odd[name]-kept', 'odd[name]-kept'],
])('baseRunName(%p) = %p', (name, base) => {
  expect(baseRunName(name)).toBe(base);
});
