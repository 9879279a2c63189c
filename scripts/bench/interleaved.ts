// Arms trained side by side in one process, in alternating slices of an epoch (the levers; the paired bench
// alternates arms across processes the same way, see paired.ts), so drift lands on every arm alike.
import { LosslabEpoch, type EpochResult } from './epoch';
import { FitEpoch } from './fit';
import { hooksEvery, runConfig, type Variant, type Workload } from './workloads';
import { startClock } from './clock';
import { alternate, type PairedArm, type SliceTime } from './paired';
import type { Split } from '../../src/data/dataset';

/** Slices per epoch: each arm runs one slice in turn. */
export const SLICES = 10;

/** Something that trains batch range [from, to) of one epoch: a losslab variant, model.fit, or a lever setting. */
export interface Arm {
  name: string;
  run(fromBatch: number, toBatch: number): Promise<void>;
  meanLoss(batches: number): number;
  dispose(): void;
}

/** An arm over a LosslabEpoch (`timeEpoch`'s loop, sliceable). */
export function losslabArm(name: string, epoch: LosslabEpoch): Arm {
  return {
    name,
    run: (from, to) => Promise.resolve(epoch.run(from, to)),
    meanLoss: (batches) => epoch.meanLoss(batches),
    dispose: () => epoch.dispose(),
  };
}

/** A fresh arm for a losslab variant or model.fit of `workload` over `split` (a PyTorch arm lives in bench_torch.py). */
export function variantArm(variant: Exclude<Variant, 'pytorch'>, workload: Workload, split: Split): Arm {
  if (variant !== 'model-fit') return losslabArm(variant, new LosslabEpoch(runConfig(workload, hooksEvery(variant)), split));
  const fit = new FitEpoch(runConfig(workload, 0), split);
  const rows = (batch: number) => Math.min(batch * workload.batchSize, split.size);
  return {
    name: variant,
    run: (from, to) => fit.run(rows(from), rows(to)),
    meanLoss: (batches) => fit.meanLoss(rows(batches)),
    dispose: () => fit.dispose(),
  };
}

/** An arm's epoch: wall and CPU seconds summed over its slices, the slices themselves, and its mean loss. */
export interface InterleavedResult extends Omit<EpochResult, 'examples'> {
  name: string;
  slices: SliceTime[];
}

/**
 * One epoch of `steps` batches for every arm, interleaved: after a warm-up (50 steps of each, on throwaway arms,
 * so the JIT and the wasm kernels are warm for all), the arms alternate slice by slice (see paired.ts alternate).
 * `make` builds a fresh arm by index.
 */
export async function interleave(
  count: number,
  make: (index: number) => Arm,
  steps: number,
  slices = SLICES,
): Promise<InterleavedResult[]> {
  for (let index = 0; index < count; index++) {
    const warmUp = make(index);
    await warmUp.run(0, Math.min(50, steps));
    warmUp.dispose();
  }
  const arms = Array.from({ length: count }, (_, index) => make(index));
  const timed: PairedArm[] = arms.map((arm, index) => ({
    id: String(index),
    run: async (from, to) => {
      const elapsed = startClock();
      await arm.run(from, to);
      return elapsed();
    },
  }));
  const times = await alternate(timed, steps, slices);
  const results = arms.map((arm, index) => {
    const armSlices = times.get(String(index))!;
    return {
      name: arm.name,
      seconds: armSlices.reduce((sum, slice) => sum + slice.seconds, 0),
      cpuSeconds: armSlices.reduce((sum, slice) => sum + slice.cpuSeconds, 0),
      meanLoss: arm.meanLoss(steps),
      slices: armSlices,
    };
  });
  for (const arm of arms) arm.dispose();
  return results;
}
