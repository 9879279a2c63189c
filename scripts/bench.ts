// `npm run bench`: every workload's arms (losslab backends × variants, model.fit, PyTorch on one thread) take turns
// over slices of one epoch, each arm in its backend's worker process; ratios are medians of slice-by-slice ratios.
// Writes results/bench/{bench.csv,ratios.csv,slices.csv,jobs.csv,levers.csv,bench.md} and prints bench.md.
import { spawnSync } from 'child_process';
import * as os from 'os';
import * as path from 'path';
import { checkOutputFolder, createOutputFolder } from '../src/files/output-folder';
import { writeFileAtomic } from '../src/results/atomic';
import { toCsv } from '../src/results/csv';
import { ArmServer } from './bench/arm-server';
import { measureJobs, type JobsMeasurement } from './bench/jobs';
import { alternate, median, type PairedArm } from './bench/paired';
import {
  ARM_COLUMNS,
  armRows,
  benchMarkdown,
  jobsRatio,
  measureRatios,
  RATIO_COLUMNS,
  ratioRows,
  SLICE_COLUMNS,
  sliceRows,
  type ArmResult,
  type BenchMeta,
  type Clock,
  type LeverRow,
} from './bench/report';
import { RESULT_PREFIX } from './bench/worker';
import { armsOf, FIT_RUNNERS, WORKLOADS, type ArmSpec, type FitRunner, type Runner } from './bench/workloads';
import type { PairedRatio } from './bench/paired';

/** Losslab backends the bench can measure, in --backends order. */
const BACKENDS = ['tensorflow', 'wasm+openblas', 'wasm', 'cpu'] as const;
const FULL = 60000;
const QUICK = 10000;

export interface BenchOptions {
  examples: number;
  backends: string[];
  /** Where model.fit runs in the fit group (none: no fit group). */
  fitBackends: FitRunner[];
  workloads: string[];
  /** Slices per epoch: the pairs each ratio is the median of. */
  slices: number;
  /** Which clock s_per_epoch and the ratios use: cpu (user+system seconds, steadier on a shared machine) or wall. */
  clock: Clock;
  levers: boolean;
  torch: boolean;
  /** Alternate --jobs 1 and --jobs 2 sweeps this many pairs (0: skip). */
  jobsPairs: number;
  /** Epochs of each run in the --jobs sweep: long enough that a worker's fixed start (about 1 s) does not dominate. */
  jobsEpochs: number;
  outDir: string;
}

const KNOWN_FLAGS =
  '--quick, --examples N, --backends wasm+openblas,wasm, --fit-backends wasm,cpu, --workloads relu-b64,…, --slices N, --clock cpu|wall, --levers, --no-torch, --jobs-pairs N, --jobs-epochs N, --no-jobs, --out DIR';

/** Parses the bench flags; unknown flags are an error naming the flag and the known ones. */
export function parseOptions(argv: string[]): BenchOptions {
  const options: BenchOptions = {
    examples: FULL,
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
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const next = argv[++i];
      if (next === undefined) throw new Error(`${arg}: expected a value`);
      return next;
    };
    const list = () => value().split(',').filter(Boolean);
    if (arg === '--quick') options.examples = QUICK;
    else if (arg === '--examples') options.examples = Number(value());
    else if (arg === '--backends') options.backends = list();
    else if (arg === '--fit-backends') {
      const fit = list();
      const bad = fit.filter((b) => !(FIT_RUNNERS as readonly string[]).includes(b));
      if (bad.length > 0) throw new Error(`--fit-backends: unknown ${bad.join(', ')}. Known: ${FIT_RUNNERS.join(', ')}`);
      options.fitBackends = fit as FitRunner[];
    } else if (arg === '--workloads') options.workloads = list();
    else if (arg === '--slices') options.slices = Number(value());
    else if (arg === '--clock') {
      const clock = value();
      if (clock !== 'cpu' && clock !== 'wall') throw new Error(`--clock: expected cpu or wall, received ${clock}`);
      options.clock = clock;
    } else if (arg === '--levers') options.levers = true;
    else if (arg === '--no-torch') options.torch = false;
    else if (arg === '--jobs-pairs') options.jobsPairs = Number(value());
    else if (arg === '--jobs-epochs') options.jobsEpochs = Number(value());
    else if (arg === '--no-jobs') options.jobsPairs = 0;
    else if (arg === '--out') options.outDir = value();
    else throw new Error(`${arg}: unknown flag. Known: ${KNOWN_FLAGS}`);
  }
  const ranges: [string, number, number, number][] = [
    ['--examples', options.examples, 1, FULL],
    ['--slices', options.slices, 3, 1000],
    ['--jobs-pairs', options.jobsPairs, 0, 100],
    ['--jobs-epochs', options.jobsEpochs, 1, 100],
  ];
  for (const [flag, value, low, high] of ranges) {
    if (!Number.isInteger(value) || value < low || value > high)
      throw new Error(`${flag}: expected a whole number in ${low}..${high}, received ${value}`);
  }
  const unknown = options.backends.filter((b) => !(BACKENDS as readonly string[]).includes(b));
  if (unknown.length > 0) throw new Error(`--backends: unknown ${unknown.join(', ')}. Known: ${BACKENDS.join(', ')}`);
  const ids = WORKLOADS.map((w) => w.id);
  const unknownWorkloads = options.workloads.filter((w) => !ids.includes(w));
  if (unknownWorkloads.length > 0) throw new Error(`--workloads: unknown ${unknownWorkloads.join(', ')}. Known: ${ids.join(', ')}`);
  return options;
}

const worker = path.join(__dirname, 'bench', 'worker.js');
const torchScript = path.join(__dirname, '..', '..', 'scripts', 'bench_torch.py');

/** The first python that imports torch (pyenv shims hide Debian's /usr/bin/python3, where python3-torch lives). */
function torchPython(): string | undefined {
  return ['python3', '/usr/bin/python3'].find((p) => spawnSync(p, ['-c', 'import torch']).status === 0);
}

function loadAverage(): number {
  return os.loadavg()[0];
}

/** Starts a worker per runner and asks its version; a runner that does not start is left out with a note. */
async function startServers(options: BenchOptions, notes: string[]): Promise<Map<Runner, { server: ArmServer; version: string }>> {
  const servers = new Map<Runner, { server: ArmServer; version: string }>();
  const runners: Runner[] = [...new Set([...(options.backends as Runner[]), ...options.fitBackends])];
  if (options.torch) {
    const python = torchPython();
    if (python) runners.unshift('pytorch');
    else notes.push('PyTorch not measured: no python3 imports torch (Debian: apt-get install python3-torch libopenblas0-pthread)');
  }
  for (const runner of runners) {
    const server =
      runner === 'pytorch'
        ? new ArmServer(runner, torchPython()!, [torchScript, '--serve'])
        : new ArmServer(runner, process.execPath, [worker, '--backend', runner, '--serve']);
    try {
      const { version } = (await server.request({ op: 'info' })) as { version: string };
      servers.set(runner, { server, version });
    } catch (error) {
      notes.push(`${runner} not measured: ${(error as Error).message.replace(`${runner}: `, '')}`);
      await server.close();
    }
  }
  return servers;
}

/**
 * One workload: opens each arm in its runner's worker (each warms up a throwaway copy first), alternates them over
 * the slices of one epoch, closes them. Resolves to the arms that measured, and the alternation overheads seen.
 */
async function measureWorkload(
  specs: ArmSpec[],
  servers: Map<Runner, { server: ArmServer }>,
  options: BenchOptions,
  notes: string[],
): Promise<{ arms: ArmResult[]; overheads: number[] }> {
  const opened: { spec: ArmSpec; server: ArmServer }[] = [];
  let steps = 0;
  for (const spec of specs) {
    const entry = servers.get(spec.runner);
    if (!entry) continue;
    try {
      const answer = await entry.server.request({
        op: 'open',
        arm: spec.id,
        workload: spec.workload,
        variant: spec.variant,
        examples: options.examples,
      });
      steps = Number(answer.steps);
      opened.push({ spec, server: entry.server });
    } catch (error) {
      notes.push(`${spec.id} not measured: ${(error as Error).message}`);
    }
  }
  const overheads: number[] = [];
  const paired: PairedArm[] = opened.map(({ spec, server }) => ({
    id: spec.id,
    run: async (from, to) => {
      const started = process.hrtime.bigint();
      const answer = (await server.request({ op: 'run', arm: spec.id, from, to })) as { seconds: number; cpuSeconds: number };
      overheads.push(Number(process.hrtime.bigint() - started) / 1e9 - answer.seconds);
      return { seconds: answer.seconds, cpuSeconds: answer.cpuSeconds };
    },
  }));
  const serverOf = new Map(opened.map(({ spec, server }) => [spec.id, server]));
  const times = await alternate(paired, steps, options.slices, (arm) => serverOf.get(arm.id)!.settle());
  const arms: ArmResult[] = [];
  for (const { spec, server } of opened) {
    const closed = (await server.request({ op: 'close', arm: spec.id })) as { meanLoss: number; numTensors: number | '' };
    arms.push({ spec, slices: times.get(spec.id)!, examples: options.examples, meanLoss: closed.meanLoss, numTensors: closed.numTensors });
  }
  return { arms, overheads };
}

/** The levers of each losslab backend among wasm+openblas and wasm that started (worker.ts --levers). */
function measureLevers(options: BenchOptions, runners: Runner[], notes: string[]): LeverRow[] {
  const rows: LeverRow[] = [];
  for (const backend of runners.filter((r) => r === 'wasm+openblas' || r === 'wasm')) {
    process.stderr.write(`levers on ${backend}…\n`);
    const examples = String(Math.min(options.examples, 20000));
    const child = spawnSync(process.execPath, [worker, '--backend', backend, '--levers', '--examples', examples], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    if (child.status !== 0) notes.push(`levers on ${backend}: ${(child.stderr ?? '').trim().split('\n').pop()}`);
    for (const line of (child.stdout ?? '').split('\n').filter((l) => l.startsWith(RESULT_PREFIX))) {
      const row = JSON.parse(line.slice(RESULT_PREFIX.length)) as Omit<LeverRow, 's_per_epoch' | 'ratio'> & {
        cpu_ratio: PairedRatio;
        wall_ratio: PairedRatio;
      };
      rows.push({
        ...row,
        s_per_epoch: options.clock === 'cpu' ? row.cpu_s_per_epoch : row.wall_s_per_epoch,
        ratio: options.clock === 'cpu' ? row.cpu_ratio : row.wall_ratio,
      });
    }
  }
  return rows;
}

export async function main(argv: string[]): Promise<number> {
  const options = parseOptions(argv);
  // A folder that cannot take the results fails now, not after the measurements.
  checkOutputFolder(options.outDir);
  const started = process.hrtime.bigint();
  const notes: string[] = [];
  const loads = [loadAverage()];
  const servers = await startServers(options, notes);
  const arms: ArmResult[] = [];
  const overheads: number[] = [];
  for (const workload of WORKLOADS.filter((w) => options.workloads.includes(w.id))) {
    for (const group of armsOf(workload, options.backends as Runner[], servers.has('pytorch'), options.fitBackends)) {
      const specs = group.filter((s) => servers.has(s.runner));
      process.stderr.write(`${workload.id} (${group[0].group}): ${specs.length} arms, alternating…\n`);
      const measured = await measureWorkload(specs, servers, options, notes);
      arms.push(...measured.arms);
      overheads.push(...measured.overheads);
      loads.push(loadAverage());
    }
  }
  const versions = [...servers.values()].map((s) => s.version);
  for (const [runner, { server }] of servers) {
    const peak = await server.close();
    if (peak !== undefined) notes.push(`peak RSS of the ${runner} worker: ${peak} MB`);
  }

  let jobs: JobsMeasurement[] = [];
  const jobsBackend = (options.backends as Runner[]).find((b) => servers.has(b) && b !== 'cpu');
  if (options.jobsPairs > 0 && jobsBackend) {
    process.stderr.write(`--jobs 1 vs --jobs 2 on a four-run sweep (${jobsBackend}), ${options.jobsPairs} pairs…\n`);
    jobs = measureJobs(
      path.join(__dirname, '..', 'bin', 'losslab.js'),
      jobsBackend,
      options.examples,
      options.jobsEpochs,
      options.jobsPairs,
    );
    loads.push(loadAverage());
    if (jobs.some((j) => j.exit_code !== 0)) notes.push(`--jobs sweep failed: exit codes ${jobs.map((j) => j.exit_code).join(', ')}`);
    else
      notes.push(`--jobs sweep: four runs × ${options.jobsEpochs} epochs of ${options.examples} images on ${jobsBackend}, hooks every 100`);
  }
  const levers = options.levers ? measureLevers(options, [...servers.keys()], notes) : [];
  if (options.levers) loads.push(loadAverage());

  const ratios = measureRatios(arms, options.clock);
  const jobsResult = jobsRatio(jobs);
  const meta: BenchMeta = {
    date: new Date(),
    command: `npm run bench${argv.length ? ` -- ${argv.join(' ')}` : ''}`,
    machine: `${os.cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${os.cpus().length} cores, ${os.platform()}`,
    loads,
    cores: os.cpus().length,
    versions: [`Node ${process.version}`, ...versions],
    examples: options.examples,
    slices: options.slices,
    clock: options.clock,
    durationSeconds: Number(process.hrtime.bigint() - started) / 1e9,
    alternationSeconds: overheads.length > 0 ? median(overheads) : undefined,
    notes,
  };
  const markdown = benchMarkdown(meta, arms, ratios, jobsResult, levers);
  createOutputFolder(options.outDir);
  const write = (name: string, text: string) => writeFileAtomic(path.join(options.outDir, name), text);
  write('bench.csv', toCsv(ARM_COLUMNS, armRows(arms, ratios, options.clock)));
  write('ratios.csv', toCsv(RATIO_COLUMNS, ratioRows(jobsResult ? [...ratios, jobsResult] : ratios, options.clock)));
  write('slices.csv', toCsv(SLICE_COLUMNS, sliceRows(arms)));
  if (jobs.length > 0)
    write(
      'jobs.csv',
      toCsv(
        ['jobs', 'pair', 'wall_s', 'exit_code'],
        jobs.map((j) => ({ ...j })),
      ),
    );
  if (levers.length > 0) {
    const leverRows = levers.map((l) => ({
      ...l,
      ratio_vs_baseline: l.ratio.median,
      ratio_min: l.ratio.min,
      ratio_max: l.ratio.max,
    }));
    const columns = [
      'lever',
      'setting',
      'backend',
      's_per_epoch',
      'ratio_vs_baseline',
      'ratio_min',
      'ratio_max',
      'wall_s_per_epoch',
      'cpu_s_per_epoch',
      'mean_loss',
    ];
    write('levers.csv', toCsv(columns, leverRows));
  }
  write('bench.md', markdown);
  process.stdout.write(markdown);
  process.stdout.write(
    `\nwrote ${options.outDir}/{bench.csv,ratios.csv,slices.csv,bench.md${jobs.length ? ',jobs.csv' : ''}${levers.length ? ',levers.csv' : ''}}\n`,
  );
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (error: Error) => {
      process.stderr.write(`bench: ${error.message}\n`);
      process.exitCode = 2;
    },
  );
}
