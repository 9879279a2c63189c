// Finds and loads the optional native addon (native/openblas_matmul.cc), built at install when OpenBLAS is there.
import * as fs from 'fs';
import * as path from 'path';
import { packageInfo } from '../util/package-info';

/** The addon's functions (see native/openblas_matmul.cc for the exact contract). */
export interface OpenBlasAddon {
  /**
   * For each i < batch: C_i = op(A_i)·op(B_i), row-major float32, on `heap` in place. C_i is m×n; op(A_i) m×k;
   * op(B_i) k×n. Offsets in bytes; batch strides in elements (0 repeats one matrix).
   */
  sgemm(
    heap: ArrayBuffer,
    transposeA: boolean,
    transposeB: boolean,
    batch: number,
    m: number,
    n: number,
    k: number,
    aOffset: number,
    aBatchStride: number,
    bOffset: number,
    bBatchStride: number,
    cOffset: number,
  ): void;
  /**
   * out[at..at+2] = [Σv², Σ|v|, max|v|] of the `length` float32 values at byte `offset` of `heap`, in the same
   * order of operations as sumsInto (src/backend/gradient-sums.ts), so the two agree to the bit.
   */
  sums(heap: ArrayBuffer, offset: number, length: number, out: Float32Array, at: number): void;
  /**
   * out = value + c·gradient over `length` float32s at byte offsets of `heap`, the product rounded to float32 before
   * the sum (tfjs's SGD rounding).
   */
  sgdUpdate(heap: ArrayBuffer, outOffset: number, valueOffset: number, gradientOffset: number, length: number, c: number): void;
  /** Sets OpenBLAS's thread count for this process (1 when the addon loads). */
  setNumThreads(threads: number): void;
  numThreads(): number;
  /** OpenBLAS's build line, e.g. "OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY Haswell MAX_THREADS=64". */
  config(): string;
}

/** What to tell a user whose addon is missing. */
export const NATIVE_HINT = 'apt-get install build-essential libopenblas-dev, then npm run build:native';

/** The built addon's path inside the package. */
export function addonPath(): string {
  return path.join(packageInfo().root, 'native', 'build', 'Release', 'losslab_openblas.node');
}

let loaded: OpenBlasAddon | undefined;

/**
 * Loads the addon once per process. Throws an Error whose first line says why it is not available: switched off
 * (LOSSLAB_NATIVE=off), not built, or built but not loadable (e.g. libopenblas removed since).
 */
export function loadOpenBlasAddon(): OpenBlasAddon {
  if (loaded) return loaded;
  if (/^(off|0|false|no)$/i.test(process.env.LOSSLAB_NATIVE ?? '')) throw new Error('switched off by LOSSLAB_NATIVE=off');
  const file = addonPath();
  if (!fs.existsSync(file)) throw new Error(`native addon not built (${NATIVE_HINT})`);
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a .node file found at run time
    loaded = require(file) as OpenBlasAddon;
  } catch (error) {
    throw new Error(`native addon did not load: ${(error as Error).message.split('\n')[0]} (${NATIVE_HINT})`, { cause: error });
  }
  return loaded;
}
