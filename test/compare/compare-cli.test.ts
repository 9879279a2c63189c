// `losslab compare` end to end on fixture pairs: exact table text, exit codes, JSON and JUnit output, bad input.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { main, type Io } from '../../src/cli/main';

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
});
