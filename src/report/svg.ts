// Renders Vega-Lite specs to SVG strings with vega-lite (compile) and vega (headless View, renderer 'none').
import { Worker } from 'worker_threads';
import { pathToFileURL } from 'url';

/*
 * vega and vega-lite ship only as ES modules with top-level await, which a CommonJS require() cannot load and
 * which Jest's module registry cannot import without --experimental-vm-modules. A worker thread is a plain Node
 * environment, so it imports them natively wherever this module runs (the CLI, the runner, the tests).
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('worker_threads');
(async () => {
  const vega = await import(workerData.vegaUrl);
  const vegaLite = await import(workerData.vegaLiteUrl);
  const svgs = [];
  for (const spec of workerData.specs) {
    const compiled = vegaLite.compile(spec).spec;
    const view = new vega.View(vega.parse(compiled), { renderer: 'none', logLevel: vega.Error });
    svgs.push(await view.toSVG());
    view.finalize();
  }
  parentPort.postMessage({ svgs });
})().catch((error) => parentPort.postMessage({ error: String((error && error.stack) || error) }));
`;

/**
 * Renders each Vega-Lite spec to a standalone SVG document, in order. Rejects with the renderer's message
 * if a spec is invalid.
 */
export async function renderSvgs(specs: readonly Record<string, unknown>[]): Promise<string[]> {
  if (specs.length === 0) return [];
  const workerData = {
    vegaUrl: pathToFileURL(require.resolve('vega')).href,
    vegaLiteUrl: pathToFileURL(require.resolve('vega-lite')).href,
    specs,
  };
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData });
  try {
    const reply = await new Promise<{ svgs?: string[]; error?: string }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`the SVG renderer stopped (exit code ${code}) before replying`)));
    });
    if (reply.error !== undefined) throw new Error(`rendering plots with vega failed: ${reply.error}`);
    return reply.svgs!;
  } finally {
    await worker.terminate();
  }
}

/**
 * Prefixes every id in an SVG (and its url(#…) and href="#…" references) so several SVGs can sit inline in one
 * HTML page: vega numbers its clip paths and gradients from 1 in each SVG, and equal ids would collide.
 */
export function prefixSvgIds(svg: string, prefix: string): string {
  return svg
    .replace(/\bid="([^"]+)"/g, `id="${prefix}-$1"`)
    .replace(/url\(#([^)]+)\)/g, `url(#${prefix}-$1)`)
    .replace(/href="#([^"]+)"/g, `href="#${prefix}-$1"`);
}
