// `losslab report` through the CLI: files written, and bad input mapped to exact messages and exit code 2.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { main } from '../../src/cli/main';
import { SUMMARY_METRIC_COLUMNS } from '../../src/results/contract';
import { captureIo as capture } from '../helpers/cli';
import { REPORT_FORMATS } from '../../src/report/output-formats';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'report');
const CONTRACT = 'a results folder holds experiment.json, manifest.json, summary.csv and runs/<run id>/';

let tmp: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'losslab-report-cli-'));
});
afterEach(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('losslab report', () => {
  test('writes the CSV and LaTeX tables it is asked for, and nothing else', async () => {
    const io = capture();
    const out = path.join(tmp, 'paper');
    const code = await main(['report', path.join(FIXTURES, 'grid'), '--out', out, '--format', 'csv,latex'], io);
    expect(io.stderr()).toBe('');
    expect(code).toBe(0);
    const names = ['runs', 'reference', 'gradients', 'gradient-flow'];
    const files = names.flatMap((n) => [`tables/${n}.csv`, `tables/${n}.tex`]);
    expect(io.stdout()).toBe(`losslab report: wrote 8 files to ${out}\n${files.map((f) => `  ${f}\n`).join('')}`);
    expect(fs.readdirSync(out)).toEqual(['tables']);
    expect(fs.readdirSync(path.join(out, 'tables')).sort()).toEqual(files.map((f) => path.basename(f)).sort());
  });

  test('defaults to Markdown, HTML and CSV under <results-dir>/report', async () => {
    // Copy the fixture so the default output folder lands in the temporary folder.
    const results = path.join(tmp, 'results');
    fs.cpSync(path.join(FIXTURES, 'grid'), results, { recursive: true });
    const io = capture();
    expect(await main(['report', results], io)).toBe(0);
    const report = path.join(results, 'report');
    expect(fs.readdirSync(report).sort()).toEqual(['plots', 'report.html', 'report.md', 'tables']);
    expect(fs.readdirSync(path.join(report, 'plots')).sort()).toEqual([
      'gradient-l2-by-step.svg',
      'gradient-l2-step0-by-layer.svg',
      'test-accuracy.svg',
      'train-loss.svg',
    ]);
    const markdown = fs.readFileSync(path.join(report, 'report.md'), 'utf8');
    expect(markdown).toContain('![Test accuracy by epoch](plots/test-accuracy.svg)');
    expect(markdown).toContain('CSV: [tables/runs.csv](tables/runs.csv)');
    expect(fs.readFileSync(path.join(report, 'plots', 'test-accuracy.svg'), 'utf8')).toMatch(/^<svg[^>]*>/);
  });

  const badInput: [string, () => string[], () => string][] = [
    [
      'a missing summary.csv',
      () => ['report', path.join(FIXTURES, 'no-summary'), '--out', tmp],
      () => `${path.join(FIXTURES, 'no-summary', 'summary.csv')}: file is missing (${CONTRACT})`,
    ],
    [
      'a folder that is not a results folder',
      () => ['report', path.join(FIXTURES, 'not-results'), '--out', tmp],
      () =>
        `${path.join(FIXTURES, 'not-results')}: not a results folder: it has none of experiment.json, manifest.json, ` +
        `summary.csv (${CONTRACT})`,
    ],
    [
      'a folder that does not exist',
      () => ['report', path.join(FIXTURES, 'nowhere'), '--out', tmp],
      () => `${path.join(FIXTURES, 'nowhere')}: no such folder (expected a results folder written by "losslab run")`,
    ],
    [
      'an unknown --format',
      () => ['report', path.join(FIXTURES, 'grid'), '--out', tmp, '--format', 'md,htm'],
      () => `--format: unknown format "htm" — did you mean "html"? Known formats: ${REPORT_FORMATS.join(', ')}.`,
    ],
    [
      'a reference naming a column summary.csv does not have',
      () => ['report', path.join(FIXTURES, 'bad-reference'), '--out', tmp, '--format', 'csv'],
      () =>
        `${path.join(FIXTURES, 'bad-reference', 'experiment.json')}: reference.values[0].metric: unknown summary column ` +
        `"best_test_acuracy" — did you mean "best_test_accuracy"? Known: ${SUMMARY_METRIC_COLUMNS.join(', ')}.`,
    ],
    [
      'a --reference that names no run',
      () => ['report', path.join(FIXTURES, 'three-seeds'), '--out', tmp, '--reference', 'softmax-crossentropy'],
      () =>
        '--reference: unknown run "softmax-crossentropy" — did you mean "softmax-cross-entropy"? ' +
        'Runs: softmax-cross-entropy, sigmoid-mse, sigmoid-mse-skip-derivative.',
    ],
    [
      '--out naming a file',
      () => ['report', path.join(FIXTURES, 'grid'), '--out', path.join(FIXTURES, 'not-results', 'notes.txt')],
      () =>
        `${path.join(FIXTURES, 'not-results', 'notes.txt')}: cannot be the output folder: it is a file, not a folder — choose another with --out.`,
    ],
  ];

  test.each(badInput)('%s exits with 2 and says so', async (_, argv, message) => {
    const io = capture();
    expect(await main(argv(), io)).toBe(2);
    expect(io.stderr()).toBe(`losslab: ${message()}\n`);
    expect(io.stdout()).toBe('');
    expect(fs.readdirSync(tmp)).toEqual([]);
  });
});
