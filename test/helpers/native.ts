// The optional OpenBLAS addon for tests: loaded when built; missing, its tests skip — unless CI requires it.
import { loadOpenBlasAddon, type OpenBlasAddon } from '../../src/backend/openblas-addon';

/**
 * The addon, or undefined (its tests are skipped) when it is not built here. With LOSSLAB_REQUIRE_NATIVE=1 (set by
 * .ci/run once it has installed OpenBLAS) a missing addon is an error instead, so CI cannot skip the native path.
 */
export function nativeAddonOrSkip(): OpenBlasAddon | undefined {
  try {
    return loadOpenBlasAddon();
  } catch (error) {
    if (process.env.LOSSLAB_REQUIRE_NATIVE === '1')
      throw new Error(`LOSSLAB_REQUIRE_NATIVE=1 but ${(error as Error).message}`, { cause: error });
    return undefined;
  }
}
