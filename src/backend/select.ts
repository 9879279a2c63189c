// Chooses the tfjs backend once per process: tensorflow (tfjs-node) when it loads, else wasm with OpenBLAS's
// matMul (the optional native addon), else wasm with XNNPACK's, else cpu.
import * as tf from '@tensorflow/tfjs';
import { ConfigError } from '../errors';
import { registerWasmConvGradients } from './conv-grad-wasm';
import { registerGradientSumsKernel } from './gradient-sums';
import { registerTransposedMatMulGrad, restoreStockMatMulGrad } from './matmul-grad';
import { loadOpenBlasAddon } from './openblas-addon';
import { registerOpenBlasMatMul } from './openblas-matmul';
import { registerAvgPoolGrad, registerWasmMaxPoolGrad } from './pool-grad';
import { registerSgdUpdateKernel } from './sgd-update';
import { registerSharingIdentity } from './wasm-identity';

/**
 * `--backend` values: `auto`, then the backends in the order `auto` tries them. `wasm+openblas` is tfjs's wasm
 * backend with BatchMatMul by OpenBLAS (the optional native addon); `wasm` is the same backend with XNNPACK's.
 */
export const BACKEND_CHOICES = ['auto', 'tensorflow', 'wasm+openblas', 'wasm', 'cpu'] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];
export type BackendName = Exclude<BackendChoice, 'auto'>;
/** The order in which `--backend auto` tries the backends. */
export const AUTO_ORDER = BACKEND_CHOICES.filter((choice): choice is BackendName => choice !== 'auto');

/** The backend in use, what runs its matMuls, and why each backend tried before it was skipped. */
export interface BackendSelection {
  backend: BackendName;
  /** What computes matrix products, e.g. "OpenBLAS 0.3.21 … Haswell, 1 thread"; empty when it is the backend's own. */
  matMul: string;
  skipped: { backend: BackendName; reason: string }[];
}

async function setTfBackend(name: string): Promise<void> {
  if (!(await tf.setBackend(name))) throw new Error(`setBackend("${name}") returned false`);
}

/** Loads a backend and makes it current; resolves to what runs its matMuls (empty: the backend's own kernel). */
const loaders: Record<BackendName, () => Promise<string>> = {
  tensorflow: async () => {
    // tfjs-node is an optional dependency: its install downloads libtensorflow, which fails without network.
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- optional: absent where its install failed, so no types to import
    require('@tensorflow/tfjs-node');
    await setTfBackend('tensorflow');
    return '';
  },
  'wasm+openblas': async () => {
    // The addon first: it is the part that may be missing, and it fails fast.
    const addon = loadOpenBlasAddon();
    await import('@tensorflow/tfjs-backend-wasm');
    await setTfBackend('wasm');
    registerGradientSumsKernel('wasm', addon);
    registerSgdUpdateKernel(addon);
    registerSharingIdentity();
    registerOpenBlasMatMul(addon);
    // sgemm takes the transpose flags itself: tfjs-core's own gradient, without explicit transposes.
    restoreStockMatMulGrad();
    registerWasmConvAndPoolGradients();
    const threads = addon.numThreads();
    return `${addon.config().replace(/ NO_LAPACKE| DYNAMIC_ARCH| NO_AFFINITY| MAX_THREADS=\d+/g, '')}, ${threads} thread${threads === 1 ? '' : 's'}`;
  },
  wasm: async () => {
    await import('@tensorflow/tfjs-backend-wasm');
    await setTfBackend('wasm');
    registerGradientSumsKernel('wasm');
    registerSharingIdentity();
    // XNNPACK serves only untransposed matMuls; the stock gradient transposes inside the kernel (see matmul-grad.ts).
    registerTransposedMatMulGrad();
    registerWasmConvAndPoolGradients();
    return '';
  },
  cpu: async () => {
    await setTfBackend('cpu');
    registerGradientSumsKernel('cpu');
    return '';
  },
};

/**
 * wasm cannot train a convolution without these, and its max pooling gradient is wrong (see the files). The conv
 * gradients run their matMuls through the registered BatchMatMul, so with the addon they run on OpenBLAS.
 */
function registerWasmConvAndPoolGradients(): void {
  registerWasmConvGradients();
  registerWasmMaxPoolGrad();
}

let selected: BackendSelection | undefined;

/**
 * Loads the requested backend (`auto`: tensorflow, then wasm+openblas, then wasm, then cpu) and makes it current.
 * One process uses one backend: a second call with a different explicit choice is an error.
 */
export async function selectBackend(choice: BackendChoice = 'auto'): Promise<BackendSelection> {
  if (selected) {
    if (choice !== 'auto' && choice !== selected.backend) {
      throw new ConfigError(
        `--backend ${choice}: this process already uses the ${selected.backend} backend; one process uses one backend.`,
      );
    }
    return selected;
  }
  // Production mode: no debug checks, and no console nudge towards tfjs-node from the cpu backend (the choice
  // and why other backends were skipped is printed by the runner instead).
  tf.enableProdMode();
  const order: BackendName[] = choice === 'auto' ? AUTO_ORDER : [choice];
  const skipped: BackendSelection['skipped'] = [];
  for (const backend of order) {
    try {
      const matMul = await loaders[backend]();
      await tf.ready();
      // tfjs's average pooling gradient is wrong with same padding on every backend (see pool-grad.ts).
      registerAvgPoolGrad();
      selected = { backend, matMul, skipped };
      return selected;
    } catch (error) {
      skipped.push({ backend, reason: firstLine(error) });
    }
  }
  const reasons = skipped.map((s) => `${s.backend}: ${s.reason}`).join('; ');
  throw new ConfigError(
    choice === 'auto'
      ? `--backend auto: no backend loaded (${reasons}).`
      : `--backend ${choice}: the ${choice} backend did not load (${reasons}). Use --backend auto to fall back to one that does.`,
  );
}

function firstLine(error: unknown): string {
  const message = (error as Error)?.message ?? String(error);
  return message.split('\n')[0].slice(0, 200);
}
