// The one results-folder validator: each class of damage to a real results folder gets its exact message, and report,
// compare, merge and --resume all refuse the same folder (exit 2) with that message, changing nothing.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { ResultsError } from '../../src/errors';
import { Files, REQUIRED_SUMMARY_COLUMNS, RUN_ID_PATTERN, isSafeRunId } from '../../src/results/contract';
import { readResultsFolder } from '../../src/results/results-folder';
import { parseCsv, toCsv } from '../../src/results/csv';
import { slug } from '../../src/config/run-ids';
import { runCli } from '../helpers/cli';
import { makeTempDir } from '../helpers/tmp';

const tmp = makeTempDir('results-folder');
afterAll(tmp.cleanup);
const EXPERIMENT = path.join(__dirname, '..', 'fixtures', 'reliability', 'tiny.yaml');
const RUN = ['--backend', 'cpu'];
const base = path.join(tmp.dir, 'base');

beforeAll(async () => {
  const result = await runCli(['run', EXPERIMENT, '--out', base, ...RUN]);
  expect(result.code).toBe(0);
}, 120000);

let counter = 0;
/** A copy of the valid folder, changed by `mutate`. */
function damaged(mutate: (dir: string) => void): string {
  const dir = path.join(tmp.dir, `case-${++counter}`);
  fs.cpSync(base, dir, { recursive: true });
  mutate(dir);
  return dir;
}
const editJson = (file: string, edit: (json: Record<string, unknown>) => void) => {
  const json = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  edit(json);
  fs.writeFileSync(file, JSON.stringify(json, null, 2));
};
const editText = (file: string, edit: (text: string) => string) => fs.writeFileSync(file, edit(fs.readFileSync(file, 'utf8')));
const manifestOf = (dir: string) => path.join(dir, Files.manifest);
const experimentOf = (dir: string) => path.join(dir, Files.experiment);
const summaryOf = (dir: string) => path.join(dir, Files.summary);
const SAFE_ID = 'a run id of letters, digits, ".", "_" and "-" (no "/" or "..")';

/** [what is damaged, how, the validator's message for the damaged folder `dir`]. */
const CASES: [string, (dir: string) => void, (dir: string) => string][] = [
  [
    'a manifest run entry that is null',
    (dir) => editJson(manifestOf(dir), (m) => ((m.runs as Record<string, unknown>)['ce-s3'] = null)),
    (dir) => `${manifestOf(dir)}: runs["ce-s3"]: expected a mapping, received null.`,
  ],
  [
    'manifest runs that are a list',
    (dir) => editJson(manifestOf(dir), (m) => (m.runs = [])),
    (dir) => `${manifestOf(dir)}: runs: expected a mapping, received a list of 0 items.`,
  ],
  [
    'a manifest without its experiment hash',
    (dir) => editJson(manifestOf(dir), (m) => delete m.experimentHash),
    (dir) => `${manifestOf(dir)}: experimentHash: expected a string, received nothing (the key is missing).`,
  ],
  [
    'a manifest run status that is not a status',
    (dir) => editJson(manifestOf(dir), (m) => ((m.runs as Record<string, Record<string, unknown>>)['ce-s3'].status = 'done')),
    (dir) =>
      `${manifestOf(dir)}: runs["ce-s3"].status: unknown value "done". Known: pending, running, complete, diverged, interrupted, failed.`,
  ],
  [
    'a manifest run id that leaves the folder',
    (dir) =>
      editJson(manifestOf(dir), (m) => {
        const runs = m.runs as Record<string, unknown>;
        runs['../../escape'] = runs['ce-s3'];
      }),
    (dir) => `${manifestOf(dir)}: runs["../../escape"]: expected ${SAFE_ID}, received "../../escape".`,
  ],
  [
    'an experiment.json run id that leaves the folder',
    (dir) => editJson(experimentOf(dir), (e) => ((e.runs as Record<string, unknown>[])[0].id = '../../escape')),
    (dir) => `${experimentOf(dir)}: runs[0].id: expected ${SAFE_ID}, received "../../escape".`,
  ],
  [
    'an experiment.json run listed twice',
    (dir) => editJson(experimentOf(dir), (e) => ((e.runs as Record<string, unknown>[])[1].id = 'ce-s3')),
    (dir) => `${experimentOf(dir)}: runs[1].id: run id "ce-s3" is also runs[0].id`,
  ],
  [
    'an experiment.json that is a folder',
    (dir) => {
      fs.rmSync(experimentOf(dir));
      fs.mkdirSync(experimentOf(dir));
    },
    (dir) => `${experimentOf(dir)}: cannot read the results file: it is a folder, not a file.`,
  ],
  [
    'a truncated experiment.json',
    (dir) => editText(experimentOf(dir), (text) => text.slice(0, 20)),
    (dir) => `${experimentOf(dir)}:2:19: malformed JSON: Unterminated string`,
  ],
  [
    'an experiment.json saved as UTF-16',
    (dir) => fs.writeFileSync(experimentOf(dir), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(fs.readFileSync(experimentOf(dir), 'utf8'), 'utf16le')])),
    (dir) => `${experimentOf(dir)}: the results file is UTF-16 text (little-endian); losslab reads UTF-8 — save it as UTF-8.`,
  ],
  [
    'an experiment.json reference naming no summary column',
    (dir) => editJson(experimentOf(dir), (e) => (e.reference = { source: 'x', values: [{ run: 'ce', metric: 'best_test_acuracy', value: 0.9 }] })),
    (dir) =>
      `${experimentOf(dir)}: reference.values[0].metric: unknown summary column "best_test_acuracy" — did you mean "best_test_accuracy"? Known: final_train_loss, final_test_loss, final_test_accuracy, best_test_accuracy, best_epoch, wall_s, final_validation_accuracy, diverged_step, steps.`,
  ],
  [
    'manifest.json and experiment.json of different experiments',
    (dir) => editJson(manifestOf(dir), (m) => (m.experimentHash = '0000')),
    (dir) => `${dir}: manifest.json has experiment hash "0000" but experiment.json has "${readHash(dir)}"; the folder is inconsistent`,
  ],
  [
    'an unterminated quote in the last summary.csv cell',
    (dir) => editText(summaryOf(dir), (text) => text.replace(/,([0-9a-f]{16})\n$/, ',"$1\n')),
    (dir) => `${summaryOf(dir)}:3: malformed CSV: a quoted cell is still open at the end of the file (the file is truncated or the quote is stray)`,
  ],
  [
    'a stray quote inside an unquoted summary.csv cell',
    (dir) => editText(summaryOf(dir), (text) => text.replace(/,([0-9a-f]{16})\n$/, ',$1"\n')),
    (dir) =>
      `${summaryOf(dir)}:3: malformed CSV: a quote inside unquoted cell 25; a cell holding a quote is quoted whole, with the quote doubled ("")`,
  ],
  [
    'a summary.csv without a run_id column',
    (dir) => editText(summaryOf(dir), (text) => text.replace(/^run_id,/, 'id,')),
    (dir) => `${summaryOf(dir)}: missing column "run_id" (the columns read here; src/results/contract.ts)`,
  ],
  [
    'a summary.csv run id that leaves the folder',
    (dir) => editText(summaryOf(dir), (text) => text.replace('\nce-s3,', '\n../ce-s3,')),
    (dir) => `${summaryOf(dir)}: row 2, column run_id: expected ${SAFE_ID}, received "../ce-s3"`,
  ],
  [
    'a summary.csv status that is not a status',
    (dir) => editText(summaryOf(dir), (text) => text.replace(',complete,', ',done,')),
    (dir) => `${summaryOf(dir)}: row 2, column status: expected a run status (pending, running, complete, diverged, interrupted, failed), received "done"`,
  ],
  [
    'a summary.csv seed that is not a number',
    (dir) => editText(summaryOf(dir), (text) => text.replace('\nce-s3,ce,3,', '\nce-s3,ce,three,')),
    (dir) => `${summaryOf(dir)}: row 2, column seed: expected a whole number >= 0 or an empty cell, received "three"`,
  ],
  [
    'a summary.csv row for a run experiment.json does not list',
    (dir) => editText(summaryOf(dir), (text) => text.replace('\nmse-s3,mse,', '\nother-s3,mse,')),
    (dir) => `${summaryOf(dir)}: row 3: run "other-s3" is not a run of ${experimentOf(dir)}; the folder is inconsistent`,
  ],
  [
    'a summary.csv row whose name disagrees with experiment.json',
    (dir) => editText(summaryOf(dir), (text) => text.replace('\nce-s3,ce,', '\nce-s3,cross,')),
    (dir) => `${summaryOf(dir)}: row 2: run "ce-s3" has name "cross" but experiment.json has "ce"; the folder is inconsistent`,
  ],
  [
    'a summary.csv listing a run twice',
    (dir) => editText(summaryOf(dir), (text) => text.replace('\nmse-s3,mse,3,8,relu,sigmoid', '\nce-s3,ce,3,8,relu,sigmoid')),
    (dir) => `${summaryOf(dir)}: row 3: run_id "ce-s3" is also in row 2`,
  ],
  [
    'a summary.csv that is a named pipe (it would block)',
    (dir) => {
      fs.rmSync(summaryOf(dir));
      execFileSync('mkfifo', [summaryOf(dir)]);
    },
    (dir) => `${summaryOf(dir)}: cannot read the results file: it is a named pipe (FIFO), not a regular file.`,
  ],
  [
    'a summary.csv over the size cap',
    (dir) => fs.truncateSync(summaryOf(dir), 256 * 1024 * 1024 + 1),
    (dir) => `${summaryOf(dir)}: cannot read the results file: it is 268,435,457 bytes, over the 256 MiB limit for results files.`,
  ],
  [
    'a run folder that is a symbolic link out of the results folder',
    (dir) => {
      fs.rmSync(path.join(dir, Files.runsDir, 'ce-s3'), { recursive: true });
      fs.symlinkSync(tmp.dir, path.join(dir, Files.runsDir, 'ce-s3'));
    },
    (dir) => `${path.join(dir, Files.runsDir, 'ce-s3')}: expected the run's folder, found a symbolic link`,
  ],
  [
    'runs/ that is a file',
    (dir) => {
      fs.rmSync(path.join(dir, Files.runsDir), { recursive: true });
      fs.writeFileSync(path.join(dir, Files.runsDir), '');
    },
    (dir) => `${path.join(dir, Files.runsDir)}: expected a folder of run folders, found a file`,
  ],
];

function readHash(dir: string): string {
  return (JSON.parse(fs.readFileSync(path.join(dir, Files.experiment), 'utf8')) as { hash: string }).hash;
}

/** Every file under `dir` with its bytes (FIFOs and links as markers), to show a refusal changed nothing. */
function snapshot(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const full = path.join(entry.parentPath, entry.name);
    const key = path.relative(dir, full);
    if (entry.isSymbolicLink()) files[key] = `link → ${fs.readlinkSync(full)}`;
    else if (entry.isFIFO()) files[key] = 'fifo';
    else if (entry.isFile()) files[key] = fs.statSync(full).size > 1e6 ? `size ${fs.statSync(full).size}` : fs.readFileSync(full, 'base64');
  }
  return files;
}

test('the valid folder is read, and every command accepts it', async () => {
  const folder = readResultsFolder(base, { require: ['experiment', 'manifest', 'summary'], summaryColumns: REQUIRED_SUMMARY_COLUMNS });
  expect(folder.summary!.rows.map((row) => row.run_id)).toEqual(['ce-s3', 'mse-s3']);
  const copy = damaged(() => undefined);
  expect((await runCli(['report', copy, '--out', path.join(tmp.dir, 'report-ok'), '--format', 'csv'])).code).toBe(0);
  expect((await runCli(['compare', copy, base])).code).toBe(0);
  expect((await runCli(['merge', copy, '--out', path.join(tmp.dir, 'merge-ok')])).code).toBe(0);
  expect((await runCli(['run', EXPERIMENT, '--out', copy, '--resume', ...RUN])).code).toBe(0);
});

describe.each(CASES)('%s', (_name, mutate, message) => {
  let dir: string;
  beforeAll(() => {
    dir = damaged(mutate);
  });

  test('readResultsFolder throws a ResultsError with the exact message', () => {
    expect(() =>
      readResultsFolder(dir, { require: ['experiment', 'manifest', 'summary'], summaryColumns: REQUIRED_SUMMARY_COLUMNS }),
    ).toThrow(new ResultsError(message(dir)));
  });

  test('report, compare, merge and run --resume each exit 2 with it and change nothing', async () => {
    const before = snapshot(dir);
    const expected = message(dir).replace(/\.$/, '');
    const results = {
      report: await runCli(['report', dir, '--out', path.join(tmp.dir, `report-${counter}`), '--format', 'csv']),
      compare: await runCli(['compare', dir, base]),
      merge: await runCli(['merge', dir, '--out', path.join(tmp.dir, `merge-${counter}`)]),
      resume: await runCli(['run', EXPERIMENT, '--out', dir, '--resume', ...RUN]),
    };
    for (const [command, result] of Object.entries(results)) {
      expect([command, result.code, result.err]).toEqual([command, 2, expect.stringContaining(expected)]);
      expect(result.err).not.toContain('internal error');
    }
    expect(snapshot(dir)).toEqual(before);
    expect(fs.existsSync(path.join(tmp.dir, `merge-${counter}`))).toBe(false);
  });
});

describe('run ids: what run writes is what every reader accepts', () => {
  test.each(['a', 'ce-s1', 'A.b_c-9', 'x'.repeat(128)])('%j is safe', (id) => expect(isSafeRunId(id)).toBe(true));
  test.each(['', '..', '../x', 'a/b', '.hidden', '-x', 'a..b', 'a\\b', 'x'.repeat(129), 'a b', 'é'])('%j is refused', (id) =>
    expect(isSafeRunId(id)).toBe(false),
  );
  test('every slug of a hostile name, with a seed, matches RUN_ID_PATTERN', () => {
    for (const name of ['../../etc/x', '/abs', 'a\u0000b', '..', '.hidden', '-2+3', 'C:\\x', '😀', 'x'.repeat(500)]) {
      expect(`${slug(name).slice(0, 64)}-s${Number.MAX_SAFE_INTEGER}`).toMatch(RUN_ID_PATTERN);
    }
  });
});

describe('files of one run', () => {
  const runFile = (dir: string, ...parts: string[]) => path.join(dir, Files.runsDir, 'ce-s3', ...parts);

  test('a metrics.csv that is a named pipe: report refuses it, merge will not copy it; neither blocks', async () => {
    const dir = damaged((d) => {
      fs.rmSync(runFile(d, Files.metrics));
      execFileSync('mkfifo', [runFile(d, Files.metrics)]);
    });
    const report = await runCli(['report', dir, '--out', path.join(tmp.dir, 'fifo-report'), '--format', 'csv']);
    expect(report).toEqual({
      code: 2,
      out: '',
      err: `losslab: ${runFile(dir, Files.metrics)}: cannot read the results file: it is a named pipe (FIFO), not a regular file.\n`,
    });
    const merge = await runCli(['merge', dir, '--out', path.join(tmp.dir, 'fifo-merge')]);
    expect(merge.err).toBe(`losslab: ${runFile(dir, Files.metrics)}: expected a regular file or folder in a run folder, found a named pipe (FIFO)\n`);
    expect(merge.code).toBe(2);
    expect(fs.existsSync(path.join(tmp.dir, 'fifo-merge'))).toBe(false);
  });

  test('a symbolic link inside a run folder is not copied by merge', async () => {
    const dir = damaged((d) => fs.symlinkSync('/etc', runFile(d, 'etc')));
    const merge = await runCli(['merge', dir, '--out', path.join(tmp.dir, 'link-merge')]);
    expect(merge.err).toBe(`losslab: ${runFile(dir, 'etc')}: expected a regular file or folder in a run folder, found a symbolic link\n`);
    expect(merge.code).toBe(2);
  });

  test('a gradients.csv cell that is not a number: report and compare refuse it with one message', async () => {
    const dir = damaged((d) => editText(runFile(d, Files.gradients), (text) => text.replace(/\n0,1,0,preactivation,[^,]+,/, '\n0,1,0,preactivation,abc,')));
    const message = `${runFile(dir, Files.gradients)}: row 4, column l2: expected a number or an empty cell, received "abc"\n`;
    expect(await runCli(['report', dir, '--out', path.join(tmp.dir, 'grad-report'), '--format', 'csv'])).toEqual({ code: 2, out: '', err: `losslab: ${message}` });
    expect(await runCli(['compare', dir, base])).toEqual({ code: 2, out: '', err: `losslab: ${message}` });
  });
});

describe('--resume over a corrupt checkpoint exits 2 naming the file, before anything is written', () => {
  const HINT = 'delete its checkpoint folder to train this run again from scratch with --resume, or rerun without --resume';
  /** The folder with ce-s3 marked interrupted (so --resume continues it from its checkpoint) and the checkpoint changed. */
  const interrupted = (change: (file: string) => void) =>
    damaged((dir) => {
      editJson(manifestOf(dir), (m) => ((m.runs as Record<string, Record<string, unknown>>)['ce-s3'].status = 'interrupted'));
      change(path.join(dir, Files.runsDir, 'ce-s3', Files.checkpoint, 'checkpoint.bin'));
    });
  const checkpointOf = (dir: string) => path.join(dir, Files.runsDir, 'ce-s3', Files.checkpoint, 'checkpoint.bin');

  test.each<[string, (file: string) => void, (file: string) => string]>([
    ['truncated', (file) => fs.truncateSync(file, fs.statSync(file).size - 4), (file) => `the file holds ${fs.statSync(file).size} bytes, its header describes ${fs.statSync(file).size + 4}`],
    ['emptied', (file) => fs.writeFileSync(file, ''), () => 'the file holds 0 bytes, too few for the 4-byte header length'],
    [
      'a header that is not JSON',
      (file) => {
        const bytes = fs.readFileSync(file);
        bytes.write('#', 4);
        fs.writeFileSync(file, bytes);
      },
      () => `the header is not JSON (Unexpected token '#', "#"state":{"... is not valid JSON)`,
    ],
    [
      'a header length past the end',
      (file) => {
        const bytes = fs.readFileSync(file);
        bytes.writeUInt32LE(0xffffff, 0);
        fs.writeFileSync(file, bytes);
      },
      (file) => `the header length 16777215 runs past the end of the file (${fs.statSync(file).size} bytes)`,
    ],
  ])('%s', async (_name, change, reason) => {
    const dir = interrupted(change);
    const file = checkpointOf(dir);
    const before = snapshot(dir);
    const result = await runCli(['run', EXPERIMENT, '--out', dir, '--resume', ...RUN]);
    expect(result).toEqual({ code: 2, out: '', err: `losslab: ${file}: corrupt checkpoint: ${reason(file)} — ${HINT}\n` });
    expect(snapshot(dir)).toEqual(before);
  });

  test('a checkpoint that is a folder', async () => {
    const dir = interrupted((file) => {
      fs.rmSync(file);
      fs.mkdirSync(file);
    });
    const result = await runCli(['run', EXPERIMENT, '--out', dir, '--resume', ...RUN]);
    expect(result).toEqual({ code: 2, out: '', err: `losslab: ${checkpointOf(dir)}: cannot read the checkpoint: it is a folder, not a file.\n` });
  });

  test('after the advice (delete the checkpoint folder), --resume trains that run again from scratch', async () => {
    const dir = interrupted((file) => fs.writeFileSync(file, ''));
    fs.rmSync(path.dirname(checkpointOf(dir)), { recursive: true });
    const result = await runCli(['run', EXPERIMENT, '--out', dir, '--resume', ...RUN]);
    expect(result.code).toBe(0);
    expect(result.out).toContain('[2/2] mse-s3: already complete, skipped (--resume)');
    expect(fs.existsSync(checkpointOf(dir))).toBe(true);
  });
});

describe('readers require only the columns they read', () => {
  /** Rewrites a CSV without `drop` and with a new column `add` (every cell "1"). */
  const reshape = (file: string, drop: readonly string[], add: string) => {
    const table = parseCsv(fs.readFileSync(file, 'utf8'));
    const columns = [...table.columns.filter((c) => !drop.includes(c)), add];
    fs.writeFileSync(file, toCsv(columns, table.rows.map((row) => ({ ...row, [add]: '1' }))));
  };

  test('a folder from an older or newer losslab (columns missing and added) is read by every command', async () => {
    const dir = damaged((d) => {
      reshape(summaryOf(d), ['hidden', 'backend', 'steps', 'config_hash', 'best_epoch', 'final_validation_accuracy'], 'new_summary_column');
      for (const id of ['ce-s3', 'mse-s3']) {
        reshape(path.join(d, Files.runsDir, id, Files.metrics), ['train_accuracy', 'wall_s'], 'new_metrics_column');
        reshape(path.join(d, Files.runsDir, id, Files.gradients), ['mean_abs', 'max_abs'], 'new_gradients_column');
      }
    });
    expect((await runCli(['report', dir, '--out', path.join(tmp.dir, 'columns-report'), '--format', 'csv,md'])).code).toBe(0);
    const compare = await runCli(['compare', dir, base]);
    expect(compare.err).toBe('');
    expect(compare.code).toBe(0);
    expect((await runCli(['merge', dir, '--out', path.join(tmp.dir, 'columns-merge')])).code).toBe(0);
    expect((await runCli(['run', EXPERIMENT, '--out', dir, '--resume', ...RUN])).code).toBe(0);
  });

  test.each(REQUIRED_SUMMARY_COLUMNS)('without summary.csv column %s, report and compare refuse it by name', async (column) => {
    const dir = damaged((d) => reshape(summaryOf(d), [column], 'other'));
    const message = `losslab: ${summaryOf(dir)}: missing column "${column}" (the columns read here; src/results/contract.ts)\n`;
    expect((await runCli(['report', dir, '--out', path.join(tmp.dir, `no-${column}`), '--format', 'csv'])).err).toBe(message);
    expect((await runCli(['compare', dir, base])).err).toBe(message);
  });
});
