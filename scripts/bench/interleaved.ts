// One workload's variants trained side by side in one process, in alternating slices of an epoch, so that drift on
// a shared machine (other jobs, clock changes) lands on every variant alike: the steadiest ratio such a machine gives.
import type { Split } from '../../src/data/dataset';
import { LosslabEpoch } from './epoch';
import { FitEpoch } from './fit';
import { hooksEvery, runConfig, VARIANTS, type Variant, type Workload } from './workloads';

/** Slices per epoch: each variant runs one slice in turn, ~0.3–2 s each on wasm. */
export const SLICES = 10;

export interface InterleavedResult {
  variant: Variant;
  /** Wall and CPU seconds summed over the variant's slices: one epoch of `examples` images. */
  seconds: number;
  cpuSeconds: number;
  examples: number;
  meanLoss: number;
}

/** A variant that trains batch range [from, to) of one epoch. */
interface Arm {
  variant: Variant;
  run(fromBatch: number, toBatch: number): Promise<void>;
  meanLoss(batches: number): number;
  dispose(): void;
}

function arm(variant: Variant, workload: Workload, split: Split): Arm {
  if (variant === 'model-fit') {
    const fit = new FitEpoch(workload, split);
    const rows = (batch: number) => Math.min(batch * workload.batchSize, split.size);
    return {
      variant,
      run: (from, to) => fit.run(rows(from), rows(to)),
      meanLoss: (batches) => fit.meanLoss(rows(batches)),
      dispose: () => fit.dispose(),
    };
  }
  const epoch = new LosslabEpoch(runConfig(workload, hooksEvery(variant)), split);
  return {
    variant,
    run: async (from, to) => epoch.run(from, to),
    meanLoss: (batches) => epoch.meanLoss(batches),
    dispose: () => epoch.dispose(),
  };
}

/**
 * One epoch of every variant, interleaved: after a warm-up (50 steps of each, on throwaway models, so the JIT and
 * the wasm kernels are warm for all), slice s of every variant runs before slice s + 1 of any, starting with a
 * different variant each round. Returns each variant's summed time.
 */
export async function interleavedEpoch(workload: Workload, split: Split, slices = SLICES): Promise<InterleavedResult[]> {
  const steps = Math.ceil(split.size / workload.batchSize);
  for (const variant of VARIANTS) {
    const warmUp = arm(variant, workload, split);
    await warmUp.run(0, Math.min(50, steps));
    warmUp.dispose();
  }
  const arms = VARIANTS.map((variant) => arm(variant, workload, split));
  const totals = arms.map(() => ({ seconds: 0, cpuSeconds: 0 }));
  const bound = (s: number) => Math.round((s * steps) / slices);
  for (let s = 0; s < slices; s++) {
    for (let k = 0; k < arms.length; k++) {
      const index = (s + k) % arms.length;
      const started = process.hrtime.bigint();
      const cpuStarted = process.cpuUsage();
      await arms[index].run(bound(s), bound(s + 1));
      const cpu = process.cpuUsage(cpuStarted);
      totals[index].seconds += Number(process.hrtime.bigint() - started) / 1e9;
      totals[index].cpuSeconds += (cpu.user + cpu.system) / 1e6;
    }
  }
  const results = arms.map((a, i) => ({ variant: a.variant, ...totals[i], examples: split.size, meanLoss: a.meanLoss(steps) }));
  for (const a of arms) a.dispose();
  return results;
}
