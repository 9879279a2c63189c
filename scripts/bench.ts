// `npm run bench`: one epoch of MNIST per workload × variant × backend (each in its own process), plus PyTorch
// on one thread when it imports; prints a table and writes results/bench/bench.csv (and levers.csv with --levers).
import { spawnSync } from 'child_process';
import * as path from 'path';
import { writeFileAtomic } from '../src/results/atomic';
import { cellText, toCsv } from '../src/results/csv';
import { CNN_TARGETS, formatValue, pairedRatio, verdict, type CnnMeasurement, type CnnTarget, type PairedRatio } from './bench/cnn';
import { RESULT_PREFIX } from './bench/worker';
import { CNN_WORKLOAD, cnnRunConfig, VARIANTS, WORKLOADS, type Measurement } from './bench/workloads';
import { measureJobs } from './bench/jobs';
import { textTableLines } from '../src/util/text-table';

const BACKENDS = ['tensorflow', 'wasm', 'cpu'] as const;
const FULL = 60000;
const QUICK = 10000;
/** The cpu backend is ~10× slower than wasm: by default it runs 10,000 images, so the full bench stays near 5 minutes. */
const CPU_EXAMPLES = 10000;
/** LeNet-5's model.fit on the cpu backend takes seconds a step: two batches per measurement, extrapolated. */
const CNN_CPU_EXAMPLES = 128;
/** Alternating process pairs per CNN ratio. */
const CNN_PAIRS = 3;

export const BENCH_COLUMNS = [
  'workload',
  'variant',
  'backend',
  'batch_size',
  'examples_per_s',
  's_per_epoch',
  'ratio_vs_pytorch',
  'speedup_vs_fit',
  'peak_rss_mb',
  'tf_num_tensors',
  'tf_num_bytes',
  'wall_s_per_epoch',
  'cpu_s_per_epoch',
  'examples',
  'mean_loss',
] as const;
export const INTERLEAVED_COLUMNS = [
  'workload',
  'variant',
  'backend',
  'batch_size',
  's_per_epoch',
  'speedup_vs_fit',
  'ratio_vs_pytorch',
  'wall_s_per_epoch',
  'cpu_s_per_epoch',
  'examples',
  'mean_loss',
] as const;
export const CNN_COLUMNS = [
  'workload',
  'variant',
  'backend',
  'pair',
  'batch_size',
  'examples',
  's_per_epoch',
  'wall_s_per_epoch',
  'cpu_s_per_epoch',
  'peak_rss_mb',
  'mean_loss',
] as const;
export const CNN_SUMMARY_COLUMNS = ['measure', 'median', 'min', 'max', 'pairs', 'target', 'verdict'] as const;
export const LEVER_COLUMNS = [
  'lever',
  'setting',
  's_per_epoch',
  'ratio_vs_baseline',
  'wall_s_per_epoch',
  'cpu_s_per_epoch',
  'mean_loss',
] as const;

export interface BenchOptions {
  examples: number;
  backends: string[];
  /** Which clock s_per_epoch and the ratios use: cpu (user+system seconds, steadier on a shared machine) or wall. */
  clock: 'cpu' | 'wall';
  /** Images per measurement on the cpu backend (≈45–60 s per full epoch there), extrapolated to 60,000. */
  cpuExamples: number;
  levers: boolean;
  /** Epochs per measurement; the fastest is kept (the machine is shared: interference only adds time). */
  repeats: number;
  torch: boolean;
  /** Measure --jobs 1 against --jobs 2 on a four-run sweep (wall clock). */
  jobs: boolean;
  /** Also train each workload's variants side by side in one process (interleaved.csv). */
  interleaved: boolean;
  /** The MLP workloads: per-process rows (bench.csv), interleaved.csv, levers and jobs. */
  mlp: boolean;
  /** The LeNet-5 section (cnn.csv, cnn-summary.csv). */
  cnn: boolean;
  /** Alternating process pairs per CNN ratio. */
  pairs: number;
  /** Images per model.fit measurement of LeNet-5 on the cpu backend (extrapolated to 60,000). */
  cnnCpuExamples: number;
  outDir: string;
}

/** Parses the bench flags; unknown flags are an error naming the flag and the known ones. */
export function parseOptions(argv: string[]): BenchOptions {
  const options: BenchOptions = {
    examples: FULL,
    backends: [...BACKENDS],
    clock: 'cpu',
    cpuExamples: CPU_EXAMPLES,
    levers: false,
    repeats: 1,
    torch: true,
    jobs: true,
    interleaved: true,
    mlp: true,
    cnn: true,
    pairs: CNN_PAIRS,
    cnnCpuExamples: CNN_CPU_EXAMPLES,
    outDir: 'results/bench',
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const next = argv[++i];
      if (next === undefined) throw new Error(`${arg}: expected a value`);
      return next;
    };
    if (arg === '--quick') options.examples = QUICK;
    else if (arg === '--examples') options.examples = Number(value());
    else if (arg === '--backends') options.backends = value().split(',').filter(Boolean);
    else if (arg === '--clock') {
      const clock = value();
      if (clock !== 'cpu' && clock !== 'wall') throw new Error(`--clock: expected cpu or wall, received ${clock}`);
      options.clock = clock;
    } else if (arg === '--cpu-examples') options.cpuExamples = Number(value());
    else if (arg === '--levers') options.levers = true;
    else if (arg === '--repeats') options.repeats = Number(value());
    else if (arg === '--no-torch') options.torch = false;
    else if (arg === '--no-jobs') options.jobs = false;
    else if (arg === '--no-interleaved') options.interleaved = false;
    else if (arg === '--no-cnn') options.cnn = false;
    else if (arg === '--no-mlp') options.mlp = false;
    else if (arg === '--pairs') options.pairs = Number(value());
    else if (arg === '--cnn-cpu-examples') options.cnnCpuExamples = Number(value());
    else if (arg === '--out') options.outDir = value();
    else
      throw new Error(
        `${arg}: unknown flag. Known: --quick, --examples N, --backends wasm,cpu, --clock cpu|wall, --cpu-examples N, --levers, --repeats N, --no-torch, --no-jobs, --no-interleaved, --no-mlp, --no-cnn, --pairs N, --cnn-cpu-examples N, --out DIR`,
      );
  }
  for (const [flag, value] of [
    ['--examples', options.examples],
    ['--cpu-examples', options.cpuExamples],
    ['--repeats', options.repeats],
    ['--pairs', options.pairs],
    ['--cnn-cpu-examples', options.cnnCpuExamples],
  ] as const) {
    if (!Number.isInteger(value) || value < 1 || value > FULL)
      throw new Error(`${flag}: expected a whole number in 1..${FULL}, received ${value}`);
  }
  const unknown = options.backends.filter((b) => !(BACKENDS as readonly string[]).includes(b));
  if (unknown.length > 0) throw new Error(`--backends: unknown ${unknown.join(', ')}. Known: ${BACKENDS.join(', ')}`);
  return options;
}

/** Runs a command and returns the JSON objects it printed after RESULT_PREFIX, or the reason it failed. */
function collect(command: string, args: string[]): { rows: Record<string, unknown>[]; error?: string } {
  const child = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const rows = (child.stdout ?? '')
    .split('\n')
    .filter((line) => line.startsWith(RESULT_PREFIX))
    .map((line) => JSON.parse(line.slice(RESULT_PREFIX.length)) as Record<string, unknown>);
  if (child.status !== 0) {
    const lastLine = `${child.stderr ?? child.error?.message ?? ''}`.trim().split('\n').filter(Boolean).pop() ?? `exit ${child.status}`;
    return { rows, error: lastLine.slice(0, 200) };
  }
  return { rows };
}

const worker = path.join(__dirname, 'bench', 'worker.js');
const workerScript = worker;
const round = (value: number, digits: number) => Number(value.toFixed(digits));

export function main(argv: string[]): number {
  const options = parseOptions(argv);
  const seconds = (m: Measurement) => (options.clock === 'cpu' ? m.cpu_s_per_epoch : m.wall_s_per_epoch);
  const measured: Measurement[] = [];
  const notes: string[] = [];

  const torchScript = path.join(__dirname, '..', '..', 'scripts', 'bench_torch.py');
  // pyenv and the like shadow /usr/bin/python3, where Debian's python3-torch lives: take the first that imports torch.
  const python = options.torch ? ['python3', '/usr/bin/python3'].find((p) => spawnSync(p, ['-c', 'import torch']).status === 0) : undefined;
  const mlpWorkloads = options.mlp ? WORKLOADS : [];
  if (python && mlpWorkloads.length > 0) {
    process.stderr.write('pytorch (1 thread)…\n');
    const workloads = mlpWorkloads.map((w) => `${w.name}:${w.batchSize}`).join(',');
    const result = collect(python, [
      torchScript,
      '--examples',
      String(options.examples),
      '--workloads',
      workloads,
      '--repeats',
      String(options.repeats),
    ]);
    measured.push(...(result.rows as unknown as Measurement[]));
    if (result.error) notes.push(`pytorch: ${result.error}`);
  } else if (!python) {
    notes.push('pytorch: not measured (python3 cannot import torch; apt-get install python3-torch libopenblas0-pthread)');
  }

  for (const backend of options.backends) {
    let skipped = false;
    for (const [index, workload] of mlpWorkloads.entries()) {
      for (const variant of VARIANTS) {
        if (skipped) continue;
        process.stderr.write(`${backend} ${workload.name} b${workload.batchSize} ${variant}…\n`);
        const args = [
          worker,
          '--backend',
          backend,
          '--workload',
          String(index),
          '--variant',
          variant,
          '--examples',
          String(backend === 'cpu' ? Math.min(options.cpuExamples, options.examples) : options.examples),
          '--repeats',
          String(options.repeats),
        ];
        const result = collect(process.execPath, args);
        measured.push(...(result.rows as unknown as Measurement[]));
        if (result.error) {
          notes.push(`${backend}: ${result.error}`);
          // A backend that does not load fails the same way for every row: skip the rest of it.
          skipped = result.rows.length === 0;
        }
      }
    }
    if (backend === 'cpu' && options.cpuExamples < options.examples)
      notes.push(`cpu: ${options.cpuExamples} images per row, extrapolated (--cpu-examples)`);
  }

  /** Ratios of each row against PyTorch (same workload and batch) and model.fit (same rows, same backend). */
  const withRatios = (rows: Measurement[]) =>
    rows.map((m) => {
      const torch = measured.find((t) => t.variant === 'pytorch' && t.workload === m.workload && t.batch_size === m.batch_size);
      const fit = rows.find(
        (f) => f.variant === 'model-fit' && f.workload === m.workload && f.batch_size === m.batch_size && f.backend === m.backend,
      );
      const s = seconds(m);
      return {
        ...m,
        examples_per_s: Math.round(60000 / s),
        s_per_epoch: round(s, 2),
        ratio_vs_pytorch: torch && m.variant !== 'pytorch' ? round(s / seconds(torch), 2) : '',
        speedup_vs_fit: fit && m.variant !== 'pytorch' ? round(seconds(fit) / s, 2) : '',
        wall_s_per_epoch: round(m.wall_s_per_epoch, 2),
        cpu_s_per_epoch: round(m.cpu_s_per_epoch, 2),
        mean_loss: round(m.mean_loss, 4),
      };
    });
  if (options.mlp) {
    const rows = withRatios(measured);
    writeFileAtomic(path.join(options.outDir, 'bench.csv'), toCsv(BENCH_COLUMNS, rows));
    process.stdout.write(
      `one epoch = 60,000 images (rows measured on fewer are extrapolated: see examples in bench.csv); s_per_epoch on the ${options.clock} clock\n`,
    );
    process.stdout.write(`${table([...BENCH_COLUMNS.slice(0, 11)], rows)}\n`);
  }

  if (options.interleaved && options.mlp) {
    const interleaved: Measurement[] = [];
    for (const backend of options.backends.filter((b) => measured.some((m) => m.backend === b))) {
      for (const [index, workload] of mlpWorkloads.entries()) {
        process.stderr.write(`${backend} ${workload.name} b${workload.batchSize}: every variant, interleaved…\n`);
        const examples = backend === 'cpu' ? Math.min(options.cpuExamples, options.examples) : options.examples;
        const result = collect(process.execPath, [
          worker,
          '--backend',
          backend,
          '--workload',
          String(index),
          '--interleaved',
          '--examples',
          String(examples),
        ]);
        interleaved.push(...(result.rows as unknown as Measurement[]));
        if (result.error) notes.push(`interleaved ${backend}: ${result.error}`);
      }
    }
    const interleavedRows = withRatios(interleaved);
    writeFileAtomic(path.join(options.outDir, 'interleaved.csv'), toCsv(INTERLEAVED_COLUMNS, interleavedRows));
    process.stdout.write(
      `\ninterleaved: each workload's variants in one process, alternating tenths of an epoch after a warm-up, so drift hits all alike (${options.clock} clock)\n${table([...INTERLEAVED_COLUMNS.slice(0, 7)], interleavedRows)}\n`,
    );
  }

  if (options.levers && options.mlp && options.backends.includes('wasm')) {
    process.stderr.write('levers on wasm…\n');
    const result = collect(process.execPath, [
      worker,
      '--backend',
      'wasm',
      '--levers',
      '--examples',
      String(Math.min(options.examples, 20000)),
    ]);
    if (result.error) notes.push(`levers: ${result.error}`);
    const levers = result.rows as {
      lever: string;
      setting: string;
      wall_s_per_epoch: number;
      cpu_s_per_epoch: number;
      mean_loss: number;
    }[];
    const leverSeconds = (l: (typeof levers)[number]) => (options.clock === 'cpu' ? l.cpu_s_per_epoch : l.wall_s_per_epoch);
    const baseline = levers.find((l) => l.lever === 'baseline');
    const leverRows = levers.map((l) => ({
      ...l,
      s_per_epoch: round(leverSeconds(l), 2),
      ratio_vs_baseline: baseline ? round(leverSeconds(l) / leverSeconds(baseline), 2) : '',
      wall_s_per_epoch: round(l.wall_s_per_epoch, 2),
      cpu_s_per_epoch: round(l.cpu_s_per_epoch, 2),
      mean_loss: round(l.mean_loss, 4),
    }));
    writeFileAtomic(path.join(options.outDir, 'levers.csv'), toCsv(LEVER_COLUMNS, leverRows));
    process.stdout.write(
      `\nlevers (wasm, 784-128-10 relu CE, batch 64, hooks off, interleaved; ratio_vs_baseline < 1 is faster)\n${table([...LEVER_COLUMNS], leverRows)}\n`,
    );
  }
  if (options.jobs && options.mlp && options.backends.includes('wasm')) {
    process.stderr.write('--jobs 1 vs --jobs 2 on a four-run sweep…\n');
    const bin = path.join(__dirname, '..', 'bin', 'losslab.js');
    const examples = options.examples;
    const epochs = 2;
    const [one, two] = measureJobs(bin, 'wasm', examples, epochs);
    const jobsRows = [one, two].map((m) => ({ ...m, wall_s: round(m.wall_s, 2), speedup_vs_jobs_1: round(one.wall_s / m.wall_s, 2) }));
    writeFileAtomic(path.join(options.outDir, 'jobs.csv'), toCsv(['jobs', 'wall_s', 'speedup_vs_jobs_1', 'exit_code'], jobsRows));
    process.stdout.write(
      `\n--jobs on a four-run sweep (wasm, 784-128-10, ${examples} images, ${epochs} epochs per run; wall clock: parallelism is about wall time)\n${table(['jobs', 'wall_s', 'speedup_vs_jobs_1', 'exit_code'], jobsRows)}\n`,
    );
  }
  if (options.cnn && options.backends.includes('wasm')) {
    notes.push(...cnnSection(options, seconds, python, torchScript));
  }
  for (const note of notes) process.stdout.write(`note: ${note}\n`);
  process.stdout.write(
    `wrote ${options.outDir}/${[options.mlp ? 'bench.csv' : '', options.cnn ? 'cnn.csv, cnn-summary.csv' : ''].filter(Boolean).join(', ')}\n`,
  );
  return 0;
}

/**
 * LeNet-5 (experiments/lenet.yaml): the hook overhead from one wasm process that interleaves every variant (a ratio
 * per slice), then `pairs` rounds of separate processes in turn — losslab on wasm (hooks every 100), PyTorch on one
 * thread, tf.layers model.fit on cpu — so each ratio is a median over adjacent pairs. Writes cnn.csv (every
 * measurement) and cnn-summary.csv (each target with its median, range and verdict). Returns notes.
 */
function cnnSection(options: BenchOptions, seconds: (m: Measurement) => number, python: string | undefined, torchScript: string): string[] {
  const notes: string[] = [];
  const rows: (CnnMeasurement & { pair: number | '' })[] = [];
  const perEpoch = (m: Measurement) => seconds(m);
  const worker = (backend: string, examples: number, ...extra: string[]) =>
    collect(process.execPath, [workerScript, '--backend', backend, '--cnn', '--examples', String(examples), ...extra]);

  process.stderr.write(`wasm ${CNN_WORKLOAD.name}: every variant, interleaved…\n`);
  const interleaved = worker('wasm', options.examples, '--interleaved');
  if (interleaved.error) notes.push(`cnn interleaved: ${interleaved.error}`);
  const byVariant = new Map((interleaved.rows as unknown as CnnMeasurement[]).map((m) => [m.variant, m]));
  rows.push(...[...byVariant.values()].map((m) => ({ ...m, pair: '' as const })));
  const sliceClock = (t: { seconds: number; cpuSeconds: number }) => (options.clock === 'cpu' ? t.cpuSeconds : t.seconds);
  const sliceRatios = (numerator: string, denominator: string, minus = 0) => {
    const [a, b] = [byVariant.get(numerator)?.slices ?? [], byVariant.get(denominator)?.slices ?? []];
    return pairedRatio(a.map((t, i) => sliceClock(t) / sliceClock(b[i]) - minus));
  };
  const hookOverhead = sliceRatios('hooks-every-100', 'hooks-off', 1);
  const everyStepOverhead = sliceRatios('hooks-every-1', 'hooks-off', 1);
  const fitWasmSpeedup = sliceRatios('model-fit', 'hooks-every-100');

  const batchSize = cnnRunConfig(0).batchSize;
  const vsTorch: number[] = [];
  const vsFit: number[] = [];
  const cpuExamples = Math.min(options.cnnCpuExamples, options.examples);
  for (let pair = 1; pair <= options.pairs; pair++) {
    process.stderr.write(`${CNN_WORKLOAD.name} pair ${pair}/${options.pairs}: wasm, pytorch, cpu model.fit…\n`);
    const wasm = worker('wasm', options.examples, '--variant', 'hooks-every-100');
    const losslab = wasm.rows[0] as unknown as CnnMeasurement | undefined;
    if (wasm.error) notes.push(`cnn wasm pair ${pair}: ${wasm.error}`);
    if (losslab) rows.push({ ...losslab, pair });
    if (python) {
      const torch = collect(python, [
        torchScript,
        '--examples',
        String(options.examples),
        '--workloads',
        `${CNN_WORKLOAD.name}:${batchSize}`,
        '--warmup-steps',
        '20',
      ]);
      const row = torch.rows[0] as unknown as CnnMeasurement | undefined;
      if (torch.error) notes.push(`cnn pytorch pair ${pair}: ${torch.error}`);
      if (row) rows.push({ ...row, pair });
      if (row && losslab) vsTorch.push(perEpoch(losslab) / perEpoch(row));
    }
    if (options.backends.includes('cpu')) {
      const fit = worker('cpu', cpuExamples, '--variant', 'model-fit');
      const row = fit.rows[0] as unknown as CnnMeasurement | undefined;
      if (fit.error) notes.push(`cnn cpu model.fit pair ${pair}: ${fit.error}`);
      if (row) rows.push({ ...row, pair });
      if (row && losslab) vsFit.push(perEpoch(row) / perEpoch(losslab));
    }
  }
  if (!python) notes.push('cnn: PyTorch not measured, so no ratio against it');
  notes.push(`cnn: model.fit on cpu measured on ${cpuExamples} images per pair (about 4 s a step), extrapolated to 60,000`);

  const peakRss = Math.max(...rows.filter((r) => r.backend === 'wasm').map((r) => r.peak_rss_mb));
  const summary: Record<string, string | number>[] = [];
  const put = (measure: string, ratio: PairedRatio, unit: CnnTarget['unit'], target?: CnnTarget) =>
    summary.push({
      measure,
      median: formatValue(unit, ratio.median),
      min: formatValue(unit, ratio.min),
      max: formatValue(unit, ratio.max),
      pairs: ratio.pairs,
      target: target ? `${target.direction} ${formatValue(unit, target.bound)}` : '',
      verdict: target ? verdict(target, ratio.median) : '',
    });
  const { ratioVsPytorch, speedupVsFitCpu, hookOverhead: overheadTarget, peakRss: rssTarget } = CNN_TARGETS;
  put(ratioVsPytorch.name, pairedRatio(vsTorch), '×', ratioVsPytorch);
  put(speedupVsFitCpu.name, pairedRatio(vsFit), '×', speedupVsFitCpu);
  put(`${overheadTarget.name} (per slice)`, hookOverhead, '%', overheadTarget);
  put(rssTarget.name, pairedRatio(Number.isFinite(peakRss) ? [peakRss] : []), 'MB', rssTarget);
  put('hook overhead at every step (per slice)', everyStepOverhead, '%');
  put('speedup over tf.layers model.fit (wasm, per slice)', fitWasmSpeedup, '×');

  writeFileAtomic(
    path.join(options.outDir, 'cnn.csv'),
    toCsv(
      CNN_COLUMNS,
      rows.map((m) => ({
        ...m,
        s_per_epoch: round(perEpoch(m), 2),
        wall_s_per_epoch: round(m.wall_s_per_epoch, 2),
        cpu_s_per_epoch: round(m.cpu_s_per_epoch, 2),
        mean_loss: round(m.mean_loss, 4),
      })),
    ),
  );
  writeFileAtomic(path.join(options.outDir, 'cnn-summary.csv'), toCsv(CNN_SUMMARY_COLUMNS, summary));
  process.stdout.write(
    `\nLeNet-5 (experiments/lenet.yaml, batch ${batchSize}), ${options.examples} images per measurement, ${options.clock} clock; ` +
      `ratios are medians over ${options.pairs} alternating process pairs (the overheads over the slices of one interleaved wasm process)\n` +
      `${table(
        ['workload', 'variant', 'backend', 'pair', 's_per_epoch', 'peak_rss_mb'],
        rows.map((m) => ({ ...m, s_per_epoch: round(perEpoch(m), 2) })),
      )}\n\n` +
      `${table([...CNN_SUMMARY_COLUMNS], summary)}\n`,
  );
  return notes;
}

/** A plain fixed-width text table of records. */
function table(columns: string[], rows: Record<string, unknown>[]): string {
  return textTableLines(
    columns,
    rows.map((row) => columns.map((c) => cellText(row[c]))),
    { rule: true },
  ).join('\n');
}

if (require.main === module) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`bench: ${(error as Error).message}\n`);
    process.exitCode = 2;
  }
}
