// Where a losslab step's time goes, per kernel: tf.profile's kernel time (wall clock) and the CPU time spent in each
// kernel itself (a wrapper around every registered kernel; nested kernel calls are charged to the inner kernel), which
// a shared machine disturbs less.
//
// Usage: node dist/scripts/bench/profile.js [--backend wasm] [--workload 0|1|2|lenet] [--steps 50] [--every 0]
import * as tf from '@tensorflow/tfjs';
import { selectBackend, type BackendName } from '../../src/backend/select';
import type { RunConfig } from '../../src/config/schema';
import { BatchBuilder, epochOrder } from '../../src/data/batches';
import { loadDataset } from '../../src/data/datasets';
import { GradientRecorder } from '../../src/hooks/recorder';
import { buildModel } from '../../src/models/build';
import { createOptimizer } from '../../src/optimizers/registry';
import { isRecordedStep, trainStep, type StepContext } from '../../src/train/step';
import { lossOf, outputActivationOf } from '../../src/train/run-functions';
import { CNN_WORKLOAD, cnnRunConfig, runConfig, WORKLOADS } from './workloads';

function flag(argv: string[], name: string, fallback: string): string {
  const index = argv.indexOf(`--${name}`);
  return index >= 0 ? argv[index + 1] : fallback;
}

/** CPU milliseconds and calls per kernel name, self time only. */
type CpuByKernel = Map<string, { ms: number; calls: number }>;

/**
 * Re-registers every kernel of `backend` behind a wrapper that adds its CPU time (minus that of kernels it calls
 * itself) to the returned map. For this profiling process only: it is never done by losslab itself.
 */
function wrapKernelsForCpuTime(backend: string): CpuByKernel {
  const byKernel: CpuByKernel = new Map();
  const childTime: number[] = [];
  for (const kernel of tf.getKernelsForBackend(backend)) {
    const inner = kernel.kernelFunc;
    tf.unregisterKernel(kernel.kernelName, backend);
    tf.registerKernel({
      ...kernel,
      kernelFunc: (args) => {
        const started = process.cpuUsage();
        childTime.push(0);
        const result = inner(args);
        const used = process.cpuUsage(started);
        const total = (used.user + used.system) / 1000;
        const self = total - childTime.pop()!;
        if (childTime.length > 0) childTime[childTime.length - 1] += total;
        const entry = byKernel.get(kernel.kernelName) ?? { ms: 0, calls: 0 };
        entry.ms += self;
        entry.calls += 1;
        byKernel.set(kernel.kernelName, entry);
        return result;
      },
    });
  }
  return byKernel;
}

export async function main(argv: string[]): Promise<void> {
  const backend = flag(argv, 'backend', 'wasm') as BackendName;
  await selectBackend(backend);
  const which = flag(argv, 'workload', '0');
  const steps = Number(flag(argv, 'steps', '50'));
  const every = Number(flag(argv, 'every', '0'));
  const config: RunConfig = which === CNN_WORKLOAD.name ? cnnRunConfig(every) : runConfig(WORKLOADS[Number(which)], every);
  const label = which === CNN_WORKLOAD.name ? CNN_WORKLOAD.name : WORKLOADS[Number(which)].name;
  const split = loadDataset({ name: 'mnist', train: 10000, validation: 0, test: 1 }).train;
  const output = outputActivationOf(config, {});
  const model = buildModel(config.model, split, 1, output);
  const optimizer = createOptimizer(config.optimizer);
  const context: StepContext = { model, optimizer, loss: lossOf(config, {}, output), l2Coefficient: 0 };
  const recorder = new GradientRecorder();
  const batches = new BatchBuilder(split, config.batchSize);
  const order = epochOrder(split.size, null);
  const step = (index: number) => {
    const batch = batches.fill(order, index % batches.batchesPerEpoch);
    const at = isRecordedStep(index, every) ? { recorder, step: index, epoch: 1 } : { step: index, epoch: 1 };
    const loss = tf.tidy(() =>
      trainStep(context, tf.tensor2d(batch.x, [batch.size, split.featureSize]), tf.tensor2d(batch.y, [batch.size, split.numClasses]), at),
    );
    loss.dataSync();
    loss.dispose();
    recorder.flush();
  };
  for (let i = 0; i < 20; i++) step(i);
  const cpu = wrapKernelsForCpuTime(tf.getBackend());
  const started = process.hrtime.bigint();
  const cpuStarted = process.cpuUsage();
  const info = await tf.profile(() => {
    for (let i = 0; i < steps; i++) step(i);
  });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6 / steps;
  const used = process.cpuUsage(cpuStarted);
  const cpuMs = (used.user + used.system) / 1000 / steps;
  const byKernel = new Map<string, { ms: number; calls: number }>();
  for (const kernel of info.kernels) {
    const entry = byKernel.get(kernel.name) ?? { ms: 0, calls: 0 };
    entry.ms += Number(kernel.kernelTimeMs);
    entry.calls += 1;
    byKernel.set(kernel.name, entry);
  }
  const total = [...byKernel.values()].reduce((s, e) => s + e.ms, 0);
  const cpuTotal = [...cpu.values()].reduce((s, e) => s + e.ms, 0);
  process.stdout.write(
    `${label} batch ${config.batchSize} on ${tf.getBackend()}, hooks every ${every}: ${wallMs.toFixed(2)} ms/step wall and ` +
      `${cpuMs.toFixed(2)} ms/step CPU under profile; kernels ${(total / steps).toFixed(2)} ms/step wall, ${(cpuTotal / steps).toFixed(2)} ms/step CPU\n`,
  );
  process.stdout.write('kernel                    wall ms/step  cpu ms/step  calls/step  cpu share\n');
  for (const [name, entry] of [...byKernel.entries()].sort((a, b) => (cpu.get(b[0])?.ms ?? 0) - (cpu.get(a[0])?.ms ?? 0))) {
    const own = cpu.get(name)?.ms ?? 0;
    process.stdout.write(
      `${name.padEnd(24)} ${(entry.ms / steps).toFixed(3).padStart(13)} ${(own / steps).toFixed(3).padStart(12)}  ${(entry.calls / steps).toFixed(1).padStart(10)}  ${((100 * own) / cpuTotal).toFixed(1).padStart(8)}%\n`,
    );
  }
  recorder.dispose();
  optimizer.dispose();
  model.dispose();
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((error) => {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exitCode = 1;
  });
}
