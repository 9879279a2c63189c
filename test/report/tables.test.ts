// The report tables built from the hand-written grid fixture (2 run names x 2 seeds), compared as exact text.
import * as path from 'path';
import { groupRuns } from '../../src/report/groups';
import { gradientFlowTable, gradientsTable, ratioReading } from '../../src/report/gradients-table';
import { loadResults } from '../../src/report/load';
import { readReference, referenceTable } from '../../src/report/reference-table';
import { escapeLatex, tableToCsv, tableToLatex, tableToMarkdown } from '../../src/report/render-table';
import { epochsToReach, formatEpochsToReach, runsTable } from '../../src/report/runs-table';

const GRID = path.join(__dirname, '..', 'fixtures', 'report', 'grid');

function fixture() {
  const data = loadResults(GRID);
  return { data, groups: groupRuns(data), gridKeys: data.experiment.gridKeys };
}

/*
 * Fixture values (see test/fixtures/report/grid): final test accuracy 0.96/0.98 (cross-entropy) and 0.92/0.94 (mse):
 * mean 97.00 and 93.00, sample std sqrt(2 * 0.01^2 / 1) = 1.41 points. Best 0.97/0.98 -> 97.50 ± 0.71;
 * 0.93/0.95 -> 94.00 ± 1.41. Train loss 0.1/0.3 -> 0.2 ± 0.141, test loss 0.2/0.4 -> 0.3 ± 0.141; mse a tenth of
 * that. Wall 10/14 -> 12.0 ± 2.8, 8/9 -> 8.5 ± 0.7. Epochs to 90%: 1,1 and 2,2; to 95%: 2,1 -> 1.5 ± 0.707 and
 * never,2; to 97%: 2,3 -> 2.5 ± 0.707 and never,never.
 */
describe('runs table', () => {
  test('Markdown', () => {
    const { groups, gridKeys } = fixture();
    expect(tableToMarkdown(runsTable(groups, gridKeys))).toBe(
      [
        '| loss | run | n | final test acc. (%) | best test acc. (%) | epochs to 90% | epochs to 95% | epochs to 97% | final train loss | final test loss | wall time (s) |',
        '| :--- | :--- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
        '| cross-entropy | loss=cross-entropy | 2 | 97.00 ± 1.41 | 97.50 ± 0.71 | 1 ± 0 | 1.5 ± 0.707 | 2.5 ± 0.707 | 0.2 ± 0.141 | 0.3 ± 0.141 | 12.0 ± 2.8 |',
        '| mse | loss=mse | 2 | 93.00 ± 1.41 | 94.00 ± 1.41 | 2 ± 0 | 2 (1 never) | never | 0.02 ± 0.0141 | 0.03 ± 0.0141 | 8.5 ± 0.7 |',
        '',
      ].join('\n'),
    );
  });

  test('CSV keeps fractions and full precision, std empty where undefined', () => {
    const { groups, gridKeys } = fixture();
    const s = '0.0141421356237'; // sqrt(2) / 100 to 12 significant digits
    const h = '0.707106781187'; // sqrt(2) / 2
    expect(tableToCsv(runsTable(groups, gridKeys))).toBe(
      [
        'loss,run,n,final_test_accuracy_mean,final_test_accuracy_std,best_test_accuracy_mean,best_test_accuracy_std,' +
          'epochs_to_90_mean,epochs_to_90_std,epochs_to_90_reached,epochs_to_95_mean,epochs_to_95_std,epochs_to_95_reached,' +
          'epochs_to_97_mean,epochs_to_97_std,epochs_to_97_reached,final_train_loss_mean,final_train_loss_std,' +
          'final_test_loss_mean,final_test_loss_std,wall_s_mean,wall_s_std',
        `cross-entropy,loss=cross-entropy,2,0.97,${s},0.975,0.00707106781187,1,0,2/2,1.5,${h},2/2,2.5,${h},2/2,0.2,0.141421356237,0.3,0.141421356237,12,2.82842712475`,
        `mse,loss=mse,2,0.93,${s},0.94,${s},2,0,2/2,2,,1/2,,,0/2,0.02,${s},0.03,${s},8.5,${h}`,
        '',
      ].join('\n'),
    );
  });

  test('LaTeX booktabs', () => {
    const { groups, gridKeys } = fixture();
    const latex = tableToLatex(runsTable(groups, gridKeys));
    expect(latex.split('\n').slice(0, 10)).toEqual([
      '% Requires \\usepackage{booktabs}.',
      '\\begin{table}[htbp]',
      '\\centering',
      '\\caption{Runs}',
      '\\label{tab:runs}',
      '\\begin{tabular}{llrrrrrrrrr}',
      '\\toprule',
      'loss & run & n & final test acc. (\\%) & best test acc. (\\%) & epochs to 90\\% & epochs to 95\\% & epochs to 97\\% & final train loss & final test loss & wall time (s) \\\\',
      '\\midrule',
      'cross-entropy & loss=cross-entropy & 2 & 97.00 $\\pm$ 1.41 & 97.50 $\\pm$ 0.71 & 1 $\\pm$ 0 & 1.5 $\\pm$ 0.707 & 2.5 $\\pm$ 0.707 & 0.2 $\\pm$ 0.141 & 0.3 $\\pm$ 0.141 & 12.0 $\\pm$ 2.8 \\\\',
    ]);
    expect(latex.split('\n').slice(10)).toEqual([
      '\\addlinespace',
      'mse & loss=mse & 2 & 93.00 $\\pm$ 1.41 & 94.00 $\\pm$ 1.41 & 2 $\\pm$ 0 & 2 (1 never) & never & 0.02 $\\pm$ 0.0141 & 0.03 $\\pm$ 0.0141 & 8.5 $\\pm$ 0.7 \\\\',
      '\\bottomrule',
      '\\end{tabular}',
      '\\end{table}',
      '',
    ]);
  });
});

describe('epochs to reach an accuracy', () => {
  const metrics = [0.1, 0.91, 0.97, 0.96].map((testAccuracy, epoch) => ({
    epoch,
    step: 2 * epoch,
    trainLoss: 1,
    testLoss: 1,
    testAccuracy,
  }));
  test.each([
    [0.9, 1],
    [0.95, 2],
    [0.97, 2],
    [0.98, null],
  ])('threshold %p is first reached at epoch %p', (threshold, epoch) => {
    expect(epochsToReach(metrics, threshold)).toBe(epoch);
  });
  test('without metrics.csv the run does not count', () => {
    expect(epochsToReach(undefined, 0.9)).toBeUndefined();
  });
  test.each<[(number | null)[], string]>([
    [[3], '3'],
    [[2, 3], '2.5 ± 0.707'],
    [[null, null], 'never'],
    [[4, null, null], '4 (2 never)'],
    [[], '—'],
  ])('%p reads %p', (epochs, text) => {
    expect(formatEpochsToReach(epochs)).toBe(text);
  });
});

/*
 * Pre-activation gradient L2 at step 0: cross-entropy layers 0.01/0.1/1 and 0.03/0.3/1, mse 0.5/0.5/0.5 and
 * 0.7/0.6/0.5. Step 1 is 3x step 0, so the epoch-1 mean (steps 0 and 1) is 2x step 0; the last step (5) is half
 * of step 0. Saturated/dead fractions change only at the last step; layer 2 of cross-entropy (softmax) has none.
 */
describe('gradient tables', () => {
  test('per layer, Markdown, repeated group cells blank', () => {
    const { groups, gridKeys } = fixture();
    expect(tableToMarkdown(gradientsTable(groups, gridKeys))).toBe(
      [
        '| loss | run | layer | n | preact. grad L2, step 0 | mean over epoch 1 | at last step | saturated/dead, step 0 (%) | saturated/dead, last step (%) |',
        '| :--- | :--- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
        '| cross-entropy | loss=cross-entropy | 0 | 2 | 0.02 ± 0.0141 | 0.04 ± 0.0283 | 0.01 ± 0.00707 | 15.00 ± 7.07 | 40.00 ± 14.14 |',
        '|  |  | 1 | 2 | 0.2 ± 0.141 | 0.4 ± 0.283 | 0.1 ± 0.0707 | 25.00 ± 7.07 | 50.00 ± 14.14 |',
        '|  |  | 2 | 2 | 1 ± 0 | 2 ± 0 | 0.5 ± 0 | — | — |',
        '| mse | loss=mse | 0 | 2 | 0.6 ± 0.141 | 1.2 ± 0.283 | 0.3 ± 0.0707 | 10.00 ± 7.07 | 30.00 ± 7.07 |',
        '|  |  | 1 | 2 | 0.55 ± 0.0707 | 1.1 ± 0.141 | 0.275 ± 0.0354 | 10.00 ± 0.00 | 20.00 ± 0.00 |',
        '|  |  | 2 | 2 | 0.5 ± 0 | 1 ± 0 | 0.25 ± 0 | 0.00 ± 0.00 | 50.00 ± 0.00 |',
        '',
      ].join('\n'),
    );
  });

  test('per layer, CSV has every row in full', () => {
    const { groups, gridKeys } = fixture();
    const csv = tableToCsv(gradientsTable(groups, gridKeys)).split('\n');
    expect(csv[0]).toBe(
      'loss,run,layer,layer_kind,n,preact_l2_step0_mean,preact_l2_step0_std,preact_l2_epoch1_mean,preact_l2_epoch1_std,' +
        'preact_l2_last_mean,preact_l2_last_std,saturated_step0_mean,saturated_step0_std,saturated_last_mean,saturated_last_std',
    );
    expect(csv.slice(1)).toEqual([
      'cross-entropy,loss=cross-entropy,0,dense,2,0.02,0.0141421356237,0.04,0.0282842712475,0.01,0.00707106781187,0.15,0.0707106781187,0.4,0.141421356237',
      'cross-entropy,loss=cross-entropy,1,dense,2,0.2,0.141421356237,0.4,0.282842712475,0.1,0.0707106781187,0.25,0.0707106781187,0.5,0.141421356237',
      'cross-entropy,loss=cross-entropy,2,dense,2,1,0,2,0,0.5,0,,,,',
      'mse,loss=mse,0,dense,2,0.6,0.141421356237,1.2,0.282842712475,0.3,0.0707106781187,0.1,0.0707106781187,0.3,0.0707106781187',
      'mse,loss=mse,1,dense,2,0.55,0.0707106781187,1.1,0.141421356237,0.275,0.0353553390593,0.1,0,0.2,0',
      'mse,loss=mse,2,dense,2,0.5,0,1,0,0.25,0,0,0,0.5,0',
      '',
    ]);
  });

  // Ratios layer 0 / layer 2 at step 0: 0.01 and 0.03 (mean 0.02), 1 and 1.4 (mean 1.2, std 0.283).
  test('first-to-last layer ratio, Markdown and CSV', () => {
    const { groups, gridKeys } = fixture();
    const table = gradientFlowTable(groups, gridKeys);
    expect(tableToMarkdown(table)).toBe(
      [
        '| loss | run | n | layers | layer 0 ÷ last layer, step 0 | reading |',
        '| :--- | :--- | ---: | ---: | ---: | :--- |',
        '| cross-entropy | loss=cross-entropy | 2 | 3 | 0.02 ± 0.0141 | vanishing |',
        '| mse | loss=mse | 2 | 3 | 1.2 ± 0.283 | within 10× |',
        '',
      ].join('\n'),
    );
    expect(tableToCsv(table)).toBe(
      'loss,run,n,layers,ratio_mean,ratio_std,reading\n' +
        'cross-entropy,loss=cross-entropy,2,3,0.02,0.0141421356237,vanishing\n' +
        'mse,loss=mse,2,3,1.2,0.282842712475,within 10×\n',
    );
  });

  test.each([
    [0.05, 'vanishing'],
    [0.1, 'within 10×'],
    [10, 'within 10×'],
    [25, 'exploding'],
    [NaN, '—'],
  ])('ratio %p reads %p', (ratio, reading) => {
    expect(ratioReading(ratio)).toBe(reading);
  });
});

/*
 * Reference: cross-entropy best_test_accuracy best of 0.97/0.98 = 98.00% against 97.50% (+0.50 pp);
 * mse final_test_accuracy mean 93.00 ± 1.41% against 95.00% (−2.00 pp); mse final_test_loss best (lowest) of
 * 0.02/0.04 = 0.02 against 0.025 (−0.005).
 */
describe('reference table', () => {
  test('Markdown and CSV', () => {
    const { data, groups } = fixture();
    const table = referenceTable(readReference(data)!, groups);
    expect(table.description).toBe(
      'Published: Example et al. (2020), Table 2 (https://example.org/paper). Best of 5 seeds. Measured is the best ' +
        "seed or the mean ± std over seeds, as the reference asks; difference is measured − published (pp: percentage points), with the 95% t interval of the mean's difference where the mean is compared. A published number from a single run has its own seed-to-seed spread, which this interval does not include.",
    );
    expect(tableToMarkdown(table)).toBe(
      [
        '| run | metric | aggregate | n | published | measured | difference | 95% interval of difference |',
        '| :--- | :--- | :--- | ---: | ---: | ---: | ---: | ---: |',
        '| loss=cross-entropy | best_test_accuracy | best | 2 | 97.50% | 98.00% | +0.50 pp | best of 2: no interval |',
        // 0.93 ± t(0.975, 1) · 0.01 = 0.93 ± 12.7062 · 0.01, less 0.95.
        '| loss=mse | final_test_accuracy | mean | 2 | 95.00% | 93.00 ± 1.41% | −2.00 pp | [−14.71, +10.71] pp |',
        '|  | final_test_loss | best | 2 | 0.025 | 0.02 | −0.005 | best of 2: no interval |',
        '',
      ].join('\n'),
    );
    const csv = tableToCsv(table).split('\n');
    expect(csv.slice(0, 2).concat(csv.slice(3))).toEqual([
      'run,metric,aggregate,n,published,measured,measured_std,difference,difference_ci_low,difference_ci_high',
      'loss=cross-entropy,best_test_accuracy,best,2,0.975,0.98,,0.005,,',
      'loss=mse,final_test_loss,best,2,0.025,0.02,,-0.005,,',
      '',
    ]);
    const mean = csv[2].split(',');
    expect(mean.slice(0, 8).join(',')).toBe('loss=mse,final_test_accuracy,mean,2,0.95,0.93,0.0141421356237,-0.02');
    // scipy.stats.t.ppf(0.975, 1) = 12.7062047361747
    expect(Number(mean[8])).toBeCloseTo(-0.02 - 0.127062047361747, 9);
    expect(Number(mean[9])).toBeCloseTo(-0.02 + 0.127062047361747, 9);
  });
});

describe('escapeLatex', () => {
  test.each([
    ['50% & 1_000 #2 $x$ {a}', '50\\% \\& 1\\_000 \\#2 \\$x\\$ \\{a\\}'],
    ['a\\b ~ ^', 'a\\textbackslash{}b \\textasciitilde{} \\textasciicircum{}'],
    ['1 ± 0.1 − 2 ÷ 3 × ∞ —', '1 $\\pm$ 0.1 $-$ 2 $\\div$ 3 $\\times$ $\\infty$ ---'],
  ])('%p', (text, latex) => {
    expect(escapeLatex(text)).toBe(latex);
  });
});
