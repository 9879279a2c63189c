// `losslab anatomy` from the command line: pairs parsed and validated like experiment-file runs (messages naming the
// pair), the four files written with the contract's columns, the printed summary; and the page in headless Chromium.
import * as fs from 'fs';
import * as path from 'path';
import { SWEEP } from '../../src/anatomy/compute';
import { parsePair } from '../../src/anatomy/pairs';
import { ConfigError } from '../../src/errors';
import { ANATOMY_COLUMNS, ANATOMY_SUMMARY_COLUMNS, AnatomyFiles } from '../../src/results/contract';
import { parseCsv } from '../../src/results/csv';
import { runCli } from '../helpers/cli';
import { chartMarks, dumpDom, haveChromium } from '../helpers/chromium';
import { runCliInChild } from '../helpers/cli-process';
import { makeTempDir } from '../helpers/tmp';

const FIXTURES = path.relative(process.cwd(), path.join(__dirname, '..', 'fixtures', 'modules'));

let tmp: ReturnType<typeof makeTempDir>;
beforeAll(() => {
  tmp = makeTempDir('anatomy');
});
afterAll(() => tmp.cleanup());

describe('parsePair', () => {
  test.each([
    ['sigmoid:mse', { output: 'sigmoid', loss: 'mse', block: {} }],
    [
      'softmax:./losses/focal.mjs@{options: {gamma: 2}}',
      { output: 'softmax', loss: './losses/focal.mjs', block: { options: { gamma: 2 } } },
    ],
    ['./a/sparsemax.mjs:./a/sparsemax-loss.mjs', { output: './a/sparsemax.mjs', loss: './a/sparsemax-loss.mjs', block: {} }],
    ['sigmoid:mse@{outputs: sum, scale: 0.5}', { output: 'sigmoid', loss: 'mse', block: { outputs: 'sum', scale: 0.5 } }],
  ])('%s', (text, expected) => {
    expect(parsePair(text)).toEqual({ text, ...expected });
  });

  test.each([
    [
      'softmx:mse',
      'pair "softmx:mse": unknown output activation "softmx" — did you mean "softmax"? Known: sigmoid, tanh, linear, softmax, or a module path.',
    ],
    ['mse', 'pair "mse": expected OUTPUT:LOSS.'],
    ['sigmoid:mse@{outputs: [', 'pair "sigmoid:mse@{outputs: [": the loss block after "@" is not a YAML mapping: '],
  ])('%s is refused', (text, start) => {
    expect(() => parsePair(text)).toThrow(ConfigError);
    expect(() => parsePair(text)).toThrow(start);
  });
});

test.each([
  [
    'softmax:cross-entropi',
    'pair "softmax:cross-entropi": loss.name: unknown loss "cross-entropi" — did you mean "cross-entropy"? Known: cross-entropy, binary-cross-entropy, mse, mae, hinge, squared-hinge.',
  ],
  [
    'sigmoid:cross-entropy',
    'pair "sigmoid:cross-entropy": loss.name: loss "cross-entropy" does not fit outputActivation "sigmoid": use outputActivation: softmax, or binary-cross-entropy for sigmoid outputs.',
  ],
  [
    `softmax:./${FIXTURES}/options.cjs@{options: {gama: 1}}`,
    `pair "softmax:./${FIXTURES}/options.cjs@{options: {gama: 1}}": loss.options.gama: unknown option "gama" — did you mean "gamma"? Loss module "./${FIXTURES}/options.cjs" takes gamma (number ≥ 0, default 2), mode (string one of mean, max, default "mean").`,
  ],
  [
    `softmax:./${FIXTURES}/double-gradz.cjs`,
    `pair "softmax:./${FIXTURES}/double-gradz.cjs": loss.module: loss module "./${FIXTURES}/double-gradz.cjs" with outputActivation "softmax": closed form gradZ() against autodiff ∂L/∂z on the ordinary probe (4×10 logits in [−3, 3]): max |closed form − autodiff| = 0.9988 > 1e-5 × max |autodiff| = 9.988e-6 (the closed form is 2× autodiff everywhere).`,
  ],
])('%s: checked like a run of an experiment file, the message naming the pair; exit 2, nothing written', async (pair, message) => {
  const out = path.join(tmp.dir, 'never');
  const result = await runCli(['anatomy', 'sigmoid:mse', pair, '--out', out, '--backend', 'cpu']);
  expect(result).toEqual({ code: 2, out: '', err: `losslab: ${message}\n` });
  expect(fs.existsSync(out)).toBe(false);
});

describe('a run with built-ins and a module (an ES module, so in a child process)', () => {
  let out: string;
  let result: { code: number; out: string; err: string };
  beforeAll(() => {
    out = path.join(tmp.dir, 'anatomy');
    [result] = runCliInChild([
      [
        'anatomy',
        'sigmoid:mse',
        'softmax:cross-entropy',
        'softmax:./experiments/losses/focal.mjs@{options: {gamma: 2}}',
        '--out',
        out,
        '--backend',
        'cpu',
      ],
    ]);
  });

  test('exit 0; prints the summary with its verdicts and what it wrote', () => {
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    const lines = result.out.split('\n');
    expect(lines[0]).toMatch(
      /^losslab: loss experiments\/losses\/focal\.mjs \(sha256 [0-9a-f]{12}…\): loaded and checked \(a module is code that runs with your rights\)$/,
    );
    expect(lines[1]).toMatch(
      /^output:loss\s+gradient\s+loss, p=0\.01\s+loss, p=0\.99\s+max\|∂L\/∂z\|, p=0\.01\s+max\|∂L\/∂z\|, p=0\.99\s+peak\s+wrong\/peak\s+when confidently wrong$/,
    );
    expect(lines[3]).toMatch(
      /^sigmoid:mse\s+autodiff\s+0\.1089\s+1\.11e-5\s+0\.002154\s+1\.98e-5\s+0\.02963\s+7\.3%\s+gradient vanishes \(learning slowdown\)$/,
    );
    expect(lines[4]).toMatch(/^softmax:cross-entropy\s+autodiff\s+4\.605\s+0\.01005\s+0\.99\s+0\.01\s+0\.999\s+99%\s+gradient holds$/);
    expect(lines[5]).toMatch(
      /^softmax:\.\/experiments\/losses\/focal\.mjs@\{options: \{gamma: 2\}\}\s+autodiff\s+4\.514\s+1\.01e-6\s+1\.061\s+2\.99e-6\s+1\.129\s+94%\s+gradient holds$/,
    );
    expect(lines[lines.length - 2]).toBe(`losslab anatomy: wrote anatomy.csv, anatomy-summary.csv, anatomy.svg, anatomy.html to ${out}`);
  });

  test('anatomy.csv and anatomy-summary.csv have the contract columns: every pair × sweep × p, one summary row per pair', () => {
    const rows = parseCsv(fs.readFileSync(path.join(out, AnatomyFiles.rows), 'utf8'));
    expect(rows.columns).toEqual([...ANATOMY_COLUMNS]);
    expect(rows.rows).toHaveLength(3 * 2 * SWEEP.length);
    expect(rows.rows[0]).toMatchObject({
      pair: 'sigmoid:mse',
      output: 'sigmoid',
      loss: 'mse',
      gradient: 'autodiff',
      sweep: 'true',
      p: '0.001',
    });
    const summary = parseCsv(fs.readFileSync(path.join(out, AnatomyFiles.summary), 'utf8'));
    expect(summary.columns).toEqual([...ANATOMY_SUMMARY_COLUMNS]);
    expect(summary.rows.map((r) => [r.pair, r.loss, r.verdict])).toEqual([
      ['sigmoid:mse', 'mse', 'vanishes'],
      ['softmax:cross-entropy', 'cross-entropy', 'holds'],
      ['softmax:./experiments/losses/focal.mjs@{options: {gamma: 2}}', './experiments/losses/focal.mjs', 'holds'],
    ]);
  });

  (haveChromium ? test : test.skip)(
    'anatomy.html draws one line per pair in each of the three panels, in headless Chromium, offline',
    () => {
      const html = fs.readFileSync(path.join(out, AnatomyFiles.page), 'utf8');
      expect(html).not.toMatch(/<link\b|\bsrc\s*=|@import/i);
      const dom = dumpDom(path.join(out, AnatomyFiles.page));
      expect(dom).toMatch(/<body data-charts="1" data-charts-drawn="1">/);
      // 3 panels × 3 pairs = 9 line marks with a non-empty box.
      expect(chartMarks(dom)).toEqual({ anatomy: 9 });
    },
  );
});
