// A benchmark worker process (one backend per process), in one of two modes:
//
//   node dist/scripts/bench/worker.js --backend wasm+openblas --serve
//     Serves arms to the parent over stdin/stdout, one JSON request per line, one RESULT_PREFIX line per answer:
//       {"op":"open","arm":ID,"workload":{…},"variant":V,"examples":N}  → {"steps":S}  (after a 50-step warm-up)
//       {"op":"run","arm":ID,"from":A,"to":B}                         → {"seconds":…,"cpuSeconds":…}
//       {"op":"close","arm":ID}                                       → {"meanLoss":…,"numTensors":…,"numBytes":…}
//       {"op":"info"}                                                 → {"version":"tfjs 4.22.0 wasm+openblas (OpenBLAS …)"}
//       {"op":"exit"}                                                 → {"peakRssMb":…}
//     Any failure answers {"error":"…"}. scripts/bench_torch.py --serve speaks the same protocol for PyTorch.
//
//   node dist/scripts/bench/worker.js --backend wasm --levers --examples 20000
//     Each performance lever toggled alone from the trainer's defaults, interleaved in this process.
import * as readline from 'readline';
import * as tf from '@tensorflow/tfjs';
import { registerTransposedMatMulGrad, restoreStockMatMulGrad } from '../../src/backend/matmul-grad';
import { loadOpenBlasAddon } from '../../src/backend/openblas-addon';
import { registerSharingIdentity, unregisterSharingIdentity } from '../../src/backend/wasm-identity';
import { selectBackend, type BackendName } from '../../src/backend/select';
import type { RunConfig } from '../../src/config/schema';
import { loadDataset } from '../../src/data/datasets';
import type { Split } from '../../src/data/dataset';
import { startClock } from './clock';
import { LosslabEpoch, type EpochLevers } from './epoch';
import { interleave, losslabArm, variantArm, type Arm } from './interleaved';
import { pairedRatio } from './paired';
import { mlpWorkload, runConfig, type Variant, type Workload } from './workloads';

/** Marks the lines the parent parses, so tfjs's own console output cannot be mistaken for an answer. */
export const RESULT_PREFIX = 'BENCH_RESULT ';

/** Steps each arm's throwaway twin trains before timing starts (JIT, wasm and BLAS warm for every arm). */
export const WARM_UP_STEPS = 50;

function flag(argv: string[], name: string): string | undefined {
  const index = argv.indexOf(`--${name}`);
  return index >= 0 ? argv[index + 1] : undefined;
}

export function peakRssMb(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

function emit(row: object): void {
  process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(row)}\n`);
}

/** The first `examples` training images of MNIST (the test split is not used). */
function trainingSplit(examples: number): Split {
  return loadDataset({ name: 'mnist', train: examples, validation: 0, test: 1 }).train;
}

/** A request from the parent (see the protocol above). */
type Request =
  | { op: 'open'; arm: string; workload: Workload; variant: Exclude<Variant, 'pytorch'>; examples: number }
  | { op: 'run'; arm: string; from: number; to: number }
  | { op: 'close'; arm: string }
  | { op: 'info' }
  | { op: 'exit' };

/** Answers the parent's requests until it says exit (or closes stdin). `version` answers info. */
async function serve(version: string): Promise<void> {
  const splits = new Map<number, Split>();
  const arms = new Map<string, { arm: Arm; steps: number }>();
  const answer = async (request: Request): Promise<object> => {
    switch (request.op) {
      case 'open': {
        const { workload, variant, examples } = request;
        if (!splits.has(examples)) splits.set(examples, trainingSplit(examples));
        const split = splits.get(examples)!;
        const steps = Math.ceil(split.size / workload.batchSize);
        const warmUp = variantArm(variant, workload, split);
        await warmUp.run(0, Math.min(WARM_UP_STEPS, steps));
        warmUp.dispose();
        arms.set(request.arm, { arm: variantArm(variant, workload, split), steps });
        return { steps };
      }
      case 'run': {
        const { arm } = arms.get(request.arm)!;
        const elapsed = startClock();
        await arm.run(request.from, request.to);
        return elapsed();
      }
      case 'close': {
        const { arm, steps } = arms.get(request.arm)!;
        const meanLoss = arm.meanLoss(steps);
        arm.dispose();
        arms.delete(request.arm);
        const memory = tf.memory();
        return { meanLoss, numTensors: memory.numTensors, numBytes: memory.numBytes };
      }
      case 'info':
        return { version };
      case 'exit':
        return { peakRssMb: peakRssMb() };
    }
  };
  for await (const line of readline.createInterface({ input: process.stdin })) {
    if (line.trim() === '') continue;
    let request: Request;
    try {
      request = JSON.parse(line) as Request;
      emit(await answer(request));
    } catch (error) {
      emit({ error: (error as Error).message ?? String(error) });
      continue;
    }
    if (request.op === 'exit') return;
  }
}

/** One lever setting: the config and levers a LosslabEpoch trains with, and what to switch around each slice. */
interface LeverSetting {
  lever: string;
  setting: string;
  config: RunConfig;
  levers: EpochLevers;
  /** Process-wide switches (a gradient, a thread count), set before each of this arm's slices and undone after. */
  enter?: () => void;
  leave?: () => void;
}

/** The levers of `backend`: each toggled alone from what the trainer does (784-128-10 relu CE, batch 64, hooks off). */
function leverSettings(backend: BackendName): LeverSetting[] {
  const relu = mlpWorkload('relu-b64');
  const base = runConfig(relu, 0);
  const settings: LeverSetting[] = [
    { lever: 'baseline', setting: 'trainer defaults', config: base, levers: {} },
    { lever: 'loss-read', setting: 'every-100 (batched)', config: base, levers: { readLossEveryStep: false } },
    { lever: 'batches', setting: 'tf.gather on device', config: base, levers: { batches: 'gather' } },
    { lever: 'activation', setting: 'sigmoid', config: runConfig({ ...relu, hiddenActivation: 'sigmoid' }, 0), levers: {} },
    { lever: 'activation', setting: 'tanh', config: runConfig({ ...relu, hiddenActivation: 'tanh' }, 0), levers: {} },
  ];
  if (backend === 'wasm' || backend === 'wasm+openblas') {
    settings.push({
      lever: 'identity',
      setting: "tfjs's copying Identity (saved tensors and clones copied)",
      config: base,
      levers: {},
      enter: unregisterSharingIdentity,
      leave: registerSharingIdentity,
    });
  }
  if (backend === 'wasm') {
    settings.push(
      {
        lever: 'matmul-grad',
        setting: 'stock (transposed matMuls in the kernel)',
        config: base,
        levers: {},
        enter: restoreStockMatMulGrad,
        leave: registerTransposedMatMulGrad,
      },
      { lever: 'update', setting: 'in-place-wasm (stale packed weights)', config: base, levers: { update: 'in-place-wasm' } },
    );
  }
  if (backend === 'wasm+openblas') {
    const addon = loadOpenBlasAddon();
    settings.push(
      {
        lever: 'matmul-grad',
        setting: "explicit transposes (the wasm path's gradient)",
        config: base,
        levers: {},
        enter: registerTransposedMatMulGrad,
        leave: restoreStockMatMulGrad,
      },
      {
        lever: 'openblas-threads',
        setting: '2',
        config: base,
        levers: {},
        enter: () => addon.setNumThreads(2),
        leave: () => addon.setNumThreads(1),
      },
    );
  }
  return settings;
}

/** The levers of `backend`, interleaved; each row's ratio to the baseline is the median of its slice-by-slice ratios. */
async function measureLevers(split: Split, backend: BackendName): Promise<void> {
  const steps = Math.ceil(split.size / mlpWorkload('relu-b64').batchSize);
  const settings = leverSettings(backend);
  const make = (index: number): Arm => {
    const { lever, config, levers, enter, leave } = settings[index];
    const arm = losslabArm(lever, new LosslabEpoch(config, split, levers));
    if (!enter || !leave) return arm;
    return {
      ...arm,
      run: async (from, to) => {
        enter();
        try {
          await arm.run(from, to);
        } finally {
          leave();
        }
      },
    };
  };
  const rows = await interleave(settings.length, make, steps);
  const cpu = (index: number) => rows[index].slices.map((s) => s.cpuSeconds);
  const wall = (index: number) => rows[index].slices.map((s) => s.seconds);
  rows.forEach((row, index) => {
    const { lever, setting } = settings[index];
    emit({
      lever,
      setting,
      backend,
      wall_s_per_epoch: (row.seconds * 60000) / split.size,
      cpu_s_per_epoch: (row.cpuSeconds * 60000) / split.size,
      cpu_ratio: pairedRatio(cpu(index), cpu(0)),
      wall_ratio: pairedRatio(wall(index), wall(0)),
      mean_loss: row.meanLoss,
    });
  });
}

export async function main(argv: string[]): Promise<void> {
  const backend = flag(argv, 'backend') as BackendName;
  const selection = await selectBackend(backend);
  if (argv.includes('--levers')) return measureLevers(trainingSplit(Number(flag(argv, 'examples') ?? 20000)), backend);
  if (argv.includes('--serve')) return serve(`tfjs ${tf.version.tfjs} ${backend}${selection.matMul ? ` (${selection.matMul})` : ''}`);
  throw new Error('worker: expected --serve or --levers');
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((error) => {
    // The message only: the parent shows the last stderr line as the reason an arm is missing.
    process.stderr.write(`${(error as Error).message ?? String(error)}\n`);
    process.exitCode = 1;
  });
}
