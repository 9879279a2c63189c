// One benchmark measurement in its own process (one backend per process): prints a JSON line for the parent.
//
// Usage: node dist/scripts/bench/worker.js --backend wasm --workload 0 --variant hooks-off --examples 60000
//        node dist/scripts/bench/worker.js --backend wasm --workload 0 --interleaved --examples 60000
//        node dist/scripts/bench/worker.js --backend wasm --levers --examples 20000
import * as tf from '@tensorflow/tfjs';
import { registerTransposedMatMulGrad } from '../../src/backend/matmul-grad';
import { selectBackend, type BackendName } from '../../src/backend/select';
import { loadDataset } from '../../src/data/datasets';
import type { Split } from '../../src/data/dataset';
import { timeEpoch, type EpochLevers, type EpochResult } from './epoch';
import { timeFitEpoch } from './fit';
import { interleavedEpoch } from './interleaved';
import { hooksEvery, runConfig, WORKLOADS, type Measurement, type Variant, type Workload } from './workloads';

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

function measurement(workload: Workload, variant: string, backend: string, result: EpochResult): Measurement {
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
 * The fastest of `repeats` epochs (by CPU time, wall time taken from the same epoch): other processes on a shared
 * machine only ever add time, so the minimum is the least disturbed measurement.
 */
function fastest(repeats: number, epoch: () => EpochResult, done: EpochResult[] = []): EpochResult {
  const results = [...done];
  for (let r = 0; r < repeats; r++) results.push(epoch());
  return results.reduce((best, r) => (r.cpuSeconds < best.cpuSeconds ? r : best));
}

/** Loads the backend the parent asked for; wasm gets the transposed matMul gradient unless `stockGrad`. */
async function loadBackend(backend: BackendName, stockGrad: boolean): Promise<void> {
  if (backend === 'wasm' && stockGrad) {
    require('@tensorflow/tfjs-backend-wasm');
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

/** Each lever toggled alone from the trainer's default, on wasm, 784-128-10 relu CE at batch 64, hooks off. */
async function measureLevers(split: Split, backend: BackendName, repeats: number): Promise<void> {
  const relu = WORKLOADS[0];
  const base = runConfig(relu, 0);
  const run = (lever: string, setting: string, config = base, levers: EpochLevers = {}) => {
    const result = fastest(repeats, () => timeEpoch(config, split, levers));
    emit({ lever, setting, wall_s_per_epoch: (result.seconds * 60000) / result.examples, cpu_s_per_epoch: (result.cpuSeconds * 60000) / result.examples, mean_loss: result.meanLoss });
  };
  // Stock gradient first: registering the transposed one replaces it for the rest of the process.
  // On the tape, where the BatchMatMul gradient runs (the hand-written backward transposes explicitly anyway):
  // compare with the backward/taped row below.
  run('matmul-grad', 'stock (taped backward)', base, { backward: 'taped' });
  registerTransposedMatMulGrad();
  // The baseline is what the trainer does: hand-written backward on unrecorded steps (transposed grad on recorded
  // ones), loss read every step, typed-array batches, assign, relu.
  run('baseline', 'trainer defaults');
  run('backward', 'taped (transposed matMul gradient)', base, { backward: 'taped' });
  run('loss-read', 'every-100 (batched)', base, { readLossEveryStep: false });
  run('batches', 'tf.gather on device', base, { batches: 'gather' });
  if (backend === 'wasm') run('update', 'in-place-wasm (stale packed weights)', base, { update: 'in-place-wasm' });
  for (const activation of ['sigmoid', 'tanh'] as const) {
    run('activation', activation, runConfig({ ...relu, hiddenActivation: activation }, 0));
  }
}

export async function main(argv: string[]): Promise<void> {
  const backend = flag(argv, 'backend') as BackendName;
  const examples = Number(flag(argv, 'examples') ?? 60000);
  const levers = argv.includes('--levers');
  await loadBackend(backend, levers);
  const split = trainingSplit(examples);
  const repeats = Number(flag(argv, 'repeats') ?? 1);
  if (levers) return measureLevers(split, backend, repeats);
  if (argv.includes('--interleaved')) {
    const workload = WORKLOADS[Number(flag(argv, 'workload'))];
    for (const result of await interleavedEpoch(workload, split)) emit(measurement(workload, result.variant, backend, result) as unknown as Record<string, unknown>);
    return;
  }
  const workload = WORKLOADS[Number(flag(argv, 'workload'))];
  const variant = flag(argv, 'variant') as Variant;
  const results: EpochResult[] = [];
  for (let r = 0; r < repeats; r++) {
    results.push(variant === 'model-fit' ? await timeFitEpoch(workload, split) : timeEpoch(runConfig(workload, hooksEvery(variant)), split));
  }
  const result = fastest(0, () => results[0], results);
  emit(measurement(workload, variant, backend, result) as unknown as Record<string, unknown>);
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((error) => {
    // The message only: the parent shows the last stderr line as the reason a row is missing.
    process.stderr.write(`${(error as Error).message ?? String(error)}\n`);
    process.exitCode = 1;
  });
}
