// One benchmark measurement in its own process (one backend per process): prints a JSON line for the parent.
//
// Usage: node dist/scripts/bench/worker.js --backend wasm --workload 0 --variant hooks-off --examples 60000
//        node dist/scripts/bench/worker.js --backend wasm --workload 0 --interleaved --examples 60000
//        node dist/scripts/bench/worker.js --backend wasm --levers --examples 20000
//        node dist/scripts/bench/worker.js --backend wasm --cnn --variant hooks-every-100 --examples 20000
//        node dist/scripts/bench/worker.js --backend wasm --cnn --interleaved --examples 20000
import * as tf from '@tensorflow/tfjs';
import { registerTransposedMatMulGrad } from '../../src/backend/matmul-grad';
import { selectBackend, type BackendName } from '../../src/backend/select';
import type { RunConfig } from '../../src/config/schema';
import { loadDataset } from '../../src/data/datasets';
import type { Split } from '../../src/data/dataset';
import { LosslabEpoch, timeEpoch, type EpochLevers, type EpochResult } from './epoch';
import { timeFitEpoch } from './fit';
import { interleave, interleavedEpoch, losslabArm } from './interleaved';
import { CNN_WORKLOAD, cnnRunConfig, hooksEvery, runConfig, WORKLOADS, type Measurement, type Variant, type Workload } from './workloads';

/** Marks the lines the parent parses, so tfjs's own console output cannot be mistaken for a result. */
export const RESULT_PREFIX = 'BENCH_RESULT ';

function flag(argv: string[], name: string): string | undefined {
  const index = argv.indexOf(`--${name}`);
  return index >= 0 ? argv[index + 1] : undefined;
}

function peakRssMb(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

function emit(row: Record<string, unknown>): void {
  process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(row)}\n`);
}

function measurement(workload: Pick<Workload, 'name' | 'batchSize'>, variant: string, backend: string, result: EpochResult): Measurement {
  const memory = tf.memory();
  return {
    workload: workload.name,
    variant,
    backend,
    batch_size: workload.batchSize,
    examples: result.examples,
    wall_s_per_epoch: (result.seconds * 60000) / result.examples,
    cpu_s_per_epoch: (result.cpuSeconds * 60000) / result.examples,
    peak_rss_mb: peakRssMb(),
    tf_num_tensors: memory.numTensors,
    tf_num_bytes: memory.numBytes,
    mean_loss: result.meanLoss,
  };
}

/**
 * The fastest of the repeated epochs (by CPU time, wall time taken from the same epoch): other processes on a
 * shared machine only ever add time, so the minimum is the least disturbed measurement.
 */
function fastest(results: EpochResult[]): EpochResult {
  return results.reduce((best, r) => (r.cpuSeconds < best.cpuSeconds ? r : best));
}

/** Loads the backend the parent asked for; wasm gets the transposed matMul gradient unless `stockGrad`. */
async function loadBackend(backend: BackendName, stockGrad: boolean): Promise<void> {
  if (backend === 'wasm' && stockGrad) {
    await import('@tensorflow/tfjs-backend-wasm');
    if (!(await tf.setBackend('wasm'))) throw new Error('wasm did not load');
    await tf.ready();
    return;
  }
  await selectBackend(backend);
}

/** The first `examples` training images of MNIST (the test split is not used). */
function trainingSplit(examples: number): Split {
  return loadDataset({ name: 'mnist', train: examples, validation: 0, test: 1 }).train;
}

/** One lever setting: the config and levers a LosslabEpoch trains with. */
interface LeverSetting {
  lever: string;
  setting: string;
  config: RunConfig;
  levers: EpochLevers;
  /** Only meaningful on wasm (reaches into the wasm heap). */
  wasmOnly?: boolean;
}

/**
 * Each lever toggled alone from the trainer's default, on wasm, 784-128-10 relu CE at batch 64, hooks off. The
 * settings run interleaved (one process, alternating tenths of an epoch), except the stock matMul gradient, which
 * is process-wide: it runs first, alone.
 */
async function measureLevers(split: Split, backend: BackendName): Promise<void> {
  const relu = WORKLOADS[0];
  const base = runConfig(relu, 0);
  const steps = Math.ceil(split.size / relu.batchSize);
  const measure = (setting: LeverSetting) => losslabArm(setting.lever, new LosslabEpoch(setting.config, split, setting.levers));
  const emitRow = ({ lever, setting }: LeverSetting, row: { seconds: number; cpuSeconds: number; meanLoss: number }) =>
    emit({
      lever,
      setting,
      wall_s_per_epoch: (row.seconds * 60000) / split.size,
      cpu_s_per_epoch: (row.cpuSeconds * 60000) / split.size,
      mean_loss: row.meanLoss,
    });
  // The stock BatchMatMul gradient is process-wide: it runs first, alone, before the transposed one is registered.
  const stock: LeverSetting = { lever: 'matmul-grad', setting: 'stock (run alone, before the others)', config: base, levers: {} };
  const [stockRow] = await interleave(1, () => measure(stock), steps);
  emitRow(stock, stockRow);
  registerTransposedMatMulGrad();
  const allSettings: LeverSetting[] = [
    // What the trainer does: transposed matMul gradient, loss read every step, typed-array batches, assign, relu.
    { lever: 'baseline', setting: 'trainer defaults', config: base, levers: {} },
    { lever: 'loss-read', setting: 'every-100 (batched)', config: base, levers: { readLossEveryStep: false } },
    { lever: 'batches', setting: 'tf.gather on device', config: base, levers: { batches: 'gather' } },
    { lever: 'update', setting: 'in-place-wasm (stale packed weights)', config: base, levers: { update: 'in-place-wasm' }, wasmOnly: true },
    { lever: 'activation', setting: 'sigmoid', config: runConfig({ ...relu, hiddenActivation: 'sigmoid' }, 0), levers: {} },
    { lever: 'activation', setting: 'tanh', config: runConfig({ ...relu, hiddenActivation: 'tanh' }, 0), levers: {} },
  ];
  const settings = allSettings.filter((setting) => !setting.wasmOnly || backend === 'wasm');
  const rows = await interleave(settings.length, (index) => measure(settings[index]), steps);
  rows.forEach((row, index) => emitRow(settings[index], row));
}

/**
 * Steps trained and thrown away before a CNN measurement, so JIT compilation and first-call setup are not timed: 20,
 * or 1 for model.fit on the cpu backend (about 4 s a step there).
 */
const cnnWarmUpSteps = (variant: Variant, backend: BackendName) => (variant === 'model-fit' && backend === 'cpu' ? 1 : 20);

/**
 * The CNN workload on `backend`: one variant's epoch over `split` after a warm-up (each pair member of the parent's
 * alternating pairs is one such process), or every variant interleaved, with its per-slice times.
 */
async function measureCnn(argv: string[], split: Split, backend: BackendName): Promise<void> {
  const workload = { name: CNN_WORKLOAD.name, batchSize: cnnRunConfig(0).batchSize };
  if (argv.includes('--interleaved')) {
    for (const { slices, ...result } of await interleavedEpoch(cnnRunConfig, split)) {
      emit({ ...measurement(workload, result.variant, backend, result), slices });
    }
    return;
  }
  const variant = flag(argv, 'variant') as Variant;
  const config = cnnRunConfig(variant === 'model-fit' ? 0 : hooksEvery(variant));
  const warmUp = trainingSplit(Math.min(split.size, cnnWarmUpSteps(variant, backend) * config.batchSize));
  if (variant === 'model-fit') await timeFitEpoch(config, warmUp);
  else timeEpoch(config, warmUp);
  const result = variant === 'model-fit' ? await timeFitEpoch(config, split) : timeEpoch(config, split);
  emit(measurement(workload, variant, backend, result) as unknown as Record<string, unknown>);
}

export async function main(argv: string[]): Promise<void> {
  const backend = flag(argv, 'backend') as BackendName;
  const examples = Number(flag(argv, 'examples') ?? 60000);
  const levers = argv.includes('--levers');
  await loadBackend(backend, levers);
  const split = trainingSplit(examples);
  const repeats = Number(flag(argv, 'repeats') ?? 1);
  if (levers) return measureLevers(split, backend);
  if (argv.includes('--cnn')) return measureCnn(argv, split, backend);
  if (argv.includes('--interleaved')) {
    const workload = WORKLOADS[Number(flag(argv, 'workload'))];
    for (const result of await interleavedEpoch(workload, split))
      emit(measurement(workload, result.variant, backend, result) as unknown as Record<string, unknown>);
    return;
  }
  const workload = WORKLOADS[Number(flag(argv, 'workload'))];
  const variant = flag(argv, 'variant') as Variant;
  const results: EpochResult[] = [];
  for (let r = 0; r < repeats; r++) {
    results.push(
      variant === 'model-fit'
        ? await timeFitEpoch(runConfig(workload, 0), split)
        : timeEpoch(runConfig(workload, hooksEvery(variant)), split),
    );
  }
  const result = fastest(results);
  emit(measurement(workload, variant, backend, result) as unknown as Record<string, unknown>);
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((error) => {
    // The message only: the parent shows the last stderr line as the reason a row is missing.
    process.stderr.write(`${(error as Error).message ?? String(error)}\n`);
    process.exitCode = 1;
  });
}
