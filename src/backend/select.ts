// Chooses the tfjs backend once per process: tensorflow (tfjs-node) when it loads, else wasm, else cpu.
import * as tf from '@tensorflow/tfjs';
import { ConfigError } from '../errors';
import { registerWasmConvGradients } from './conv-grad-wasm';
import { registerTransposedMatMulGrad } from './matmul-grad';
import { registerAvgPoolGrad, registerWasmMaxPoolGrad } from './pool-grad';

/** `--backend` values: `auto`, then the backends in the order `auto` tries them. */
export const BACKEND_CHOICES = ['auto', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];
export type BackendName = Exclude<BackendChoice, 'auto'>;
/** The order in which `--backend auto` tries the backends. */
export const AUTO_ORDER = BACKEND_CHOICES.filter((choice): choice is BackendName => choice !== 'auto');

/** Why each backend that was tried and skipped did not load, for the printed choice. */
export interface BackendSelection {
  backend: BackendName;
  skipped: { backend: BackendName; reason: string }[];
}

const loaders: Record<BackendName, () => Promise<void>> = {
  tensorflow: async () => {
    // tfjs-node is an optional dependency: its install downloads libtensorflow, which fails without network.
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- optional: absent where its install failed, so no types to import
    require('@tensorflow/tfjs-node');
    if (!(await tf.setBackend('tensorflow'))) throw new Error('setBackend("tensorflow") returned false');
  },
  wasm: async () => {
    await import('@tensorflow/tfjs-backend-wasm');
    if (!(await tf.setBackend('wasm'))) throw new Error('setBackend("wasm") returned false');
    // XNNPACK serves only untransposed matMuls; the stock gradient transposes inside the kernel (see matmul-grad.ts).
    registerTransposedMatMulGrad();
    // wasm cannot train a convolution without these, and its max pooling gradient is wrong (see the files).
    registerWasmConvGradients();
    registerWasmMaxPoolGrad();
  },
  cpu: async () => {
    if (!(await tf.setBackend('cpu'))) throw new Error('setBackend("cpu") returned false');
  },
};

let selected: BackendSelection | undefined;

/**
 * Loads the requested backend (`auto`: tensorflow, then wasm, then cpu) and makes it current. One process uses
 * one backend: a second call with a different explicit choice is an error.
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
      await loaders[backend]();
      await tf.ready();
      // tfjs's average pooling gradient is wrong with same padding on every backend (see pool-grad.ts).
      registerAvgPoolGrad();
      selected = { backend, skipped };
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
