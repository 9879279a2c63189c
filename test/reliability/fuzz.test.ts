// Seeded random damage to valid experiment files and results folders, run through the CLI's main(): every case must
// exit 0 or 2 — never an internal error, a crash, a hang, or a write outside the folders the command was given.
// main() runs in a worker thread (fuzz-worker.js) so that a blocked read fails the case instead of freezing the test.
import { execFileSync } from 'child_process';
import fc from 'fast-check';
import * as fs from 'fs';
import * as path from 'path';
import { Worker } from 'worker_threads';
import YAML from 'yaml';
import { parse as parseCsvRecords } from 'csv-parse/sync';
import { loadExperiment } from '../../src/config/experiment';
import { IMAGE_SHAPE, NUM_CLASSES } from '../../src/data/dataset';
import { activationValues, modelLayerSizes } from '../../src/models/size';
import { Files } from '../../src/results/contract';
import { makeTempDir } from '../helpers/tmp';

/** The seed of every property here: a failure is reproduced by running the file again. */
const SEED = 13;
/** A command taking longer than this is taken for a hang (the slowest real case, a resumed run, takes about a second). */
const HANG_MS = 30000;

const tmp = makeTempDir('fuzz');
const sandbox = tmp.dir;
const FIXTURES = path.join(__dirname, '..', 'fixtures');
const TINY = path.join(FIXTURES, 'reliability', 'tiny.yaml');
/** A layer stack with the same run names and seed as TINY, so the same files are damaged in either folder. */
const TINY_CNN = path.join(FIXTURES, 'reliability', 'tiny-cnn.yaml');

interface Result {
  code: number | 'threw';
  out: string;
  err: string;
}

/** The worker running main(); replaced if a case hangs (it is terminated) so the report names that case. */
class Cli {
  private worker = this.start();
  private next = 0;

  private start(): Worker {
    return new Worker(path.join(__dirname, 'fuzz-worker.js'));
  }

  run(argv: string[]): Promise<Result> {
    const id = this.next++;
    return new Promise<Result>((resolve, reject) => {
      const timer = setTimeout(() => {
        cleanup();
        void this.worker.terminate();
        this.worker = this.start();
        reject(new Error(`hang: losslab ${argv.join(' ')} did not finish in ${HANG_MS} ms`));
      }, HANG_MS);
      const onMessage = (message: Result & { id: number }) => {
        if (message.id !== id) return;
        cleanup();
        resolve(message);
      };
      const onError = (error: Error) => {
        cleanup();
        this.worker = this.start();
        reject(new Error(`crash: losslab ${argv.join(' ')}: ${error.stack ?? String(error)}`));
      };
      const cleanup = () => {
        clearTimeout(timer);
        this.worker.off('message', onMessage);
        this.worker.off('error', onError);
      };
      this.worker.on('message', onMessage);
      this.worker.on('error', onError);
      this.worker.postMessage({ id, argv });
    });
  }

  close(): Promise<number> {
    return this.worker.terminate();
  }
}

const cli = new Cli();
/** "command code" of every case, to show the mutations reach both sides: accepted inputs and refused ones. */
const outcomes: string[] = [];
const count = (outcome: string) => outcomes.filter((o) => o === outcome).length;
afterAll(async () => {
  await cli.close();
  tmp.cleanup();
});

/**
 * Exit 0 or 2 (compare may also find a regression, its exit 1, in a damaged folder), and nothing that reads like a
 * losslab bug or a stack trace.
 */
function expectHandled(result: Result, argv: string[]): void {
  outcomes.push(`${argv[0]} ${String(result.code)}`);
  const where = `losslab ${argv.join(' ')}\n${result.err}${result.out.slice(0, 2000)}`;
  const allowed = argv[0] === 'compare' ? [0, 1, 2] : [0, 2];
  expect([where, allowed.includes(result.code as number)]).toEqual([where, true]);
  expect([where, /internal error|\n\s+at .*:\d+:\d+\)?\n/.test(result.err)]).toEqual([where, false]);
}

/** Every path under `dir` (but `skip`) with its kind and size: what a command must leave as it was. */
function listing(dir: string, skip: readonly string[]): Record<string, string> {
  const found: Record<string, string> = {};
  const visit = (folder: string) => {
    for (const entry of fs.readdirSync(folder, { withFileTypes: true })) {
      const full = path.join(folder, entry.name);
      if (skip.some((skipped) => full === skipped || full.startsWith(`${skipped}${path.sep}`))) continue;
      const stat = fs.lstatSync(full);
      found[path.relative(dir, full)] = entry.isDirectory()
        ? 'dir'
        : `${stat.isSymbolicLink() ? 'link' : 'file'} ${stat.size} ${stat.mtimeMs}`;
      if (entry.isDirectory()) visit(full);
    }
  };
  visit(dir);
  return found;
}

/** Strings that have broken parsers before: structure characters, escapes, huge numbers, paths out, control characters. */
const HOSTILE = [
  '',
  '\0',
  '{',
  '}',
  '[',
  ']',
  ':',
  '- ',
  '"',
  "'",
  ',',
  '&a',
  '*a',
  '!!binary aGk=',
  '!!js/function "x"',
  '\uFEFF',
  '\u202E',
  '\u2028',
  '😀',
  '1e400',
  '-1',
  '0',
  '1.5',
  'NaN',
  '.inf',
  '~',
  'null',
  'true',
  '../../escape',
  '/proc/self',
  '..',
  'x'.repeat(300),
  '\t',
  '\r\n',
  '\n',
  '#',
  '<<: *a',
  '%YAML 1.1\n---',
  '---',
  '\\',
  '\u001b[2J',
  '1000000000',
  '[60000, 60000]',
];
const hostileString = fc.constantFrom(...HOSTILE);
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  hostileString,
  fc.integer({ min: -1e12, max: 1e12 }),
  fc.constantFrom(0, 1, -1, 1e9, 60000, 2 ** 53, 0.5, -0.5),
  fc.boolean(),
  fc.constant(null),
  fc.constant([]),
  fc.constant({}),
  fc.array(fc.oneof(fc.integer({ min: -5, max: 100000 }), hostileString), { maxLength: 4 }),
  fc.dictionary(hostileString, fc.oneof(fc.integer(), hostileString), { maxKeys: 3 }),
);

/** A text edit: delete, insert, replace a line, duplicate a line, or cut the text off. */
const textEdit = fc.record({
  kind: fc.constantFrom('delete', 'insert', 'line', 'duplicate', 'truncate'),
  at: fc.nat(),
  length: fc.nat({ max: 40 }),
  text: hostileString,
});
function applyTextEdit(text: string, edit: { kind: string; at: number; length: number; text: string }): string {
  const at = text.length === 0 ? 0 : edit.at % text.length;
  const lines = text.split('\n');
  const line = lines.length === 0 ? 0 : edit.at % lines.length;
  switch (edit.kind) {
    case 'delete':
      return text.slice(0, at) + text.slice(at + edit.length);
    case 'insert':
      return text.slice(0, at) + edit.text + text.slice(at);
    case 'line':
      lines[line] = edit.text;
      return lines.join('\n');
    case 'duplicate':
      lines.splice(line, 0, lines[line]);
      return lines.join('\n');
    default:
      return text.slice(0, at);
  }
}

/** Every key path of a JSON-like value (maps and lists), to pick one to change. */
function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(value)) return [prefix, ...value.flatMap((item, index) => paths(item, [...prefix, index]))];
  if (value !== null && typeof value === 'object') {
    return [prefix, ...Object.entries(value as Record<string, unknown>).flatMap(([key, item]) => paths(item, [...prefix, key]))];
  }
  return [prefix];
}

/** A structural edit: at one key path, set a hostile value, delete the key, or rename it. */
const structuralEdit = fc.record({
  pick: fc.nat(),
  kind: fc.constantFrom('set', 'delete', 'rename'),
  value: hostileValue,
  name: hostileString,
});
function applyStructuralEdit(data: unknown, edit: { pick: number; kind: string; value: unknown; name: string }): unknown {
  const all = paths(data).filter((p) => p.length > 0);
  if (all.length === 0) return edit.value;
  const target = all[edit.pick % all.length];
  const parent = target.slice(0, -1).reduce<unknown>((node, key) => (node as Record<string | number, unknown>)[key], data) as Record<
    string | number,
    unknown
  >;
  const key = target[target.length - 1];
  if (edit.kind === 'set') parent[key] = edit.value;
  else if (Array.isArray(parent)) parent.splice(Number(key), 1);
  else if (edit.kind === 'delete') delete parent[key];
  else {
    parent[edit.name] = parent[key];
    delete parent[key];
  }
  return data;
}

describe('experiment files', () => {
  const bases = [
    ...fs
      .readdirSync(path.join(FIXTURES, 'config'))
      .filter((name) => name.startsWith('good_'))
      .map((name) => path.join(FIXTURES, 'config', name)),
    TINY,
    path.join(FIXTURES, 'reliability', 'hostile-names.yaml'),
    // Layer stacks (good_layers.yaml above is one too): every layer type, mutated key by key.
    TINY_CNN,
    path.join(__dirname, '..', '..', 'experiments', 'smoke-cnn.yaml'),
  ].map((file) => fs.readFileSync(file, 'utf8'));
  let counter = 0;

  /**
   * Cheap enough to also `run --epochs 0`: a few small runs on a small dataset, each model small by the estimate that
   * validation uses (models/size.ts: at most 64 MiB to train, at most 20,000 activation values per example).
   */
  const cheap = (file: string) => {
    try {
      const experiment = loadExperiment(file);
      const { train, validation, test } = experiment.dataset;
      const small = experiment.runs.every((run) => {
        const context = { batchSize: run.config.batchSize, optimizerSlots: 2 };
        const layers = modelLayerSizes(run.config.model, IMAGE_SHAPE, NUM_CLASSES, context);
        return (
          layers !== undefined &&
          layers.length <= 10 &&
          layers.reduce((sum, layer) => sum + layer.bytes, 0) <= 64 * 1024 ** 2 &&
          activationValues(layers, IMAGE_SHAPE) <= 20000
        );
      });
      return experiment.runs.length <= 4 && train + validation + test <= 3000 && small;
    } catch {
      return false;
    }
  };

  test('seeded text and structure edits: validate (and a cheap run) exit 0 or 2, writing only inside --out', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: bases.length - 1 }),
        fc.oneof(
          fc.array(textEdit, { minLength: 1, maxLength: 3 }).map((edits) => ({ text: edits })),
          fc.record({ structure: fc.array(structuralEdit, { minLength: 1, maxLength: 3 }), json: fc.boolean() }),
        ),
        async (baseIndex, mutation) => {
          const dir = path.join(sandbox, 'experiments', String(++counter));
          fs.mkdirSync(dir, { recursive: true });
          let text = bases[baseIndex];
          let extension = 'yaml';
          if ('text' in mutation) {
            for (const edit of mutation.text) text = applyTextEdit(text, edit);
          } else {
            let data: unknown = YAML.parse(text);
            for (const edit of mutation.structure) data = applyStructuralEdit(data, edit);
            text = mutation.json ? JSON.stringify(data, null, 2) : YAML.stringify(data);
            extension = mutation.json ? 'json' : 'yaml';
          }
          const file = path.join(dir, `experiment.${extension}`);
          fs.writeFileSync(file, text);
          const validate = ['validate', file];
          expectHandled(await cli.run(validate), validate);
          if (cheap(file)) {
            const out = path.join(dir, 'out');
            const before = listing(sandbox, [out]);
            const run = ['run', file, '--out', out, '--epochs', '0', '--backend', 'cpu'];
            expectHandled(await cli.run(run), run);
            expect(listing(sandbox, [out])).toEqual(before);
          }
          fs.rmSync(dir, { recursive: true, force: true });
        },
      ),
      { seed: SEED, numRuns: 200, endOnFailure: true },
    );
    expect([count('validate 0'), count('validate 2')].every((n) => n >= 20)).toBe(true);
  });
});

describe('results folders', () => {
  const base = path.join(sandbox, 'base');
  const cnnBase = path.join(sandbox, 'cnn-base');
  const outside = path.join(sandbox, 'outside');
  let counter = 0;

  beforeAll(async () => {
    fs.mkdirSync(outside, { recursive: true });
    fs.writeFileSync(path.join(outside, 'secret.txt'), 'not results\n');
    for (const [experiment, out] of [
      [TINY, base],
      [TINY_CNN, cnnBase],
    ]) {
      const result = await cli.run(['run', experiment, '--out', out, '--backend', 'cpu']);
      expect(result.err).toBe('');
      expect(result.code).toBe(0);
    }
  });

  const FILES = [
    Files.experiment,
    Files.manifest,
    Files.summary,
    path.join(Files.runsDir, 'ce-s3', Files.metrics),
    path.join(Files.runsDir, 'ce-s3', Files.gradients),
    path.join(Files.runsDir, 'mse-s3', Files.checkpoint, 'checkpoint.bin'),
    path.join(Files.runsDir, 'ce-s3'),
    Files.runsDir,
  ];

  const damage = fc.record({
    file: fc.nat({ max: FILES.length - 1 }),
    kind: fc.constantFrom('text', 'structure', 'cell', 'bytes', 'folder', 'fifo', 'link-out', 'link-device', 'remove', 'empty'),
    text: textEdit,
    structure: structuralEdit,
    cell: fc.record({ row: fc.nat(), column: fc.nat(), value: hostileString, quote: fc.boolean() }),
    bytes: fc.array(fc.record({ at: fc.nat(), byte: fc.nat({ max: 255 }) }), { minLength: 1, maxLength: 4 }),
    // One case in four leaves a run interrupted, so --resume continues it from its checkpoint (and trains: ~1 s).
    interrupt: fc.nat({ max: 3 }).map((n) => n === 0),
    // Every other case damages the layer stack's folder (gradients.csv with conv2d rows, a conv checkpoint).
    cnn: fc.boolean(),
  });

  type Damage = typeof damage extends fc.Arbitrary<infer T> ? T : never;

  /** Applies one damage to `file` in the copied folder. */
  function applyDamage(file: string, d: Damage): void {
    const isFolder = fs.lstatSync(file).isDirectory();
    const replace = () => fs.rmSync(file, { recursive: true, force: true });
    switch (d.kind) {
      case 'folder':
        replace();
        fs.mkdirSync(file);
        return;
      case 'fifo':
        replace();
        execFileSync('mkfifo', [file]);
        return;
      case 'link-out':
        replace();
        fs.symlinkSync(isFolder ? outside : path.join(outside, 'secret.txt'), file);
        return;
      case 'link-device':
        replace();
        fs.symlinkSync('/dev/zero', file);
        return;
      case 'remove':
        replace();
        return;
      case 'empty':
        replace();
        fs.writeFileSync(file, '');
        return;
    }
    if (isFolder) return;
    const bytes = fs.readFileSync(file);
    if (d.kind === 'bytes' || file.endsWith('.bin')) {
      for (const { at, byte } of d.bytes) if (bytes.length > 0) bytes[at % bytes.length] = byte;
      fs.writeFileSync(file, bytes);
      return;
    }
    const text = bytes.toString('utf8');
    if (d.kind === 'structure' && file.endsWith('.json')) {
      fs.writeFileSync(file, JSON.stringify(applyStructuralEdit(JSON.parse(text), d.structure), null, 2));
    } else if (d.kind === 'cell' && file.endsWith('.csv')) {
      const records = parseCsvRecords(text);
      const row = records[d.cell.row % records.length];
      row[d.cell.column % row.length] = d.cell.value;
      const cell = (value: string) => (d.cell.quote ? `"${value.replace(/"/g, '""')}"` : value);
      fs.writeFileSync(file, `${records.map((r) => r.map(cell).join(',')).join('\n')}\n`);
    } else {
      fs.writeFileSync(file, applyTextEdit(text, d.text));
    }
  }

  test('seeded damage: report, compare, merge and run --resume exit 0 or 2, writing only inside their folders', async () => {
    await fc.assert(
      fc.asyncProperty(damage, async (d) => {
        const caseDir = path.join(sandbox, 'cases', String(++counter));
        const results = path.join(caseDir, 'results');
        fs.mkdirSync(caseDir, { recursive: true });
        const [from, experiment] = d.cnn ? [cnnBase, TINY_CNN] : [base, TINY];
        fs.cpSync(from, results, { recursive: true });
        if (d.interrupt) {
          // A run left interrupted, so --resume continues it from its checkpoint.
          const manifest = path.join(results, Files.manifest);
          fs.writeFileSync(manifest, fs.readFileSync(manifest, 'utf8').replace('"complete"', '"interrupted"'));
        }
        applyDamage(path.join(results, FILES[d.file]), d);
        const report = path.join(caseDir, 'report');
        const merged = path.join(caseDir, 'merged');
        const commands = [
          { argv: ['report', results, '--out', report, '--format', 'csv'], writes: [report] },
          { argv: ['compare', results, from], writes: [] },
          { argv: ['merge', results, '--out', merged], writes: [merged] },
          { argv: ['run', experiment, '--out', results, '--resume', '--backend', 'cpu'], writes: [results] },
        ];
        for (const { argv, writes } of commands) {
          const before = listing(sandbox, [results, ...writes]);
          expectHandled(await cli.run(argv), argv);
          expect(listing(sandbox, [results, ...writes])).toEqual(before);
        }
        // Each case's folders go once checked: every listing walks the whole sandbox.
        fs.rmSync(caseDir, { recursive: true, force: true });
      }),
      { seed: SEED, numRuns: 50, endOnFailure: true },
    );
    for (const command of ['report', 'merge', 'run'])
      expect([command, count(`${command} 0`) >= 3, count(`${command} 2`) >= 10]).toEqual([command, true, true]);
  });
});
