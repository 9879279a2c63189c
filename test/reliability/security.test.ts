// An experiment file is data: YAML tags are inert, alias bombs are bounded, run ids stay inside --out, CSV cells are safe.
import * as fs from 'fs';
import * as path from 'path';
import { loadExperiment } from '../../src/config/experiment';
import { slug } from '../../src/config/run-ids';
import { ConfigError, ExitCode } from '../../src/errors';
import { Files } from '../../src/results/contract';
import { cellText, parseCsv, toCsv } from '../../src/results/csv';
import { runCli } from '../helpers/cli';
import { makeTempDir } from '../helpers/tmp';
import { FIXTURES } from './helpers';

const tmp = makeTempDir('security');
afterAll(tmp.cleanup);

/** A valid one-run experiment whose lines can be swapped for hostile ones. */
const BASE = [
  'name: tags',
  'dataset: {train: 100, test: 30}',
  'defaults: {batchSize: 10, epochs: 1, optimizer: {learningRate: 0.5}}',
  'runs:',
  '  - name: only',
];
const withLine = (index: number, line: string) => BASE.map((l, i) => (i === index ? line : l)).join('\n');

describe('YAML is parsed as data (core schema)', () => {
  test('!!js/function is an unresolved tag: the value stays a plain string, no code runs', () => {
    const experiment = loadExperiment('x.yaml', {}, withLine(4, '  - name: !!js/function "function () { process.exit(9) }"'));
    expect(experiment.runs[0].name).toBe('function () { process.exit(9) }');
    expect(typeof experiment.runs[0].name).toBe('string');
  });

  test('a custom tag on a number leaves a string, which the schema rejects', () => {
    expect(() =>
      loadExperiment('x.yaml', {}, withLine(2, 'defaults: {batchSize: 10, epochs: 1, optimizer: {learningRate: !custom 0.5}}')),
    ).toThrow(new ConfigError('x.yaml:3:72: defaults.optimizer.learningRate: expected a number, received "0.5".'));
  });

  test('!!binary gives bytes, not a name', () => {
    expect(() => loadExperiment('x.yaml', {}, withLine(0, 'name: !!binary aGVsbG8='))).toThrow(
      new ConfigError('x.yaml:1:16: name: expected a string, received a mapping with keys 0, 1, 2, 3, 4.'),
    );
  });

  test('a billion-laughs alias bomb is refused (maxAliasCount) instead of expanding 10^9 nodes', async () => {
    const levels = 'abcdefghi'.split('');
    const lines = levels.map(
      (name, i) =>
        `${name}: &${name} [${Array(10)
          .fill(i === 0 ? 'lol' : `*${levels[i - 1]}`)
          .join(', ')}]`,
    );
    const file = path.join(tmp.dir, 'bomb.yaml');
    fs.writeFileSync(file, `${lines.join('\n')}\n`);
    const result = await runCli(['validate', file]);
    expect(result.err).toBe(`losslab: ${file}: malformed YAML: Excessive alias count indicates a resource exhaustion attack\n`);
    expect(result.code).toBe(ExitCode.badInput);
  });
});

describe('run ids stay inside the output folder', () => {
  test.each([
    ['../../etc/x', 'etc-x'],
    ['/abs/path', 'abs-path'],
    ['a\u0000b', 'a-b'],
    ['..', 'run'],
    ['.hidden', 'hidden'],
    ['-2+3', '2-3'],
    ['C:\\Windows\\x', 'C-Windows-x'],
  ])('slug(%j) = %j', (name, expected) => {
    expect(slug(name)).toBe(expected);
    const out = path.resolve(tmp.dir, 'out');
    expect(path.resolve(out, Files.runsDir, slug(name)).startsWith(`${out}${path.sep}`)).toBe(true);
  });

  test('a run of hostile names writes only inside --out, and summary.csv defuses formulas and quotes the rest', async () => {
    const out = path.join(tmp.dir, 'hostile');
    const result = await runCli(['run', path.join(FIXTURES, 'hostile-names.yaml'), '--out', out, '--backend', 'cpu']);
    expect(result.code).toBe(ExitCode.ok);
    expect(fs.readdirSync(path.join(out, Files.runsDir)).sort()).toEqual(
      ['2-3-s1', 'SUM-A1-s1', 'a-b-c-s1', 'a-b-s1', 'abs-path-s1', 'cmd-s1', 'etc-x-s1'].sort(),
    );
    const text = fs.readFileSync(path.join(out, Files.summary), 'utf8');
    const rows = parseCsv(text).rows;
    expect(rows.map((r) => r.name)).toEqual(['../../etc/x', '/abs/path', 'a\u0000b', "'=cmd()", "'-2+3", "'@SUM(A1)", 'a,"b"\nc']);
    expect(text).toContain('\na-b-c-s1,"a,""b""\nc",1,');
    // Numbers stay numbers: the epoch-0 losses are plain decimals, not apostrophe-prefixed.
    expect(rows.every((r) => Number.isFinite(Number(r.final_test_loss)))).toBe(true);
  });
});

describe('CSV cells', () => {
  test.each([
    ['=cmd()', "'=cmd()"],
    ['+1+2', "'+1+2"],
    ['-cmd', "'-cmd"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tx', "'\tx"],
    ['-0.5', '-0.5'],
    ['+3', '+3'],
    ['-1e-3', '-1e-3'],
    ['-Infinity', '-Infinity'],
    [-0.25, '-0.25'],
    [1e-7, '1e-7'],
    ['plain', 'plain'],
  ])('cellText(%j) = %j', (value, expected) => {
    expect(cellText(value)).toBe(expected);
  });

  test('commas, quotes, newlines and NUL are quoted and parse back unchanged', () => {
    const values = ['a,b', 'say "hi"', 'two\nlines', 'crlf\r\nend', 'nul\u0000here', '', 'x'];
    const text = toCsv(
      ['value', 'n'],
      values.map((value, n) => ({ value, n })),
    );
    expect(text.split('\n')[1]).toBe('"a,b",0');
    expect(parseCsv(text).rows).toEqual(values.map((value, n) => ({ value, n: String(n) })));
  });
});
