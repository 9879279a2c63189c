// `losslab compare` end to end on fixture pairs: exact table text, exit codes, JSON and JUnit output, bad input.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { main } from '../../src/cli/main';
import type { Io } from '../../src/io';
import { METRICS, TOLERANCE_KINDS } from '../../src/compare/tolerance';

const fixtures = path.relative(process.cwd(), path.join(__dirname, '..', 'fixtures', 'compare'));
const baseline = path.join(fixtures, 'baseline');
const currentPass = path.join(fixtures, 'current-pass');
const currentFail = path.join(fixtures, 'current-fail');

async function compare(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: Io = { out: (text) => (out += text), err: (text) => (err += text), isTty: false };
  const code = await main(['compare', ...args], io);
  return { code, out, err };
}

const DEFAULT_TOLERANCES =
  'tolerances: final_train_loss rel 5% no-rise, final_test_loss rel 5% no-rise, final_test_accuracy abs 0.005 no-drop, ' +
  'best_test_accuracy abs 0.005 no-drop, step0_preactivation_l2 factor 2 both; replicates may also differ by k = 2 baseline std';

// relu-ce has two seeds: baseline std of each metric is sqrt(2 * 0.01^2 / 1) = 0.0141421, so k = 2 adds 0.0282843.
// final_train_loss: 0.29 -> 0.3, allowed 0.05 * 0.29 + 0.0282843 = 0.0427843; accuracy 0.91 -> 0.895, allowed 0.0332843.
// Gradient layer 0: baseline 0.021 (std 0.00141421), range (0.0105 - 0.00282843) / 0.021 .. (0.042 + 0.00282843) / 0.021.
// sigmoid-mse best_test_accuracy drops by exactly the tolerance, 0.005, and passes.
const PASS_TABLE = `\
metric                     run            baseline  current  delta     tolerance            verdict
final_train_loss           relu-ce (n=2)  0.29      0.3      +0.01     <= +0.0427843        PASS
final_test_loss            relu-ce (n=2)  0.31      0.32     +0.01     <= +0.0437843        PASS
final_test_accuracy        relu-ce (n=2)  0.91      0.895    -0.015    >= -0.0332843        PASS
best_test_accuracy         relu-ce (n=2)  0.92      0.91     -0.01     >= -0.0332843        PASS
step0_preactivation_l2[0]  relu-ce (n=2)  0.021     0.022    x1.04762  x0.365313..x2.13469  PASS
step0_preactivation_l2[1]  relu-ce (n=2)  0.11      0.12     x1.09091  x0.24287..x2.25713   PASS
final_train_loss           sigmoid-mse    0.05      0.052    +0.002    <= +0.0025           PASS
final_test_loss            sigmoid-mse    0.06      0.061    +0.001    <= +0.003            PASS
final_test_accuracy        sigmoid-mse    0.85      0.847    -0.003    >= -0.005            PASS
best_test_accuracy         sigmoid-mse    0.86      0.855    -0.005    >= -0.005            PASS
step0_preactivation_l2[0]  sigmoid-mse    0.004     0.0079   x1.975    x0.5..x2             PASS
step0_preactivation_l2[1]  sigmoid-mse    0.05      0.05     x1        x0.5..x2             PASS
final_train_loss           tanh-ce        0.4       0.4      +0        <= +0.02             PASS
final_test_loss            tanh-ce        0.41      0.41     +0        <= +0.0205           PASS
final_test_accuracy        tanh-ce        0.88      0.88     +0        >= -0.005            PASS
best_test_accuracy         tanh-ce        0.885     0.885    +0        >= -0.005            PASS
`;

// current-fail: relu-ce-s1 diverged (status check fails, and it leaves the means), so relu-ce compares seed 2
// alone (std 0): train loss 0.28 -> 0.3 exceeds 5% (0.014); accuracy 0.92 -> 0.9 drops 0.02 > 0.005.
// sigmoid-mse layer 0 gradient doubles and a bit (x2.025), layer 1 more than halves (x0.48). tanh-ce-s1 is gone.
const FAIL_TABLE = `\
metric                     run          baseline  current   delta   tolerance   verdict
status                     relu-ce-s1   complete  diverged  -       complete    FAIL
final_train_loss           relu-ce      0.28      0.3       +0.02   <= +0.014   FAIL
final_test_loss            relu-ce      0.3       0.31      +0.01   <= +0.015   PASS
final_test_accuracy        relu-ce      0.92      0.9       -0.02   >= -0.005   FAIL
best_test_accuracy         relu-ce      0.93      0.925     -0.005  >= -0.005   PASS
step0_preactivation_l2[0]  relu-ce      0.022     0.022     x1      x0.5..x2    PASS
step0_preactivation_l2[1]  relu-ce      0.12      0.12      x1      x0.5..x2    PASS
final_train_loss           sigmoid-mse  0.05      0.05      +0      <= +0.0025  PASS
final_test_loss            sigmoid-mse  0.06      0.06      +0      <= +0.003   PASS
final_test_accuracy        sigmoid-mse  0.85      0.851     +0.001  >= -0.005   PASS
best_test_accuracy         sigmoid-mse  0.86      0.86      +0      >= -0.005   PASS
step0_preactivation_l2[0]  sigmoid-mse  0.004     0.0081    x2.025  x0.5..x2    FAIL
step0_preactivation_l2[1]  sigmoid-mse  0.05      0.024     x0.48   x0.5..x2    FAIL
`;

describe('losslab compare', () => {
  test('a pair within tolerance passes: exact text, exit 0', async () => {
    const { code, out, err } = await compare(currentPass, baseline);
    expect(err).toBe('');
    expect(out).toBe(
      `losslab compare: current ${currentPass} (4 runs) vs baseline ${baseline} (4 runs)\n` +
        `${DEFAULT_TOLERANCES}\n\n` +
        PASS_TABLE +
        '\n' +
        'missing from current (FAIL): none\n' +
        'added in current (not compared): none\n' +
        'gradients: compared step-0 preactivation L2 per layer from runs/<id>/gradients.csv\n' +
        '\n' +
        'PASS: all 16 checks passed\n',
    );
    expect(code).toBe(0);
  });

  test('a regressed pair fails: exact text, exit 1', async () => {
    const { code, out } = await compare(currentFail, baseline);
    expect(out).toBe(
      `losslab compare: current ${currentFail} (4 runs) vs baseline ${baseline} (4 runs)\n` +
        `${DEFAULT_TOLERANCES}\n\n` +
        FAIL_TABLE +
        '\n' +
        'missing from current (FAIL): tanh-ce-s1\n' +
        'added in current (not compared): relu-ce-s3\n' +
        'gradients: compared step-0 preactivation L2 per layer from runs/<id>/gradients.csv\n' +
        '\n' +
        'FAIL: 5 of 13 checks failed, 1 run missing from current\n',
    );
    expect(code).toBe(1);
  });

  test('runs from another backend: the same checks, plus a note; still exit 0', async () => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'losslab-compare-backend-'));
    fs.cpSync(currentPass, folder, { recursive: true });
    const summary = path.join(folder, 'summary.csv');
    fs.writeFileSync(summary, fs.readFileSync(summary, 'utf8').replace(/,cpu,/g, ',wasm+openblas,'));
    const { code, out } = await compare(folder, baseline);
    fs.rmSync(folder, { recursive: true, force: true });
    expect(out).toContain(
      'gradients: compared step-0 preactivation L2 per layer from runs/<id>/gradients.csv\n' +
        'backends differ: current wasm+openblas, baseline cpu (another backend: float32 rounding differs, so runs agree within tolerance, not bit for bit; noted, not a failure)\n' +
        '\nPASS: all 16 checks passed\n',
    );
    expect(code).toBe(0);
  });

  test('k = 0 ignores the replicate spread: relu-ce accuracy drops fail', async () => {
    const { code, out } = await compare(currentPass, baseline, '--k', '0');
    const failing = out.split('\n').filter((line) => line.endsWith('FAIL'));
    expect(failing).toEqual([
      'final_test_accuracy        relu-ce (n=2)  0.91      0.895    -0.015    >= -0.005   FAIL',
      'best_test_accuracy         relu-ce (n=2)  0.92      0.91     -0.01     >= -0.005   FAIL',
    ]);
    expect(out).toContain('\nFAIL: 2 of 16 checks failed\n');
    expect(code).toBe(1);
  });

  test('summary.csv files compare without gradients', async () => {
    const { code, out } = await compare(path.join(currentFail, 'summary.csv'), path.join(baseline, 'summary.csv'));
    expect(out).not.toContain('step0_preactivation_l2[');
    expect(out).toContain('\ngradients: not compared: both arguments must be results folders (a summary.csv has no gradient columns)\n');
    expect(out).toContain('\nFAIL: 3 of 9 checks failed, 1 run missing from current\n');
    expect(code).toBe(1);
  });

  test('a tolerance file and --tol flags override the defaults, flags last', async () => {
    const { code, out } = await compare(
      currentPass,
      baseline,
      '--tolerances',
      path.join(fixtures, 'tolerances.yaml'),
      '--tol',
      'best_test_accuracy=off',
      '--tol',
      'final_test_loss=abs:0.02',
      '--k',
      '0',
    );
    expect(out.split('\n')[1]).toBe(
      'tolerances: final_train_loss rel 10% no-rise, final_test_loss abs 0.02 no-rise, final_test_accuracy abs 0.001 no-drop, ' +
        'wall_s rel 50% no-rise; replicates may also differ by k = 0 baseline std',
    );
    // wall_s: relu-ce 12.3 -> 13.45 (+9.3%), sigmoid-mse 11 -> 12.2, tanh-ce 11.7 -> 11.9: all within 50%.
    expect(out).toContain('\nwall_s               relu-ce (n=2)  12.3      13.45    +1.15   <= +6.15   PASS\n');
    expect(out).toContain('\nfinal_test_accuracy  sigmoid-mse    0.85      0.847    -0.003  >= -0.001  FAIL\n');
    expect(out).toContain('\ngradients: not compared: the step0_preactivation_l2 tolerance is off\n');
    expect(out).toContain('\nFAIL: 2 of 12 checks failed\n');
    expect(code).toBe(1);
  });

  test('--json prints the machine output with the exit code; NaN and open bounds are null', async () => {
    const { code, out } = await compare(currentFail, baseline, '--json');
    const document = JSON.parse(out) as { checks: Record<string, unknown>[] };
    expect(code).toBe(1);
    expect(document).toMatchObject({ exitCode: 1, pass: false, failures: 6, missing: ['tanh-ce-s1'], added: ['relu-ce-s3'], k: 2 });
    expect(document.checks).toHaveLength(13);
    expect(document.checks[0]).toEqual({
      kind: 'status',
      metric: 'status',
      run: 'relu-ce-s1',
      runIds: ['relu-ce-s1'],
      baseline: 'complete',
      current: 'diverged',
      verdict: 'FAIL',
    });
    const accuracy = document.checks[3];
    expect(accuracy).toMatchObject({ metric: 'final_test_accuracy', run: 'relu-ce', runIds: ['relu-ce-s2'], baseline: 0.92, current: 0.9 });
    expect(accuracy.low).toBeCloseTo(0.915, 12);
    expect(accuracy.high).toBeNull();
    expect(accuracy.verdict).toBe('FAIL');
    const gradient = document.checks[11];
    expect(gradient).toMatchObject({ metric: 'step0_preactivation_l2', layer: 0, run: 'sigmoid-mse', baseline: 0.004, current: 0.0081 });
    expect(gradient.delta).toBeCloseTo(2.025, 12);
    expect(gradient.tolerance).toEqual({ kind: 'factor', value: 2, direction: 'both' });
  });

  test('--junit writes one testcase per (run, metric) with failures for regressions', async () => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'losslab-compare-'));
    const file = path.join(folder, 'nested', 'compare.xml');
    try {
      const { code } = await compare(currentFail, baseline, '--junit', file);
      expect(code).toBe(1);
      const xml = fs.readFileSync(file, 'utf8');
      expect(
        xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="losslab compare" tests="14" failures="6" errors="0">\n'),
      ).toBe(true);
      expect(xml.match(/<testcase /g)).toHaveLength(14);
      expect(xml.match(/<failure /g)).toHaveLength(6);
      expect(xml).toContain(
        '    <testcase classname="losslab.compare.relu-ce" name="final_test_accuracy">\n' +
          '      <failure message="final_test_accuracy of relu-ce: baseline 0.92, current 0.9, delta -0.02, allowed &gt;= -0.005" type="regression">' +
          'final_test_accuracy of relu-ce: baseline 0.92, current 0.9, delta -0.02, allowed &gt;= -0.005</failure>\n' +
          '    </testcase>\n',
      );
      expect(xml).toContain('    <testcase classname="losslab.compare.relu-ce" name="final_test_loss"/>\n');
      expect(xml).toContain(
        '    <testcase classname="losslab.compare.tanh-ce-s1" name="present">\n' +
          '      <failure message="run tanh-ce-s1 is in the baseline but missing from current" type="missing">',
      );
      expect(xml).toContain('<system-out>losslab compare: current');
      expect(xml.endsWith('</system-out>\n  </testsuite>\n</testsuites>\n')).toBe(true);
    } finally {
      fs.rmSync(folder, { recursive: true, force: true });
    }
  });

  const bad = path.join(fixtures, 'bad');
  test.each([
    [
      [path.join(fixtures, 'nowhere'), baseline],
      `losslab: current "${path.join(fixtures, 'nowhere')}": no such file or folder (expected a results folder or a summary.csv)\n`,
    ],
    [
      [fixtures, baseline],
      `losslab: current "${fixtures}": no summary.csv in this folder (expected ${path.join(fixtures, 'summary.csv')})\n`,
    ],
    [
      [path.join(bad, 'malformed.csv'), baseline],
      `losslab: ${path.join(bad, 'malformed.csv')}:2: malformed CSV: row 2 has 4 cells, the header has 25\n`,
    ],
    [
      [path.join(bad, 'missing-columns.csv'), baseline],
      `losslab: ${path.join(bad, 'missing-columns.csv')}: missing columns "final_train_loss", "final_test_loss", "best_test_accuracy", "wall_s" ` +
        '(the columns read here; src/results/contract.ts)\n',
    ],
    [
      [path.join(bad, 'not-a-number.csv'), baseline],
      `losslab: ${path.join(bad, 'not-a-number.csv')}: row 2, column final_test_accuracy: expected a number or an empty cell, received "high"\n`,
    ],
    [
      [path.join(bad, 'disjoint.csv'), baseline],
      `losslab: no runs in common: current "${path.join(bad, 'disjoint.csv')}" has 1 run (other-s1); baseline "${baseline}" has 4 runs ` +
        '(relu-ce-s1, relu-ce-s2, sigmoid-mse-s1, tanh-ce-s1)\n',
    ],
    [
      [currentPass, baseline, '--tol', 'final_tst_accuracy=abs:0.01'],
      `losslab: --tol "final_tst_accuracy=abs:0.01": unknown metric "final_tst_accuracy" — did you mean "final_test_accuracy"? Known: ${METRICS.join(', ')}\n`,
    ],
    [[currentPass, baseline, '--k', '-1'], 'losslab: --k: expected a number >= 0 (baseline standard deviations allowed), received "-1".\n'],
    [
      [currentPass, baseline, '--tolerances', path.join(bad, 'error_two_kinds.yaml')],
      `losslab: ${path.join(bad, 'error_two_kinds.yaml')}: final_test_loss: expected exactly one of ${TOLERANCE_KINDS.join(', ')}, received abs and rel\n`,
    ],
  ])('bad input %j exits 2 with a message naming the problem', async (args, message) => {
    const { code, out, err } = await compare(...args);
    expect(err).toBe(message);
    expect(out).toBe('');
    expect(code).toBe(2);
  });
});
