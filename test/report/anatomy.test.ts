// The report's "Loss anatomy" section: present when `losslab anatomy --out <results>/anatomy` wrote its files there,
// absent otherwise; its table goes to tables/anatomy.csv, its plot to plots/anatomy.svg and into report.html.
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { anatomyOf } from '../../src/anatomy/compute';
import { writeAnatomy } from '../../src/anatomy/write';
import { activation } from '../../src/models/activations';
import { writeReport } from '../../src/report';
import { ANATOMY_DIR, ANATOMY_SUMMARY_COLUMNS } from '../../src/results/contract';
import { lossOf } from '../../src/train/run-functions';
import { chartMarks, dumpDom, haveChromium } from '../helpers/chromium';
import { makeTempDir } from '../helpers/tmp';

const GRID = path.join(__dirname, '..', 'fixtures', 'report', 'grid');

let tmp: ReturnType<typeof makeTempDir>;
let results: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  tmp = makeTempDir('report-anatomy');
  results = path.join(tmp.dir, 'grid');
  fs.cpSync(GRID, results, { recursive: true });
  const pairs = [
    { pair: 'sigmoid:mse', output: 'sigmoid', name: 'mse', outputs: 'mean' },
    { pair: 'softmax:cross-entropy', output: 'softmax', name: 'cross-entropy', outputs: 'sum' },
  ] as const;
  const anatomies = pairs.map(({ pair, output, name, outputs }) =>
    anatomyOf(pair, lossOf({ loss: { name, outputs, scale: 1, gradient: 'autodiff', labelSmoothing: 0 } }, {}, activation(output))),
  );
  await writeAnatomy(
    path.join(results, ANATOMY_DIR),
    anatomies.flatMap((a) => a.rows),
    anatomies.map((a) => a.summary),
  );
});
afterAll(() => tmp.cleanup());

test('a results folder without anatomy files has no anatomy section', async () => {
  const out = path.join(tmp.dir, 'plain');
  await writeReport(GRID, { out, formats: ['md', 'csv'] });
  expect(fs.readFileSync(path.join(out, 'report.md'), 'utf8')).not.toContain('Loss anatomy');
  expect(fs.existsSync(path.join(out, 'tables', 'anatomy.csv'))).toBe(false);
});

describe('with the anatomy of two pairs in <results>/anatomy/', () => {
  let out: string;
  beforeAll(async () => {
    out = path.join(tmp.dir, 'report');
    await writeReport(results, { out });
  });

  test('report.md has the section with its table and plot; tables/anatomy.csv is the summary', () => {
    const markdown = fs.readFileSync(path.join(out, 'report.md'), 'utf8');
    expect(markdown).toContain('## Loss anatomy');
    expect(markdown).toMatch(
      /\| sigmoid:mse \| autodiff \| 0\.1089 \| 1\.11e-5 \| 0\.002154 \| 1\.98e-5 \| 0\.02963 \| 7\.3% \| gradient vanishes \(learning slowdown\) \|/,
    );
    expect(markdown).toContain('plots/anatomy.svg');
    const table = fs.readFileSync(path.join(out, 'tables', 'anatomy.csv'), 'utf8').split('\n');
    expect(table[0]).toBe(ANATOMY_SUMMARY_COLUMNS.join(','));
    expect(table.slice(1, 3).map((line) => line.split(',').pop())).toEqual(['vanishes', 'holds']);
    expect(fs.readFileSync(path.join(out, 'plots', 'anatomy.svg'), 'utf8')).toMatch(/^<svg/);
  });

  (haveChromium ? test : test.skip)('report.html draws the anatomy plot beside the other four, in headless Chromium', () => {
    const dom = dumpDom(path.join(out, 'report.html'));
    expect(dom).toMatch(/<body data-charts="5" data-charts-drawn="5">/);
    // 3 panels × 2 pairs.
    expect(chartMarks(dom).anatomy).toBe(6);
  });
});
