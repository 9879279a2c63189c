// The progress bar on a terminal, and the quiet one-line-per-run output elsewhere.
import type { Io } from '../../src/io';
import { ProgressReporter, formatSeconds } from '../../src/runner/progress';

function io(isTty: boolean): Io & { text: () => string } {
  let text = '';
  return { out: (t) => void (text += t), err: () => undefined, isTty, text: () => text };
}

const progress = { epoch: 2, epochs: 4, step: 150, stepInEpoch: 50, stepsPerEpoch: 100, loss: 0.123456, testAccuracy: 0.9512 };

test('on a terminal: run i/n, epoch, step, loss, accuracy and ETA on one redrawn line', () => {
  const terminal = io(true);
  const reporter = new ProgressReporter(terminal, 3);
  reporter.startRun(2, 'softmax-ce-s1');
  reporter.update(2, 'softmax-ce-s1', progress);
  const line = terminal.text().split('\r\x1b[2K').pop()!;
  expect(line).toMatch(/^\[2\/3\] softmax-ce-s1 [█░]{20} epoch 2\/4 step 50\/100 loss 0\.1235 acc 95\.12% ETA (\d+s|--)$/);
  // 150 of 400 steps done: 8 of 20 cells filled (150/400·20 = 7.5, rounded).
  expect((line.match(/█/g) ?? []).length).toBe(8);
});

test('off a terminal: no bar, one plain line per finished run', () => {
  const plain = io(false);
  const reporter = new ProgressReporter(plain, 3);
  reporter.startRun(1, 'a-s1');
  reporter.update(1, 'a-s1', progress);
  reporter.endRun(1, 'a-s1', 'test accuracy 95.12% after 4 epoch(s), 12s');
  expect(plain.text()).toBe('[1/3] a-s1: test accuracy 95.12% after 4 epoch(s), 12s\n');
});

test.each([
  [NaN, '--'],
  [42.4, '42s'],
  [61, '1m01s'],
  [3725, '1h02m'],
])('formatSeconds(%p) = %p', (seconds, text) => {
  expect(formatSeconds(seconds)).toBe(text);
});
