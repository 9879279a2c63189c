// One workload's variants trained side by side in one process, in alternating slices of an epoch, so that drift on
// a shared machine (other jobs, clock changes) lands on every variant alike: the steadiest ratio such a machine gives.
import type { RunConfig } from '../../src/config/schema';
import type { Split } from '../../src/data/dataset';
import { LosslabEpoch, type EpochResult } from './epoch';
import { FitEpoch } from './fit';
import { hooksEvery, runConfig, VARIANTS, type Variant, type Workload } from './workloads';
import { startClock, type Elapsed } from './clock';

/** Slices per epoch: each variant runs one slice in turn, ~0.3–2 s each on wasm. */
export const SLICES = 10;

/** A variant's epoch, its wall and CPU seconds summed over its slices. */
export interface InterleavedResult extends EpochResult {
  variant: Variant;
}

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

/** An arm for one variant of a run config: losslab with its hooks setting, or the tf.layers model.fit baseline. */
export function variantArm(variant: Variant, configFor: (every: number) => RunConfig, split: Split): Arm {
  if (variant !== 'model-fit') return losslabArm(variant, new LosslabEpoch(configFor(hooksEvery(variant)), split));
  const config = configFor(0);
  const fit = new FitEpoch(config, split);
  const rows = (batch: number) => Math.min(batch * config.batchSize, split.size);
  return {
    name: variant,
    run: (from, to) => fit.run(rows(from), rows(to)),
    meanLoss: (batches) => fit.meanLoss(rows(batches)),
    dispose: () => fit.dispose(),
  };
}

/**
 * One epoch of `steps` batches for every arm, interleaved: after a warm-up (50 steps of each, on throwaway arms,
 * so the JIT and the wasm kernels are warm for all), slice s of every arm runs before slice s + 1 of any, starting
 * with a different arm each round. Returns each arm's summed time. `make` builds a fresh arm by index.
 */
export async function interleave(
  count: number,
  make: (index: number) => Arm,
  steps: number,
  slices = SLICES,
): Promise<(Omit<InterleavedResult, 'variant' | 'examples'> & { name: string; slices: Elapsed[] })[]> {
  for (let index = 0; index < count; index++) {
    const warmUp = make(index);
    await warmUp.run(0, Math.min(50, steps));
    warmUp.dispose();
  }
  const arms = Array.from({ length: count }, (_, index) => make(index));
  const totals = arms.map(() => ({ seconds: 0, cpuSeconds: 0 }));
  const perSlice: Elapsed[][] = arms.map(() => []);
  const bound = (s: number) => Math.round((s * steps) / slices);
  for (let s = 0; s < slices; s++) {
    for (let k = 0; k < count; k++) {
      const index = (s + k) % count;
      const elapsed = startClock();
      await arms[index].run(bound(s), bound(s + 1));
      const time = elapsed();
      totals[index].seconds += time.seconds;
      totals[index].cpuSeconds += time.cpuSeconds;
      perSlice[index][s] = time;
    }
  }
  const results = arms.map((a, i) => ({ name: a.name, ...totals[i], meanLoss: a.meanLoss(steps), slices: perSlice[i] }));
  for (const a of arms) a.dispose();
  return results;
}

/** One epoch of every variant of `workload` (an MLP workload, or a run config by hooks setting), interleaved (see interleave). */
export async function interleavedEpoch(
  workload: Workload | ((every: number) => RunConfig),
  split: Split,
  slices = SLICES,
): Promise<(InterleavedResult & { slices: Elapsed[] })[]> {
  const configFor = typeof workload === 'function' ? workload : (every: number) => runConfig(workload, every);
  const steps = Math.ceil(split.size / configFor(0).batchSize);
  const results = await interleave(VARIANTS.length, (index) => variantArm(VARIANTS[index], configFor, split), steps, slices);
  return results.map(({ name, ...rest }) => ({ variant: name as Variant, examples: split.size, ...rest }));
}
