// The bench's flag parsing: defaults, each flag, and the exact messages for bad flags (no benchmark is run).
import { parseOptions } from '../../scripts/bench';

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
      outDir: 'x',
    });
  });

  test.each([
    [
      ['--fast'],
      '--fast: unknown flag. Known: --quick, --examples N, --backends wasm,cpu, --clock cpu|wall, --cpu-examples N, --levers, --repeats N, --no-torch, --no-jobs, --no-interleaved, --out DIR',
    ],
    [['--backends', 'wasm,gpu'], '--backends: unknown gpu. Known: tensorflow, wasm, cpu'],
    [['--examples', '0'], '--examples: expected a whole number in 1..60000, received 0'],
    [['--repeats', '1.5'], '--repeats: expected a whole number in 1..60000, received 1.5'],
    [['--examples'], '--examples: expected a value'],
    [['--clock', 'wal'], '--clock: expected cpu or wall, received wal'],
  ])('%j is refused', (argv, message) => {
    expect(() => parseOptions(argv)).toThrow(message);
  });
});
