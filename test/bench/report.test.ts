// The bench's tables from known slice times: seconds per epoch, paired ratios (median and range), targets, markdown.
import {
  armRows,
  benchMarkdown,
  jobsRatio,
  measureRatios,
  secondsPerEpoch,
  type ArmResult,
  type BenchMeta,
} from '../../scripts/bench/report';
import { armsOf, ratiosOf, WORKLOADS } from '../../scripts/bench/workloads';

const relu = WORKLOADS.find((w) => w.id === 'relu-b64')!;
const [main] = armsOf(relu, ['wasm+openblas'], true);

/** Three slices of an arm whose CPU seconds are `cpu` (wall = 2 × cpu), on 30,000 images. */
function arm(index: number, cpu: number[]): ArmResult {
  return {
    spec: main[index],
    slices: cpu.map((c, round) => ({ round, from: round * 10, to: round * 10 + 10, cpuSeconds: c, seconds: 2 * c })),
    examples: 30000,
    meanLoss: 0.5,
    numTensors: 0,
  };
}

// Arms: PyTorch, hooks-off, hooks-every-100, hooks-every-1 (main group of relu-b64 on wasm+openblas).
const arms = [arm(0, [1, 1, 1]), arm(1, [1.2, 1.4, 1.3]), arm(2, [1.3, 1.3, 1.6]), arm(3, [1.5, 1.8, 2.0])];

test('seconds per epoch sum the slices and scale to 60,000 images, on either clock', () => {
  expect(secondsPerEpoch(arms[1], 'cpu')).toBeCloseTo(7.8, 12);
  expect(secondsPerEpoch(arms[1], 'wall')).toBeCloseTo(15.6, 12);
});

test('ratios are medians of slice-by-slice ratios, with their range and the target met or missed', () => {
  const ratios = measureRatios(arms, 'cpu');
  const byName = Object.fromEntries(ratios.map((r) => [r.spec.name, r]));
  expect(Object.keys(byName)).toEqual([
    'relu-b64 wasm+openblas hooks-off ÷ PyTorch',
    'relu-b64 wasm+openblas hooks-every-100 ÷ PyTorch',
    'relu-b64 wasm+openblas hooks-every-1 ÷ PyTorch',
    'relu-b64 wasm+openblas: hooks every 100 ÷ hooks off',
    'relu-b64 wasm+openblas: hooks every 1 ÷ every 100',
  ]);
  // every 100 ÷ PyTorch: 1.3, 1.3, 1.6 → median 1.3 ≤ 1.5.
  expect(byName['relu-b64 wasm+openblas hooks-every-100 ÷ PyTorch']).toMatchObject({
    median: 1.3,
    min: 1.3,
    max: 1.6,
    pairs: 3,
    status: 'met',
  });
  // every 1 ÷ every 100: 1.5/1.3, 1.8/1.3, 2.0/1.6 = 1.1538, 1.3846, 1.25 → median 1.25, not above 1.25.
  const hooks = byName['relu-b64 wasm+openblas: hooks every 1 ÷ every 100'];
  expect(hooks.median).toBeCloseTo(1.25, 12);
  expect(hooks.status).toBe('met');
  expect(byName['relu-b64 wasm+openblas hooks-off ÷ PyTorch'].status).toBe('');
  expect(armRows(arms, ratios, 'cpu')[2]).toMatchObject({
    variant: 'hooks-every-100',
    s_per_epoch: 8.4,
    ratio_vs_pytorch: 1.3,
    ratio_vs_pytorch_max: 1.6,
  });
});

test('--jobs: jobs 1 ÷ jobs 2 per pair against its ≥ 1.7 target; a failed sweep gives no ratio', () => {
  const sweeps = [
    { jobs: 1, pair: 0, wall_s: 20, exit_code: 0 },
    { jobs: 2, pair: 0, wall_s: 12, exit_code: 0 },
    { jobs: 2, pair: 1, wall_s: 11, exit_code: 0 },
    { jobs: 1, pair: 1, wall_s: 19.8, exit_code: 0 },
  ];
  expect(jobsRatio(sweeps)).toMatchObject({ median: (20 / 12 + 19.8 / 11) / 2, pairs: 2, status: 'met' });
  expect(jobsRatio([...sweeps.slice(0, 3), { jobs: 1, pair: 1, wall_s: 1, exit_code: 2 }])).toBeUndefined();
});

const meta: BenchMeta = {
  date: new Date('2026-12-02T10:20:30Z'),
  command: 'npm run bench -- --quick',
  machine: 'Some CPU, 2 cores, linux',
  loads: [0.4, 1.6, 0.9],
  cores: 2,
  versions: ['Node v20', 'PyTorch 1.13'],
  examples: 30000,
  slices: 3,
  clock: 'cpu',
  durationSeconds: 61.4,
  alternationSeconds: 0.0042,
  notes: ['a note'],
};

test('the markdown states the setting (date, load, command), every arm, and each quoted ratio with its range', () => {
  const lines = benchMarkdown(meta, arms, measureRatios(arms, 'cpu'), undefined, []).split('\n');
  expect(lines[0]).toBe(
    'Measured 2026-12-02 10:20 UTC, load 0.4–1.6 (1-minute average, sampled 3×) on 2 cores, `npm run bench -- --quick`, 61 s.',
  );
  expect(lines).toContain('| relu-b64 | PyTorch (1 thread) | 6.00 |  |');
  expect(lines).toContain('| relu-b64 | wasm+openblas hooks every 100 | 8.40 | 1.30 (1.30–1.60) |');
  expect(lines).toContain('| relu-b64 wasm+openblas: hooks every 1 ÷ every 100 | 1.25 (1.15–1.38) | 3 | ≤ 1.25 (#15) | met |');
  expect(lines.at(-2)).toBe('Note: a note');
});

test('a ratio just past its target reads "missed by 0.6 %" (one decimal below 1 %), not "missed by 0 %"', () => {
  const jobs = jobsRatio([
    { jobs: 1, pair: 0, wall_s: 16.9, exit_code: 0 },
    { jobs: 2, pair: 0, wall_s: 10, exit_code: 0 },
  ]);
  const lines = benchMarkdown(meta, arms, measureRatios(arms, 'cpu'), jobs, []).split('\n');
  expect(lines).toContain(
    '| four-run sweep: --jobs 1 ÷ --jobs 2 (wall clock) | 1.69 (1.69–1.69) | 1 | ≥ 1.7 (#14) | **missed** by 0.6 % |',
  );
});

test('the fit group: model.fit on each --fit-backends runner against hooks every 100; LeNet against model.fit on cpu has the #12 target', () => {
  const lenet = WORKLOADS.find((w) => w.id === 'lenet-b32')!;
  const [, fit] = armsOf(lenet, ['wasm+openblas', 'wasm'], false, ['wasm', 'cpu']);
  expect(fit.map((a) => a.id)).toEqual([
    'lenet-b32/fit/wasm/model-fit',
    'lenet-b32/fit/cpu/model-fit',
    'lenet-b32/fit/wasm+openblas/hooks-every-100',
    'lenet-b32/fit/wasm/hooks-every-100',
  ]);
  const fitRatios = ratiosOf(fit).map((r) => [r.name, r.target]);
  expect(fitRatios).toEqual([
    ['lenet-b32: model.fit (wasm) ÷ wasm+openblas hooks every 100', undefined],
    ['lenet-b32: model.fit (cpu) ÷ wasm+openblas hooks every 100', { min: 5, source: '#12' }],
    ['lenet-b32: model.fit (wasm) ÷ wasm hooks every 100', undefined],
    ['lenet-b32: model.fit (cpu) ÷ wasm hooks every 100', { min: 5, source: '#12' }],
  ]);
  expect(armsOf(lenet, ['wasm'], false, [])).toHaveLength(1);
  // An MLP's model.fit on cpu is measured without a target.
  const [, reluFit] = armsOf(relu, ['wasm'], false, ['cpu']);
  expect(ratiosOf(reluFit).map((r) => [r.name, r.target])).toEqual([['relu-b64: model.fit (cpu) ÷ wasm hooks every 100', undefined]]);
});
