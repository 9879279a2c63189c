// Run groups: seeds grouped by name, ordered so a two-key grid reads as a table, unreported runs listed.
import { groupRuns, gridValueText, leftOutRuns } from '../../src/report/groups';
import type { ResultsData, RunData } from '../../src/report/load';

function run(id: string, name: string, status = 'complete'): RunData {
  return { id, name, seed: 1, status, summary: {}, metrics: undefined, gradients: undefined };
}

// The experiment lists a 2 x 2 grid with the first key varying fastest; summary.csv lists runs in another order.
const data: ResultsData = {
  dir: 'results',
  experiment: {
    name: 'grid',
    description: '',
    source: 'grid.yaml',
    hash: 'h',
    dataset: {},
    gridKeys: ['loss', 'model.hidden'],
    runs: [
      { id: 'a1', name: 'ce-100', seed: 1, configHash: '', gridValues: { loss: 'ce', 'model.hidden': [100] }, config: {} },
      { id: 'c1', name: 'mse-100', seed: 1, configHash: '', gridValues: { loss: 'mse', 'model.hidden': [100] }, config: {} },
      { id: 'b1', name: 'ce-100-30', seed: 1, configHash: '', gridValues: { loss: 'ce', 'model.hidden': [100, 30] }, config: {} },
      { id: 'd1', name: 'mse-100-30', seed: 1, configHash: '', gridValues: { loss: 'mse', 'model.hidden': [100, 30] }, config: {} },
    ],
  },
  manifest: {} as ResultsData['manifest'],
  summaryColumns: [],
  runs: [
    run('d1', 'mse-100-30'),
    run('c1', 'mse-100'),
    run('a2', 'ce-100'),
    run('a1', 'ce-100'),
    run('b1', 'ce-100-30'),
    run('c2', 'mse-100', 'failed'),
  ],
  warnings: [],
};

test('groups are sorted by the grid keys in turn, seeds stay in summary.csv order, unreported runs are left out', () => {
  const groups = groupRuns(data);
  expect(groups.map((g) => [g.name, g.runs.map((r) => r.id)])).toEqual([
    ['ce-100', ['a2', 'a1']],
    ['ce-100-30', ['b1']],
    ['mse-100', ['c1']],
    ['mse-100-30', ['d1']],
  ]);
  expect(leftOutRuns(data)).toEqual(['c2 (failed)']);
});

test.each<[unknown, string]>([
  [[100, 30], '100-30'],
  [[], '(none)'],
  [0.1, '0.1'],
  ['relu', 'relu'],
  [{ name: 'adam' }, 'adam'],
  [{ name: 'normal', mean: 0, stddev: 1 }, 'normal(mean=0,stddev=1)'],
  [{ mean: 0 }, '{mean:0}'],
  [undefined, '—'],
])('grid value %p reads %p', (value, text) => {
  expect(gridValueText(value)).toBe(text);
});
