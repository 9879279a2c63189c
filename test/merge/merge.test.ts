// `losslab merge` on hand-written shard folders: the merged files, and the refusals with their exact messages.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { main } from '../../src/cli/main';
import type { Io } from '../../src/io';
import { selectShard } from '../../src/runner/shard';
import type { ExperimentRecord, Manifest } from '../../src/results/contract';

const fixtures = path.relative(process.cwd(), path.join(__dirname, '..', 'fixtures', 'merge'));
const shard = (name: string) => path.join(fixtures, name);
let scratch: string;

beforeEach(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'losslab-merge-'));
});
afterEach(() => {
  fs.rmSync(scratch, { recursive: true, force: true });
});

async function merge(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: Io = { out: (text) => (out += text), err: (text) => (err += text), isTty: false };
  const code = await main(['merge', ...args], io);
  return { code, out, err };
}

const readJson = <T = Manifest>(file: string): T => JSON.parse(fs.readFileSync(file, 'utf8')) as T;
const pending = (id: string) => ({ status: 'pending', configHash: `c-${id}`, startedAt: null, endedAt: null, epochsDone: 0 });
const ran = (id: string, status: string, from: string) => ({
  status,
  configHash: `c-${id}`,
  startedAt: '2026-11-26T10:00:00.000Z',
  endedAt: '2026-11-26T10:01:00.000Z',
  epochsDone: 2,
  shard: from,
});

describe('losslab merge', () => {
  test('the fixture shards are the 1/2 and 2/2 split of the experiment', () => {
    const experiment = readJson<ExperimentRecord>(path.join(shard('shard-1'), 'experiment.json'));
    const owned = (name: string) =>
      Object.entries(readJson(path.join(shard(name), 'manifest.json')).runs)
        .filter(([, run]) => run.status !== 'pending')
        .map(([id]) => id);
    expect(selectShard(experiment.runs, { index: 1, count: 2 }).map((run) => run.id)).toEqual(owned('shard-1'));
    expect(selectShard(experiment.runs, { index: 2, count: 2 }).map((run) => run.id)).toEqual(owned('shard-2'));
  });

  test('merges two shards: run folders, experiment.json, manifest with shard and backends, summary in experiment order', async () => {
    const out = path.join(scratch, 'merged');
    const { code, out: stdout, err } = await merge(shard('shard-1'), shard('shard-2'), '--out', out);
    expect(err).toBe('');
    expect(stdout).toBe(`merged 2 shards (5 of 5 runs) into ${out}\n`);
    expect(code).toBe(0);
    expect(fs.readFileSync(path.join(out, 'experiment.json'), 'utf8')).toBe(
      fs.readFileSync(path.join(shard('shard-2'), 'experiment.json'), 'utf8'),
    );
    expect(fs.readFileSync(path.join(out, 'summary.csv'), 'utf8')).toBe(
      fs.readFileSync(path.join(fixtures, 'expected-summary.csv'), 'utf8'),
    );
    expect(readJson(path.join(out, 'manifest.json'))).toEqual({
      losslab: '0.1.0',
      node: 'v20.19.0',
      tfjs: '4.22.0',
      backend: 'cpu,wasm',
      experimentName: 'activations',
      experimentHash: 'e3b0c44298fc',
      startedAt: '2026-11-26T09:59:00.000Z',
      endedAt: '2026-11-26T10:07:00.000Z',
      runs: {
        'relu-ce-s1': ran('relu-ce-s1', 'complete', shard('shard-1')),
        'relu-ce-s2': ran('relu-ce-s2', 'complete', shard('shard-2')),
        'sigmoid-mse-s1': ran('sigmoid-mse-s1', 'complete', shard('shard-1')),
        'sigmoid-mse-s2': ran('sigmoid-mse-s2', 'complete', shard('shard-2')),
        'tanh-ce-s1': ran('tanh-ce-s1', 'diverged', shard('shard-1')),
      },
    });
    expect(Object.keys(readJson(path.join(out, 'manifest.json')).runs)).toEqual([
      'relu-ce-s1',
      'relu-ce-s2',
      'sigmoid-mse-s1',
      'sigmoid-mse-s2',
      'tanh-ce-s1',
    ]);
    expect(fs.readdirSync(path.join(out, 'runs')).sort()).toEqual([
      'relu-ce-s1',
      'relu-ce-s2',
      'sigmoid-mse-s1',
      'sigmoid-mse-s2',
      'tanh-ce-s1',
    ]);
    expect(fs.readFileSync(path.join(out, 'runs', 'sigmoid-mse-s2', 'metrics.csv'), 'utf8')).toBe(
      fs.readFileSync(path.join(shard('shard-2'), 'runs', 'sigmoid-mse-s2', 'metrics.csv'), 'utf8'),
    );
    expect(fs.readdirSync(out).sort()).toEqual(['experiment.json', 'manifest.json', 'runs', 'summary.csv']);
  });

  test('the order of the shard folders does not change the merged summary', async () => {
    const out = path.join(scratch, 'merged');
    expect((await merge(shard('shard-2'), shard('shard-1'), '--out', out)).code).toBe(0);
    expect(fs.readFileSync(path.join(out, 'summary.csv'), 'utf8')).toBe(
      fs.readFileSync(path.join(fixtures, 'expected-summary.csv'), 'utf8'),
    );
    expect(readJson(path.join(out, 'manifest.json')).backend).toBe('wasm,cpu');
  });

  test('--allow-missing merges one shard and records the other runs as pending', async () => {
    const out = path.join(scratch, 'merged');
    const { code, out: stdout } = await merge(shard('shard-2'), '--out', out, '--allow-missing');
    expect(stdout).toBe(
      `merged 1 shard (2 of 5 runs) into ${out}; 3 missing, recorded as pending: relu-ce-s1, sigmoid-mse-s1, tanh-ce-s1\n`,
    );
    expect(code).toBe(0);
    const manifest = readJson(path.join(out, 'manifest.json'));
    expect(manifest.runs['relu-ce-s1']).toEqual(pending('relu-ce-s1'));
    expect(manifest.runs['relu-ce-s2']).toEqual(ran('relu-ce-s2', 'complete', shard('shard-2')));
    expect(manifest.endedAt).toBe('2026-11-26T10:07:00.000Z');
    const summaryLines = fs.readFileSync(path.join(out, 'summary.csv'), 'utf8').trimEnd().split('\n');
    expect(summaryLines.map((line) => line.split(',')[0])).toEqual(['run_id', 'relu-ce-s2', 'sigmoid-mse-s2']);
  });

  test.each([
    [
      'missing runs',
      () => [shard('shard-1'), '--out', path.join(scratch, 'm')],
      'losslab: 2 of 5 runs of experiment "activations" are in no shard: relu-ce-s2, sigmoid-mse-s2 (merge every shard folder, or pass --allow-missing to merge anyway)\n',
    ],
    [
      'different experiments',
      () => [shard('shard-1'), shard('shard-other-experiment'), '--out', path.join(scratch, 'm')],
      `losslab: cannot merge shards of different experiments: ${shard('shard-1')} has experiment hash e3b0c44298fc, ` +
        `${shard('shard-other-experiment')} has 9f86d081884c (run every shard from the same experiment file and version)\n`,
    ],
    [
      'a duplicate run',
      () => [shard('shard-1'), shard('shard-2'), shard('shard-duplicate'), '--out', path.join(scratch, 'm')],
      `losslab: run "sigmoid-mse-s1" is in two shards: ${shard('shard-1')} and ${shard('shard-duplicate')} ` +
        '(each run must come from exactly one shard; were two shards run with the same --shard i/N?)\n',
    ],
    [
      'the same folder twice',
      () => [shard('shard-1'), `${shard('shard-1')}/`, '--out', path.join(scratch, 'm')],
      `losslab: merge: shard folder "${shard('shard-1')}/" is given twice (also as "${shard('shard-1')}"); each shard folder may be named once\n`,
    ],
    [
      'the same folder twice, spelled the same',
      () => [shard('shard-2'), shard('shard-2'), '--out', path.join(scratch, 'm')],
      `losslab: merge: shard folder "${shard('shard-2')}" is given twice; each shard folder may be named once\n`,
    ],
    [
      'a folder that is not a results folder',
      () => [shard('not-a-shard'), '--out', path.join(scratch, 'm')],
      `losslab: ${path.join(shard('not-a-shard'), 'experiment.json')}: file is missing (a results folder holds experiment.json, manifest.json, summary.csv and runs/<run id>/); expected the --out folder of \`losslab run --shard i/N\`\n`,
    ],
    [
      'a folder that does not exist',
      () => [shard('nowhere'), '--out', path.join(scratch, 'm')],
      `losslab: ${shard('nowhere')}: no such folder (expected the --out folder of \`losslab run --shard i/N\`)\n`,
    ],
    [
      'a cut-off manifest',
      () => [shard('shard-broken-manifest'), '--out', path.join(scratch, 'm')],
      `losslab: ${path.join(shard('shard-broken-manifest'), 'manifest.json')}:3:`,
    ],
    [
      '--out being a shard',
      () => [shard('shard-1'), shard('shard-2'), '--out', shard('shard-2')],
      `losslab: --out: "${shard('shard-2')}" is one of the shard folders; choose a new folder\n`,
    ],
    [
      'a non-empty --out',
      () => [shard('shard-1'), shard('shard-2'), '--out', fixtures],
      `losslab: --out: "${fixtures}" already exists and is not empty; choose a new folder or remove it first\n`,
    ],
    ['no --out', () => [shard('shard-1')], 'losslab: --out is required. Usage: losslab merge <dirs...> [options].\n'],
  ])('refuses %s with exit 2 and writes nothing', async (_, args, message) => {
    const { code, out, err } = await merge(...args());
    expect(err.startsWith(message)).toBe(true);
    expect(out).toBe('');
    expect(code).toBe(2);
    expect(fs.existsSync(path.join(scratch, 'm'))).toBe(false);
  });
});
