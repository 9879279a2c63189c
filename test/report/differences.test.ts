// The differences table on real 3-seed and 1-seed folders (test/fixtures/report/three-seeds, one-seed; made from
// test/fixtures/report/differences.yaml), against scipy (scripts/stats_reference.py), and its pairing rules.
import * as fs from 'fs';
import * as path from 'path';
import { differencesChart } from '../../src/report/charts';
import {
  comparedPairs,
  differencesTable,
  formatP,
  readDifferenceSettings,
  type DifferenceSettings,
} from '../../src/report/differences-table';
import { groupRuns, type RunGroup } from '../../src/report/groups';
import { loadResults, type ResultsData } from '../../src/report/load';
import { tableToCsv, tableToMarkdown } from '../../src/report/render-table';
import { welchTest } from '../../src/stats';
import { baseRunName } from '../../src/util/grid-text';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'report');
const REFERENCE = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'stats', 'reference.json'), 'utf8')) as {
  threeSeedsDifferences: {
    metric: string;
    run: string;
    init: string;
    difference: number;
    low: number;
    high: number;
    df: number;
    p: number;
    pHolm: number;
    seeds: number;
  }[];
};

function load(name: string, overrides: Partial<DifferenceSettings> = {}) {
  const data = loadResults(path.join(FIXTURES, name));
  const groups = groupRuns(data);
  return { data, groups, table: differencesTable(groups, data, readDifferenceSettings(data, overrides))! };
}

describe('three seeds, compared with softmax-cross-entropy (report.reference in the experiment file)', () => {
  test.each(REFERENCE.threeSeedsDifferences)(
    '$metric, $run at $init: as scipy (difference, interval, df, p, Holm p, seeds)',
    (expected) => {
      const { table } = load('three-seeds');
      const row = table.csvRows.find(
        (r) => r.metric === expected.metric && r.run === expected.run && r['model.kernelInitializer'] === expected.init,
      )!;
      expect(row).toMatchObject({ vs: 'softmax-cross-entropy', n: 3, vs_n: 3, method: 'welch', seeds_for_80_power: expected.seeds });
      for (const [key, value] of [
        ['difference', expected.difference],
        ['ci_low', expected.low],
        ['ci_high', expected.high],
        ['df', expected.df],
        ['p', expected.p],
        ['p_holm', expected.pHolm],
      ] as const) {
        expect(Math.abs((row[key] as number) - value)).toBeLessThan(1e-6 * Math.max(1, Math.abs(value)));
      }
      expect(row.resolved).toBe(expected.pHolm < 0.05);
    },
  );

  test('holds exactly the 8 accuracy rows (losses differ between these loss functions; no seed reaches 90%)', () => {
    const { table } = load('three-seeds');
    expect(table.csvRows).toHaveLength(REFERENCE.threeSeedsDifferences.length);
    expect(table.description).toContain('adjusted for the 8 comparisons with an interval');
  });

  test('Markdown', () => {
    const { table } = load('three-seeds');
    expect(tableToMarkdown(table).split('\n').slice(0, 4)).toEqual([
      '| metric | model.kernelInitializer | run | vs | n | difference | 95% interval | method | p (Holm) | resolved | seeds for 80% power |',
      '| :--- | :--- | :--- | :--- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
      '| final test acc. | normal-fan-in | sigmoid-mse | softmax-cross-entropy | 3/3 | −24.33 pp | [−37.90, −10.77] pp | Welch | 0.070 | no | 3 |',
      '|  |  | sigmoid-mse-skip-derivative | softmax-cross-entropy | 3/3 | −24.67 pp | [−46.11, −3.22] pp | Welch | 0.11 | no | 4 |',
    ]);
  });

  test('CSV header', () => {
    const { table } = load('three-seeds');
    expect(tableToCsv(table).split('\n')[0]).toBe(
      'metric,model.kernelInitializer,run,vs,n,vs_n,mean,vs_mean,difference,ci_low,ci_high,method,df,p,p_holm,resolved,seeds_for_80_power,note',
    );
  });

  test('the interval chart has one point and one interval per row, in points for accuracies', () => {
    const { data, table } = load('three-seeds');
    const chart = differencesChart(table, data.experiment.gridKeys);
    const values = (chart.spec.data as { values: { metric: string; pair: string; difference: number; low: number; high: number }[] })
      .values;
    expect(values).toHaveLength(8);
    expect(values[0]).toMatchObject({ metric: 'final test acc. (pp)', pair: 'sigmoid-mse − softmax-cross-entropy · normal-fan-in' });
    expect(values[0].low).toBeCloseTo(REFERENCE.threeSeedsDifferences[0].low * 100, 9);
    expect((chart.spec.vconcat as unknown[]).length).toBe(2); // final and best test accuracy
  });
});

describe('without a reference: every pair of runs that differ in one thing', () => {
  test('pairs within an initialisation (3 + 3) and each run across the two (3)', () => {
    const { groups, data } = load('three-seeds');
    const pairs = comparedPairs(groups, data.experiment.gridKeys);
    const label = (g: RunGroup) => `${baseRunName(g.name)}@${String(g.gridValues['model.kernelInitializer'])}`;
    // Groups come initialisation first (the grid), then in file order.
    expect(pairs.map((p) => `${label(p.run)} vs ${label(p.vs)}`)).toEqual([
      'softmax-cross-entropy@normal-fan-in vs sigmoid-mse@normal-fan-in',
      'softmax-cross-entropy@normal-fan-in vs sigmoid-mse-skip-derivative@normal-fan-in',
      'softmax-cross-entropy@normal-fan-in vs softmax-cross-entropy@glorot-uniform',
      'sigmoid-mse@normal-fan-in vs sigmoid-mse-skip-derivative@normal-fan-in',
      'sigmoid-mse@normal-fan-in vs sigmoid-mse@glorot-uniform',
      'sigmoid-mse-skip-derivative@normal-fan-in vs sigmoid-mse-skip-derivative@glorot-uniform',
      'softmax-cross-entropy@glorot-uniform vs sigmoid-mse@glorot-uniform',
      'softmax-cross-entropy@glorot-uniform vs sigmoid-mse-skip-derivative@glorot-uniform',
      'sigmoid-mse@glorot-uniform vs sigmoid-mse-skip-derivative@glorot-uniform',
    ]);
  });

  test('losses are compared only between runs with the same loss function (the skip plan keeps MSE)', () => {
    const { data, groups } = load('three-seeds');
    const settings: DifferenceSettings = { interval: 'auto' };
    const noReference = { experiment: { ...data.experiment, report: undefined } };
    const table = differencesTable(groups, noReference, settings)!;
    const lossRows = table.csvRows.filter((r) => r.metric === 'final_train_loss').map((r) => `${String(r.run)} vs ${String(r.vs)}`);
    expect(lossRows).toEqual([
      'softmax-cross-entropy vs softmax-cross-entropy (kernelInitializer=glorot-uniform)',
      'sigmoid-mse vs sigmoid-mse-skip-derivative',
      'sigmoid-mse vs sigmoid-mse (kernelInitializer=glorot-uniform)',
      'sigmoid-mse-skip-derivative vs sigmoid-mse-skip-derivative (kernelInitializer=glorot-uniform)',
      'sigmoid-mse vs sigmoid-mse-skip-derivative',
    ]);
  });
});

describe('chosen pairs (scripts/pooled-differences.js --vary)', () => {
  test('only those pairs are compared, and Holm counts only their rows', () => {
    const { data, groups } = load('three-seeds');
    const acrossInit = comparedPairs(groups, data.experiment.gridKeys).filter(
      (pair) => pair.run.name.split('[')[0] === pair.vs.name.split('[')[0],
    );
    expect(acrossInit).toHaveLength(3);
    const table = differencesTable(groups, data, { interval: 'auto' }, acrossInit)!;
    expect(table.description).toMatch(/^Compared: 3 chosen pairs of runs\./);
    // Final and best accuracy for 3 pairs, and both losses (each run keeps its loss function): 12 rows.
    expect(table.csvRows).toHaveLength(12);
    expect(table.description).toContain('adjusted for the 12 comparisons with an interval');
  });
});

describe('one seed (a --seeds 1 folder)', () => {
  test('says "1 seed: no interval" where a number would be NaN, and draws no interval chart', () => {
    const { data, table } = load('one-seed');
    expect(tableToMarkdown(table).split('\n')[2]).toBe(
      '| final test acc. | normal-fan-in | sigmoid-mse | softmax-cross-entropy | 1/1 | −25.00 pp | 1 seed: no interval | — | — | — | — |',
    );
    expect(table.rows.every((row) => row[6] === '1 seed: no interval')).toBe(true);
    expect(tableToCsv(table)).not.toMatch(/NaN/);
    expect(table.csvRows[0]).toMatchObject({ n: 1, vs_n: 1, difference: -0.25, note: '1 seed: no interval' });
    expect((differencesChart(table, data.experiment.gridKeys).spec.data as { values: unknown[] }).values).toEqual([]);
  });
});

describe('epochs to an accuracy some seeds never reach', () => {
  const group = (name: string, accuracies: number[][]): RunGroup => ({
    name,
    gridValues: {},
    runs: accuracies.map((curve, seed) => ({
      id: `${name}-s${seed + 1}`,
      name,
      seed: seed + 1,
      status: 'complete',
      summary: { final_test_accuracy: String(curve[curve.length - 1]), best_test_accuracy: String(Math.max(...curve)), loss: name },
      metrics: curve.map((testAccuracy, epoch) => ({ epoch, step: epoch, trainLoss: 1, testLoss: 1, testAccuracy })),
      gradients: undefined,
    })),
  });
  const data = { experiment: { gridKeys: [], runs: [] } } as unknown as Pick<ResultsData, 'experiment'>;

  test('no interval, and the counts of seeds that got there', () => {
    const fast = group('fast', [
      [0.5, 0.91, 0.96],
      [0.5, 0.92, 0.95],
      [0.5, 0.9, 0.97],
    ]);
    const slow = group('slow', [
      [0.5, 0.8, 0.91],
      [0.5, 0.85, 0.9],
      [0.5, 0.7, 0.89],
    ]);
    const table = differencesTable([fast, slow], data, { interval: 'auto' })!;
    const row = (metric: string) => table.rows[table.csvRows.findIndex((r) => r.metric === metric)];
    // 90%: fast at epoch 1 (all three), slow at epoch 2 for two seeds and never for the third.
    expect(row('epochs_to_90').slice(3)).toEqual(['3/3', '—', '3/3 and 2/3 seeds reach 90%: no interval', '—', '—', '—', '—']);
    // 95%: only fast gets there, at epoch 2, 2 and 2.
    expect(row('epochs_to_95').slice(5, 6)).toEqual(['3/3 and 0/3 seeds reach 95%: no interval']);
    // 97%: fast's third seed only; slow never.
    expect(row('epochs_to_97').slice(5, 6)).toEqual(['1/3 and 0/3 seeds reach 97%: no interval']);
  });

  test('all seeds there: a Welch interval on the epochs; no spread at all: said so', () => {
    const a = group('a', [
      [0.5, 0.91],
      [0.5, 0.5, 0.92],
      [0.5, 0.91],
    ]);
    const b = group('b', [
      [0.5, 0.5, 0.91],
      [0.5, 0.5, 0.5, 0.93],
      [0.5, 0.5, 0.91],
    ]);
    const table = differencesTable([a, b], data, { interval: 'welch' })!;
    const epochs90 = table.csvRows.find((r) => r.metric === 'epochs_to_90')!;
    // Epochs to 90%: 1, 2, 1 against 2, 3, 2.
    const welch = welchTest([1, 2, 1], [2, 3, 2]);
    expect(epochs90).toMatchObject({ difference: -1, method: 'welch', n: 3, vs_n: 3 });
    expect(epochs90.ci_low).toBeCloseTo(welch.low, 10);
    expect(epochs90.p).toBeCloseTo(welch.p, 10);
    const constant = differencesTable(
      [
        group('c', [
          [0.5, 0.91],
          [0.5, 0.91],
        ]),
        group('d', [
          [0.5, 0.5, 0.91],
          [0.5, 0.5, 0.91],
        ]),
      ],
      data,
      {
        interval: 'auto',
      },
    )!;
    expect(constant.rows[constant.csvRows.findIndex((r) => r.metric === 'epochs_to_90')][5]).toBe('no spread between seeds: no interval');
  });
});

describe('settings and formatting', () => {
  test('report.reference from experiment.json; the --reference flag overrides it; an unknown name has a did-you-mean', () => {
    const { data } = load('three-seeds');
    expect(readDifferenceSettings(data)).toEqual({ reference: 'softmax-cross-entropy', interval: 'auto' });
    expect(readDifferenceSettings(data, { reference: 'sigmoid-mse', interval: 'bootstrap' })).toEqual({
      reference: 'sigmoid-mse',
      interval: 'bootstrap',
    });
    expect(() => readDifferenceSettings(data, { reference: 'sigmoid_mse' })).toThrow(
      '--reference: unknown run "sigmoid_mse" — did you mean "sigmoid-mse"? Runs: softmax-cross-entropy, sigmoid-mse, sigmoid-mse-skip-derivative.',
    );
    const notAName = { ...data, experiment: { ...data.experiment, report: { reference: 42 } } };
    expect(() => readDifferenceSettings(notAName)).toThrow(
      `${path.join(FIXTURES, 'three-seeds', 'experiment.json')}: report.reference: unknown run 42. ` +
        'Runs: softmax-cross-entropy, sigmoid-mse, sigmoid-mse-skip-derivative.',
    );
    const bad = { ...data, experiment: { ...data.experiment, report: { reference: 'sigmoid_mse', interval: 'welsh' } } };
    expect(() => readDifferenceSettings(bad, { reference: 'sigmoid-mse' })).toThrow(
      `${path.join(FIXTURES, 'three-seeds', 'experiment.json')}: report.interval: unknown interval method "welsh" — did you mean "welch"? Known: auto, welch, bootstrap.`,
    );
  });

  test('a recorded reference the folder does not hold (run --only) compares every pair and says why in a note', () => {
    const { data, groups } = load('three-seeds');
    const subset = { ...data, experiment: { ...data.experiment, report: { reference: 'linear-mse' } } };
    const settings = readDifferenceSettings(subset);
    expect(settings).toEqual({
      interval: 'auto',
      note:
        `${path.join(FIXTURES, 'three-seeds', 'experiment.json')}: report.reference names "linear-mse", which this folder does not hold ` +
        '(run with --only?); the differences table compares every pair instead.',
    });
    const everyPair = differencesTable(groups, subset, settings)!;
    expect(everyPair.description).toMatch(/^Compared: every pair of runs that differ in one thing/);
    expect(everyPair.csvRows).toEqual(differencesTable(groups, data, { interval: 'auto' })!.csvRows);
    expect(everyPair.csvRows.length).toBeGreaterThan(differencesTable(groups, data, readDifferenceSettings(data))!.csvRows.length);
  });

  test('a run alone has nothing to compare: no table', () => {
    const { data, groups } = load('three-seeds');
    expect(differencesTable(groups.slice(0, 1), data, { interval: 'auto' })).toBeUndefined();
  });

  test.each([
    [0.0004, '<0.001'],
    [0.0123, '0.012'],
    [0.05, '0.050'],
    [0.347, '0.35'],
    [1, '1.00'],
  ])('p = %p reads %p', (p, text) => {
    expect(formatP(p)).toBe(text);
  });
});
