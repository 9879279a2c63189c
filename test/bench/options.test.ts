// The bench's flag parsing: defaults, each flag, and the exact messages for bad flags (no benchmark is run).
import { parseOptions } from '../../scripts/bench';
import { WORKLOADS } from '../../scripts/bench/workloads';

const KNOWN =
  'Known: --quick, --examples N, --backends wasm+openblas,wasm, --fit-backends wasm,cpu, --workloads relu-b64,…, --slices N, --clock cpu|wall, --levers, --no-torch, --jobs-pairs N, --jobs-epochs N, --no-jobs, --out DIR';

describe('parseOptions', () => {
  test('defaults: full epoch, the backends auto tries (not cpu), every workload, 10 slices, CPU clock, 3 --jobs pairs', () => {
    expect(parseOptions([])).toEqual({
      examples: 60000,
      backends: ['tensorflow', 'wasm+openblas', 'wasm'],
      fitBackends: ['wasm'],
      workloads: WORKLOADS.map((w) => w.id),
      slices: 10,
      clock: 'cpu',
      levers: false,
      torch: true,
      jobsPairs: 3,
      jobsEpochs: 6,
      outDir: 'results/bench',
    });
  });

  test('flags', () => {
    const options = parseOptions([
      '--quick',
      '--backends',
      'wasm,cpu',
      '--fit-backends',
      'cpu',
      '--workloads',
      'nielsen-b10,relu-b64',
      '--slices',
      '4',
      '--clock',
      'wall',
      '--levers',
      '--no-torch',
      '--jobs-pairs',
      '5',
      '--jobs-epochs',
      '2',
      '--out',
      'x',
    ]);
    expect(options).toEqual({
      examples: 10000,
      backends: ['wasm', 'cpu'],
      fitBackends: ['cpu'],
      workloads: ['nielsen-b10', 'relu-b64'],
      slices: 4,
      clock: 'wall',
      levers: true,
      torch: false,
      jobsPairs: 5,
      jobsEpochs: 2,
      outDir: 'x',
    });
    expect(parseOptions(['--no-jobs']).jobsPairs).toBe(0);
    expect(parseOptions(['--fit-backends', '']).fitBackends).toEqual([]);
  });

  test.each([
    [['--fast'], `--fast: unknown flag. ${KNOWN}`],
    [['--repeats', '2'], `--repeats: unknown flag. ${KNOWN}`],
    [['--backends', 'wasm,gpu'], '--backends: unknown gpu. Known: tensorflow, wasm+openblas, wasm, cpu'],
    [['--fit-backends', 'wasm,tensorflow'], '--fit-backends: unknown tensorflow. Known: wasm, cpu'],
    [['--workloads', 'relu-b65'], `--workloads: unknown relu-b65. Known: ${WORKLOADS.map((w) => w.id).join(', ')}`],
    [['--examples', '0'], '--examples: expected a whole number in 1..60000, received 0'],
    [['--slices', '2'], '--slices: expected a whole number in 3..1000, received 2'],
    [['--jobs-epochs', '0'], '--jobs-epochs: expected a whole number in 1..100, received 0'],
    [['--jobs-pairs', '1.5'], '--jobs-pairs: expected a whole number in 0..100, received 1.5'],
    [['--examples'], '--examples: expected a value'],
    [['--clock', 'wal'], '--clock: expected cpu or wall, received wal'],
  ])('%j is refused', (argv, message) => {
    expect(() => parseOptions(argv)).toThrow(message);
  });
});
