// Where a losslab step's time goes: tf.profile over training steps, kernel time summed by kernel (and input shapes).
//
// Usage: node dist/scripts/bench/profile.js [--backend auto|wasm+openblas|wasm|cpu] [--workload relu-b64]
//        [--every 0] [--steps 200] [--shapes] [--clock cpu|wall]
//   --every N   hooks.every of the profiled steps (1: every step recorded)
//   --shapes    one row per kernel and input shapes, to see which call of a kernel costs what
//   --clock     cpu (default): each kernel's CPU seconds, which other processes on a shared machine do not inflate;
//               wall: tf.profile's own timer
import * as tf from '@tensorflow/tfjs';
import { selectBackend, type BackendChoice } from '../../src/backend/select';
import { BatchBuilder, epochOrder } from '../../src/data/batches';
import { loadDataset } from '../../src/data/datasets';
import { GradientRecorder } from '../../src/hooks/recorder';
import { buildModel } from '../../src/models/build';
import { createOptimizer } from '../../src/optimizers/registry';
import { isRecordedStep, trainStepOnBatch, type StepContext } from '../../src/train/step';
import { lossOf, outputActivationOf } from '../../src/train/run-functions';
import { runConfig, WORKLOADS } from './workloads';

function flag(argv: string[], name: string, fallback: string): string {
  const index = argv.indexOf(`--${name}`);
  return index >= 0 ? argv[index + 1] : fallback;
}

export async function main(argv: string[]): Promise<void> {
  const selection = await selectBackend(flag(argv, 'backend', 'auto') as BackendChoice);
  const workloadId = flag(argv, 'workload', WORKLOADS[0].id);
  const workload = WORKLOADS.find((w) => w.id === workloadId);
  if (!workload) throw new Error(`--workload: unknown ${workloadId}. Known: ${WORKLOADS.map((w) => w.id).join(', ')}`);
  const steps = Number(flag(argv, 'steps', '200'));
  const every = Number(flag(argv, 'every', '0'));
  const byShapes = argv.includes('--shapes');
  const config = runConfig(workload, every);
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
    const recorded = isRecordedStep(index, every);
    const loss = trainStepOnBatch(context, batch, recorded ? { recorder, step: index, epoch: 1 } : { step: index, epoch: 1 });
    if (recorded) recorder.flush();
    loss.dataSync();
    loss.dispose();
  };
  if (flag(argv, 'clock', 'cpu') === 'cpu') {
    // tf.profile times each kernel with the backend's time(); this one reads the process's CPU clock instead.
    const backend = tf.backend() as unknown as { time: (f: () => void) => Promise<{ kernelMs: number }> };
    backend.time = (f) => {
      const before = process.cpuUsage();
      f();
      const used = process.cpuUsage(before);
      return Promise.resolve({ kernelMs: (used.user + used.system) / 1000 });
    };
  }
  for (let i = 0; i < 20; i++) step(i);
  const cpuStarted = process.cpuUsage();
  const started = process.hrtime.bigint();
  const info = await tf.profile(() => {
    for (let i = 0; i < steps; i++) step(i);
  });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6 / steps;
  const cpuUsed = process.cpuUsage(cpuStarted);
  const cpuMs = (cpuUsed.user + cpuUsed.system) / 1000 / steps;
  const byKernel = new Map<string, { ms: number; calls: number }>();
  for (const kernel of info.kernels) {
    const key = byShapes ? `${kernel.name} ${kernel.inputShapes.map((s) => `[${(s ?? []).join(',')}]`).join(' ')}` : kernel.name;
    const entry = byKernel.get(key) ?? { ms: 0, calls: 0 };
    entry.ms += Number(kernel.kernelTimeMs);
    entry.calls += 1;
    byKernel.set(key, entry);
  }
  const total = [...byKernel.values()].reduce((s, e) => s + e.ms, 0);
  const calls = [...byKernel.values()].reduce((s, e) => s + e.calls, 0);
  process.stdout.write(
    `${workload.id}, hooks every ${every}, on ${selection.backend}, ${flag(argv, 'clock', 'cpu')} clock: under tf.profile ${wallMs.toFixed(3)} ms/step wall, ${cpuMs.toFixed(3)} ms/step CPU; kernels ${(total / steps).toFixed(3)} ms/step in ${(calls / steps).toFixed(1)} calls\n`,
  );
  const width = Math.max(22, ...[...byKernel.keys()].map((k) => k.length));
  process.stdout.write(`${'kernel'.padEnd(width)}  ms/step  calls/step  share\n`);
  for (const [name, entry] of [...byKernel.entries()].sort((a, b) => b[1].ms - a[1].ms)) {
    process.stdout.write(
      `${name.padEnd(width)} ${(entry.ms / steps).toFixed(3).padStart(8)}  ${(entry.calls / steps).toFixed(1).padStart(10)}  ${((100 * entry.ms) / total).toFixed(1).padStart(5)}%\n`,
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
