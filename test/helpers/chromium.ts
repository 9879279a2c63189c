// Headless Chromium for the page tests: the DOM of a local page after its scripts ran, offline (no name resolves).
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { pathToFileURL } from 'url';

export const CHROMIUM = '/usr/bin/chromium';
/** Whether Chromium is installed (.ci/run installs it); the page tests are skipped, and say so, without it. */
export const haveChromium = fs.existsSync(CHROMIUM);

/** The DOM of `file` as headless Chromium leaves it once the page's scripts ran (--dump-dom). */
export function dumpDom(file: string): string {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'losslab-chromium-'));
  try {
    const result = spawnSync(
      CHROMIUM,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--host-resolver-rules=MAP * ~NOTFOUND', // no name resolves: the page must not need the network
        `--user-data-dir=${profile}`,
        '--dump-dom',
        pathToFileURL(file).href,
      ],
      { encoding: 'utf8', timeout: 90_000 },
    );
    if (result.error) throw result.error;
    return result.stdout;
  } finally {
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

/** data-marks of each figure.chart, by data-chart: marks with a non-empty box, counted by the page in the browser. */
export function chartMarks(dom: string): Record<string, number> {
  return Object.fromEntries(
    [...dom.matchAll(/<figure class="chart" data-chart="([^"]+)" data-marks="(\d+)">/g)].map((m) => [m[1], Number(m[2])]),
  );
}
