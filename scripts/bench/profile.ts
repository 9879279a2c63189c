// Where a losslab step's time goes: tf.profile over a few training steps, kernel time summed by kernel name.
//
// Usage: node dist/scripts/bench/profile.js [--backend wasm] [--workload 0] [--steps 50]
import * as tf from '@tensorflow/tfjs';
import { selectBackend, type BackendName } from '../../src/backend/select';
import { BatchBuilder, epochOrder } from '../../src/data/batches';
import { loadDataset } from '../../src/data/datasets';
import { buildMlp } from '../../src/models/mlp';
import { createOptimizer } from '../../src/optimizers/registry';
import { trainStep, type StepContext } from '../../src/train/step';
import { lossOf } from '../../src/train/run-functions';
import { runConfig, WORKLOADS } from './workloads';

function flag(argv: string[], name: string, fallback: string): string {
  const index = argv.indexOf(`--${name}`);
  return index >= 0 ? argv[index + 1] : fallback;
}

export async function main(argv: string[]): Promise<void> {
  await selectBackend(flag(argv, 'backend', 'wasm') as BackendName);
  const workload = WORKLOADS[Number(flag(argv, 'workload', '0'))];
  const steps = Number(flag(argv, 'steps', '50'));
  const config = runConfig(workload, 0);
  const split = loadDataset({ name: 'mnist', train: 10000, validation: 0, test: 1 }).train;
  const mlp = buildMlp(config.model, split.featureSize, split.numClasses, 1);
  const optimizer = createOptimizer(config.optimizer);
  const context: StepContext = { mlp, optimizer, loss: lossOf(config, {}, mlp.layers[mlp.layers.length - 1].activation), l2Coefficient: 0 };
  const batches = new BatchBuilder(split, config.batchSize);
  const order = epochOrder(split.size, null);
  const step = (index: number) => {
    const batch = batches.fill(order, index % batches.batchesPerEpoch);
    const loss = tf.tidy(() => trainStep(context, tf.tensor2d(batch.x, [batch.size, 784]), tf.tensor2d(batch.y, [batch.size, 10])));
    loss.dataSync();
    loss.dispose();
  };
  for (let i = 0; i < 20; i++) step(i);
  const started = process.hrtime.bigint();
  const info = await tf.profile(() => {
    for (let i = 0; i < steps; i++) step(i);
  });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6 / steps;
  const byKernel = new Map<string, { ms: number; calls: number }>();
  for (const kernel of info.kernels) {
    const entry = byKernel.get(kernel.name) ?? { ms: 0, calls: 0 };
    entry.ms += Number(kernel.kernelTimeMs);
    entry.calls += 1;
    byKernel.set(kernel.name, entry);
  }
  const total = [...byKernel.values()].reduce((s, e) => s + e.ms, 0);
  process.stdout.write(
    `${workload.name} batch ${workload.batchSize} on ${tf.getBackend()}: ${wallMs.toFixed(2)} ms/step under profile, kernels ${(total / steps).toFixed(2)} ms/step\n`,
  );
  process.stdout.write('kernel                 ms/step  calls/step  share\n');
  for (const [name, entry] of [...byKernel.entries()].sort((a, b) => b[1].ms - a[1].ms)) {
    process.stdout.write(
      `${name.padEnd(22)} ${(entry.ms / steps).toFixed(3).padStart(7)}  ${(entry.calls / steps).toFixed(1).padStart(10)}  ${((100 * entry.ms) / total).toFixed(1).padStart(5)}%\n`,
    );
  }
  optimizer.dispose();
  mlp.dispose();
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((error) => {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exitCode = 1;
  });
}
