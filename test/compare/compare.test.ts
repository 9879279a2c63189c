// The comparison rules in isolation: allowed ranges in closed form, replicate statistics, boundaries, XML escaping.
import { allowedRange, compareResults, withinRange, type CompareSide, type MetricCheck } from '../../src/compare/compare';
import { backendsLine, tableRow } from '../../src/compare/format';
import { formatJunitXml, escapeXml } from '../../src/compare/junit';
import type { SummaryRecord } from '../../src/compare/read-results';

describe('replicate statistics (src/stats.ts)', () => {
  test('k baseline std widen the range; a single baseline replicate has no std and widens nothing', () => {
    const tolerance = { final_test_accuracy: { kind: 'abs', value: 0.005, direction: 'no-drop' } } as const;
    const rows = (accuracies: number[]) => accuracies.map((a, i) => record(`r-s${i + 1}`, 'r', 'complete', a));
    const two = compareResults(side(rows([0.9, 0.92])), side(rows([0.9, 0.92])), tolerance, 2).checks[0] as MetricCheck;
    expect(two.baselineStd).toBeCloseTo(Math.SQRT2 * 0.01, 14); // sample std (n - 1) of 0.90 and 0.92
    expect(two.low).toBeCloseTo(0.91 - 0.005 - 2 * Math.SQRT2 * 0.01, 14);
    const one = compareResults(side(rows([0.9])), side(rows([0.9])), tolerance, 2).checks[0] as MetricCheck;
    expect(one.baselineStd).toBe(0);
    expect(one.low).toBeCloseTo(0.895, 14);
  });
});

describe('allowedRange', () => {
  test.each([
    // [baseline, std, tolerance, k, low, high]
    [0.9, 0, { kind: 'abs', value: 0.005, direction: 'no-drop' }, 2, 0.895, Infinity],
    [0.9, 0.01, { kind: 'abs', value: 0.005, direction: 'no-drop' }, 2, 0.9 - 0.025, Infinity],
    [0.4, 0, { kind: 'rel', value: 0.05, direction: 'no-rise' }, 2, -Infinity, 0.42],
    [-0.4, 0, { kind: 'rel', value: 0.05, direction: 'both' }, 2, -0.42, -0.38],
    [0.4, 0.02, { kind: 'rel', value: 0.05, direction: 'both' }, 1, 0.4 - 0.04, 0.4 + 0.04],
    [0.1, 0, { kind: 'factor', value: 2, direction: 'both' }, 2, 0.05, 0.2],
    [0.1, 0.01, { kind: 'factor', value: 4, direction: 'no-rise' }, 3, -Infinity, 0.43],
    [0.1, 0, { kind: 'factor', value: 4, direction: 'no-drop' }, 3, 0.025, Infinity],
  ] as const)('baseline %d, std %d, %j, k %d -> [%d, %d]', (baseline, std, tolerance, k, low, high) => {
    const range = allowedRange(baseline, std, tolerance, k);
    expect(range.low).toBeCloseTo(low, 12);
    expect(range.high).toBeCloseTo(high, 12);
  });

  test('a change of exactly the tolerance passes despite rounding; a hair more fails; NaN fails', () => {
    const { low, high } = allowedRange(0.91, 0, { kind: 'abs', value: 0.005, direction: 'no-drop' }, 2);
    expect(0.905 - 0.91).toBeLessThan(-0.005); // the rounding the slack exists for
    expect(withinRange(0.905, 0.91, low, high)).toBe(true);
    expect(withinRange(0.90499, 0.91, low, high)).toBe(false);
    expect(withinRange(NaN, 0.91, low, high)).toBe(false);
    expect(withinRange(Infinity, 0.91, -Infinity, Infinity)).toBe(false);
  });
});

function record(runId: string, name: string, status: string, accuracy?: number, backend = 'wasm'): SummaryRecord {
  return { runId, name, status, backend, metrics: accuracy === undefined ? {} : { final_test_accuracy: accuracy } };
}
const side = (rows: SummaryRecord[]): CompareSide => ({ source: 'x', rows, gradients: null });
const accuracyOnly = { final_test_accuracy: { kind: 'abs', value: 0.005, direction: 'no-drop' } } as const;

describe('compareResults', () => {
  test('runs complete on one side only leave the means; an empty current cell fails', () => {
    const result = compareResults(
      side([record('a1', 'a', 'complete', 0.8), record('a2', 'a', 'failed', 0.1), record('b1', 'b', 'complete')]),
      side([record('a1', 'a', 'complete', 0.8), record('a2', 'a', 'complete', 0.9), record('b1', 'b', 'complete', 0.7)]),
      accuracyOnly,
      2,
    );
    expect(result.checks.map((c) => [c.metric, c.run, c.baseline, c.current, c.verdict])).toEqual([
      ['status', 'a2', 'complete', 'failed', 'FAIL'],
      ['final_test_accuracy', 'a', 0.8, 0.8, 'PASS'],
      ['final_test_accuracy', 'b', 0.7, NaN, 'FAIL'],
    ]);
    expect(result.failures).toBe(2);
  });

  test('a baseline run that is not complete is named and left out', () => {
    const result = compareResults(
      side([record('a1', 'a', 'complete', 0.8), record('a2', 'a', 'complete', 0.8)]),
      side([record('a1', 'a', 'complete', 0.8), record('a2', 'a', 'diverged', 0.1)]),
      accuracyOnly,
      2,
    );
    expect(result.baselineIncomplete).toEqual(['a2']);
    expect(result.checks).toHaveLength(1);
    expect(result.pass).toBe(true);
  });
});

describe('config hashes', () => {
  const hashed = (runId: string, hash: string | undefined, accuracy: number): SummaryRecord => ({
    ...record(runId, runId.slice(0, 1), 'complete', accuracy),
    ...(hash ? { configHash: hash } : {}),
  });

  test('a run trained with another config (e.g. an edited loss module) fails, and its metrics are still compared', () => {
    const result = compareResults(
      side([hashed('a1', 'aaaa', 0.8), hashed('b1', 'cccc', 0.7)]),
      side([hashed('a1', 'aaaa', 0.8), hashed('b1', 'bbbb', 0.7)]),
      accuracyOnly,
      2,
    );
    expect(result.checks.map((c) => [c.metric, c.run, c.baseline, c.current, c.verdict])).toEqual([
      ['final_test_accuracy', 'a', 0.8, 0.8, 'PASS'],
      ['config', 'b1', 'bbbb', 'cccc', 'FAIL'],
      ['final_test_accuracy', 'b', 0.7, 0.7, 'PASS'],
    ]);
    expect(result.pass).toBe(false);
    expect(tableRow(result.checks[1])).toEqual(['config_hash', 'b1', 'bbbb', 'cccc', '-', 'equal', 'FAIL']);
    expect(formatJunitXml(result)).toContain(
      'message="run b1 was trained with another config: config_hash cccc in current, bbbb in baseline (a changed setting or module source)"',
    );
  });

  test('a side without the config_hash column (an older summary.csv) is not checked for it', () => {
    const result = compareResults(side([hashed('a1', 'aaaa', 0.8)]), side([hashed('a1', undefined, 0.8)]), accuracyOnly, 2);
    expect(result.pass).toBe(true);
  });
});

describe('backends', () => {
  test.each([
    ['the same backend', ['wasm', 'wasm'], ['wasm', 'wasm'], { current: ['wasm'], baseline: ['wasm'], differ: false }],
    [
      'another matMul path',
      ['wasm+openblas', 'wasm+openblas'],
      ['wasm', 'wasm'],
      { current: ['wasm+openblas'], baseline: ['wasm'], differ: true },
    ],
    ['a mix on one side', ['wasm', 'cpu'], ['wasm', 'wasm'], { current: ['wasm', 'cpu'], baseline: ['wasm'], differ: true }],
    ['no backend column', ['', ''], ['', ''], { current: [], baseline: [], differ: false }],
  ])('%s: noted, and no check fails for it', (_, currentBackends, baselineBackends, expected) => {
    const result = compareResults(
      side(currentBackends.map((backend, i) => record(`a${i}`, 'a', 'complete', 0.8, backend))),
      side(baselineBackends.map((backend, i) => record(`a${i}`, 'a', 'complete', 0.8, backend))),
      accuracyOnly,
      2,
    );
    expect(result.backends).toEqual(expected);
    expect(result.pass).toBe(true);
  });

  test.each([
    [
      { current: ['wasm+openblas'], baseline: ['wasm'], differ: true },
      'backends differ: current wasm+openblas, baseline wasm (another matMul path: float32 rounding differs, so runs agree within tolerance, not bit for bit; noted, not a failure)',
    ],
    [
      { current: ['tensorflow'], baseline: ['wasm'], differ: true },
      'backends differ: current tensorflow, baseline wasm (another backend: float32 rounding differs, so runs agree within tolerance, not bit for bit; noted, not a failure)',
    ],
  ])('the note for %j', (backends, line) => {
    expect(backendsLine(backends)).toBe(line);
  });
});

describe('JUnit XML escaping', () => {
  test('escapes markup and drops control characters', () => {
    expect(escapeXml(`a<b & "c" 'd'>\u0001`)).toBe('a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;');
  });

  test('run names with markup stay inside their attributes', () => {
    const name = 'x"><injected/>&';
    const result = compareResults(
      side([record('r1', name, 'complete', 0.5)]),
      side([record('r1', name, 'complete', 0.9)]),
      accuracyOnly,
      2,
    );
    const xml = formatJunitXml(result);
    expect(xml).not.toContain('<injected/>');
    expect(xml).toContain('<testcase classname="losslab.compare.x&quot;&gt;&lt;injected/&gt;&amp;" name="final_test_accuracy">');
  });
});
