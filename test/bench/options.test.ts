// The bench's flag parsing: defaults, each flag, and the exact messages for bad flags (no benchmark is run).
import { parseOptions } from '../../scripts/bench';
import { CNN_TARGETS, formatValue, pairedRatio, verdict } from '../../scripts/bench/cnn';

describe('parseOptions', () => {
  test('defaults: full epoch, every backend, CPU clock, 10,000 images on cpu, one repeat', () => {
    expect(parseOptions([])).toEqual({
      examples: 60000,
      backends: ['tensorflow', 'wasm', 'cpu'],
      clock: 'cpu',
      cpuExamples: 10000,
      levers: false,
      repeats: 1,
      torch: true,
      jobs: true,
      interleaved: true,
      mlp: true,
      cnn: true,
      pairs: 3,
      cnnCpuExamples: 128,
      outDir: 'results/bench',
    });
  });

  test('flags', () => {
    const options = parseOptions([
      '--quick',
      '--backends',
      'wasm,cpu',
      '--clock',
      'wall',
      '--levers',
      '--repeats',
      '3',
      '--no-torch',
      '--no-jobs',
      '--no-interleaved',
      '--no-mlp',
      '--no-cnn',
      '--pairs',
      '5',
      '--cnn-cpu-examples',
      '64',
      '--out',
      'x',
    ]);
    expect(options).toMatchObject({
      examples: 10000,
      backends: ['wasm', 'cpu'],
      clock: 'wall',
      levers: true,
      repeats: 3,
      torch: false,
      jobs: false,
      interleaved: false,
      mlp: false,
      cnn: false,
      pairs: 5,
      cnnCpuExamples: 64,
      outDir: 'x',
    });
  });

  test.each([
    [
      ['--fast'],
      '--fast: unknown flag. Known: --quick, --examples N, --backends wasm,cpu, --clock cpu|wall, --cpu-examples N, --levers, --repeats N, --no-torch, --no-jobs, --no-interleaved, --no-mlp, --no-cnn, --pairs N, --cnn-cpu-examples N, --out DIR',
    ],
    [['--backends', 'wasm,gpu'], '--backends: unknown gpu. Known: tensorflow, wasm, cpu'],
    [['--examples', '0'], '--examples: expected a whole number in 1..60000, received 0'],
    [['--repeats', '1.5'], '--repeats: expected a whole number in 1..60000, received 1.5'],
    [['--examples'], '--examples: expected a value'],
    [['--clock', 'wal'], '--clock: expected cpu or wall, received wal'],
    [['--pairs', '0'], '--pairs: expected a whole number in 1..60000, received 0'],
  ])('%j is refused', (argv, message) => {
    expect(() => parseOptions(argv)).toThrow(message);
  });
});

describe('the CNN section helpers', () => {
  test.each([
    [[3, 1, 2], { median: 2, min: 1, max: 3, pairs: 3 }],
    [[4, 1, 3, 2], { median: 2.5, min: 1, max: 4, pairs: 4 }],
    [[2, NaN], { median: 2, min: 2, max: 2, pairs: 1 }],
  ])('pairedRatio(%j): median and range over the finite ratios', (ratios, expected) => {
    expect(pairedRatio(ratios)).toEqual(expected);
  });

  test.each([
    [CNN_TARGETS.ratioVsPytorch, 2.5, 'met'],
    [CNN_TARGETS.ratioVsPytorch, 3.6, 'missed by 20%'],
    [CNN_TARGETS.speedupVsFitCpu, 4, 'missed by 25%'],
    [CNN_TARGETS.hookOverhead, 0.04, 'met'],
    [CNN_TARGETS.peakRss, NaN, 'not measured'],
  ])('verdict(%o, %d) is "%s"', (target, value, expected) => {
    expect(verdict(target, value)).toBe(expected);
  });
});

test.each([
  ['%', -0.264, '−26.4%'],
  ['%', 0.006, '0.6%'],
  ['×', 3.94, '3.94×'],
  ['MB', 777.6, '778 MB'],
  ['×', NaN, '—'],
] as const)('formatValue(%s, %d) is "%s" (a minus sign, which CSV cells do not quote)', (unit, value, expected) => {
  expect(formatValue(unit, value)).toBe(expected);
});
