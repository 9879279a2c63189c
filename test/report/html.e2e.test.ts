// End to end: report.html is self-contained, and every chart draws marks when headless Chromium lays it out.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { writeReport } from '../../src/report';
import { CHROMIUM, chartMarks, dumpDom, haveChromium } from '../helpers/chromium';

const GRID = path.join(__dirname, '..', 'fixtures', 'report', 'grid');
if (!haveChromium) {
  console.warn(`report e2e: skipping the headless-browser test: ${CHROMIUM} is absent (apt-get install -y chromium)`);
}

let tmp: string;
let html: string;
let htmlFile: string;
beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'losslab-report-e2e-'));
  const { files } = await writeReport(GRID, { out: tmp, formats: ['html'] });
  expect(files).toEqual([path.join(tmp, 'report.html')]);
  htmlFile = files[0];
  html = fs.readFileSync(htmlFile, 'utf8');
});
afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('report.html', () => {
  test('is one self-contained file: inline style, script and SVG, nothing loaded from elsewhere', () => {
    expect(html).not.toMatch(/<link\b/i);
    expect(html).not.toMatch(/\bsrc\s*=/i);
    expect(html).not.toMatch(/@import/i);
    expect(html).not.toMatch(/url\(\s*['"]?(?!#)/i); // only url(#id) references inside the SVGs
    expect(html).not.toMatch(/href\s*=\s*"(?!#)/i); // only in-page anchors
    expect(html.match(/<svg\b/g)).toHaveLength(4);
    expect(html.match(/<style>/g)).toHaveLength(1);
    // The marks attribute is written by the page's script in the browser, never by the report writer.
    expect(html).not.toMatch(/data-marks="/);
  });

  test('ids are unique across the inline SVGs', () => {
    const ids = [...html.matchAll(/\bid="([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(ids).size).toBe(ids.length);
  });

  (haveChromium ? test : test.skip)('every chart draws non-empty marks in headless Chromium, offline', () => {
    const dom = dumpDom(htmlFile);
    expect(dom).toMatch(/<body data-charts="4" data-charts-drawn="4">/);
    const marks = chartMarks(dom);
    /*
     * Marks with a non-empty box, from the fixture (2 groups, 4 epochs, 3 layers, 6 steps):
     * accuracy and loss: 2 bands + 2 lines + 2 x 4 epoch points = 12;
     * step-0 by layer: 2 lines + 2 x 3 points + 4 min-max whiskers (layer 2 has min = max in both groups) = 12;
     * by step: 2 groups x 3 layers x 2 tensors = 12 lines.
     */
    expect(marks).toEqual({
      'test-accuracy': 12,
      'train-loss': 12,
      'gradient-l2-step0-by-layer': 12,
      'gradient-l2-by-step': 12,
    });
  });
});

describe('report.html of three seeds per run (test/fixtures/report/three-seeds)', () => {
  let threeSeeds: string;
  beforeAll(async () => {
    const { files } = await writeReport(path.join(__dirname, '..', 'fixtures', 'report', 'three-seeds'), {
      out: path.join(tmp, 'three-seeds'),
      formats: ['html'],
    });
    threeSeeds = files[0];
  });

  test('has the differences table and its interval chart', () => {
    const page = fs.readFileSync(threeSeeds, 'utf8');
    expect(page).toContain('<table id="table-differences">');
    expect(page).toContain('<figure class="chart" data-chart="differences">');
  });

  (haveChromium ? test : test.skip)('the interval chart draws its intervals, points and zero lines in headless Chromium', () => {
    const dom = dumpDom(threeSeeds);
    expect(dom).toMatch(/<body data-charts="5" data-charts-drawn="5">/);
    /*
     * Two panels (final and best test accuracy), each with 4 pairs: 4 interval rules + 4 points, and the dashed zero
     * rule drawn once per row of the panel's data (4, all on x = 0): 12 marks a panel.
     */
    expect(dom).toMatch(/<figure class="chart" data-chart="differences" data-marks="24">/);
  });
});
