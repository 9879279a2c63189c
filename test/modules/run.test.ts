// Runs that use modules, end to end in child processes of the built CLI (ES modules need a real import): the
// resolved experiment records each module's path and SHA-256; a run is reproducible byte for byte (timing aside)
// and --jobs 2 and --resume give the same files; an edited module makes --resume retrain exactly its runs and
// compare fail on their config; merge refuses shards run with different sources; a module that throws in the middle
// of training fails its run only.
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { Files, type ExperimentRecord, type Manifest } from '../../src/results/contract';
import { runCli } from '../helpers/cli';
import { makeTempDir } from '../helpers/tmp';
import { spawnCli, withoutTimings } from '../reliability/helpers';

const LOSSES = path.join(__dirname, '..', '..', 'experiments', 'losses');
const MODULE_FIXTURES = path.join(__dirname, '..', 'fixtures', 'modules');
const MODULES = ['focal.mjs', 'log-cosh.ts', 'sparsemax.mjs', 'sparsemax-loss.mjs'];

const EXPERIMENT = `name: modules-e2e
dataset: { train: 200, test: 100 }
seeds: [1]
defaults:
  model: { hidden: [6], hiddenActivation: sigmoid, kernelInitializer: normal-fan-in }
  optimizer: { name: sgd, learningRate: 0.5 }
  batchSize: 20
  epochs: 1
  hooks: { every: 5 }
runs:
  - name: focal
    loss: { module: ./focal.mjs, options: { gamma: 2 } }
  - name: log-cosh
    loss: { module: ./log-cosh.ts, outputs: sum, gradient: closed-form }
  - name: sparsemax
    model: { outputActivation: { module: ./sparsemax.mjs } }
    loss: { module: ./sparsemax-loss.mjs }
`;
const IDS = ['focal-s1', 'log-cosh-s1', 'sparsemax-s1'];

let tmp: ReturnType<typeof makeTempDir>;
let file: string;
const out = (name: string) => path.join(tmp.dir, name);
const sha256 = (name: string) =>
  createHash('sha256')
    .update(fs.readFileSync(path.join(tmp.dir, name)))
    .digest('hex');
const json = <T>(...parts: string[]) => JSON.parse(fs.readFileSync(path.join(...parts), 'utf8')) as T;

async function cli(...args: string[]): Promise<{ code: number | string; output: string }> {
  const child = spawnCli(args);
  const code = await child.exited;
  return { code, output: child.output() };
}

/** Every CSV of a results folder without its timing columns, and every weights file: what must be identical. */
function contents(dir: string): Record<string, unknown> {
  const files: Record<string, unknown> = { summary: withoutTimings(path.join(dir, Files.summary)) };
  for (const id of fs.readdirSync(path.join(dir, Files.runsDir)).sort()) {
    for (const name of [Files.metrics, Files.gradients]) files[`${id}/${name}`] = withoutTimings(path.join(dir, Files.runsDir, id, name));
    for (const model of [Files.modelInit, Files.model]) {
      for (const name of ['model.json', 'weights.bin']) {
        files[`${id}/${model}/${name}`] = fs.readFileSync(path.join(dir, Files.runsDir, id, model, name)).toString('base64');
      }
    }
  }
  return files;
}

beforeAll(async () => {
  tmp = makeTempDir('module-runs');
  for (const name of MODULES) fs.copyFileSync(path.join(LOSSES, name), path.join(tmp.dir, name));
  file = path.join(tmp.dir, 'modules.yaml');
  fs.writeFileSync(file, EXPERIMENT);
  const first = await cli('run', file, '--out', out('first'), '--backend', 'cpu');
  expect(first.output).toContain('loaded and checked (a module is code that runs with your rights)');
  expect(first.code).toBe(0);
});
afterAll(() => tmp.cleanup());

test('experiment.json records each module as written with the SHA-256 of its source and of the file it imports', () => {
  const record = json<ExperimentRecord>(out('first'), Files.experiment);
  const config = (id: string) => record.runs.find((r) => r.id === id)!.config as Record<string, Record<string, unknown>>;
  expect(config('focal-s1').loss).toEqual({
    module: './focal.mjs',
    sha256: sha256('focal.mjs'),
    options: { gamma: 2 },
    outputs: 'sum',
    scale: 1,
    gradient: 'autodiff',
    labelSmoothing: 0,
  });
  expect(config('log-cosh-s1').loss).toMatchObject({
    module: './log-cosh.ts',
    sha256: sha256('log-cosh.ts'),
    options: {},
    outputs: 'sum',
    gradient: 'closed-form',
  });
  expect(config('sparsemax-s1').loss).toMatchObject({
    module: './sparsemax-loss.mjs',
    sha256: sha256('sparsemax-loss.mjs'),
    imports: [{ path: 'sparsemax.mjs', sha256: sha256('sparsemax.mjs') }],
  });
  expect(config('sparsemax-s1').model.outputActivation).toEqual({
    module: './sparsemax.mjs',
    sha256: sha256('sparsemax.mjs'),
    options: {},
  });
  const summary = withoutTimings(path.join(out('first'), Files.summary)).rows;
  expect(summary.map((r) => [r.run_id, r.output_activation, r.loss, r.status])).toEqual([
    ['focal-s1', 'softmax', './focal.mjs', 'complete'],
    ['log-cosh-s1', 'softmax', './log-cosh.ts', 'complete'],
    ['sparsemax-s1', './sparsemax.mjs', './sparsemax-loss.mjs', 'complete'],
  ]);
  // The saved model says linear for the sparsemax layer, and says why in its metadata.
  const modelJson = json<{ userDefinedMetadata: { losslab: { layers: unknown } } }>(
    out('first'),
    Files.runsDir,
    'sparsemax-s1',
    Files.model,
    'model.json',
  );
  expect(modelJson.userDefinedMetadata.losslab.layers).toEqual([{ layer: 'dense_1', activation: 'sparsemax' }]);
});

test('--jobs 2 (other processes) and --resume give the same files, timing columns aside', async () => {
  const jobs = await cli('run', file, '--out', out('jobs'), '--backend', 'cpu', '--jobs', '2');
  expect(jobs.code).toBe(0);
  const reference = contents(out('first'));
  expect(contents(out('jobs'))).toEqual(reference);
  // An interrupted sweep continued with --resume: mark the last run interrupted, then resume.
  fs.cpSync(out('first'), out('resumed'), { recursive: true });
  const manifest = json<Manifest>(out('resumed'), Files.manifest);
  Object.assign(manifest.runs['sparsemax-s1'], { status: 'interrupted' });
  fs.writeFileSync(path.join(out('resumed'), Files.manifest), JSON.stringify(manifest));
  const resumed = await cli('run', file, '--out', out('resumed'), '--backend', 'cpu', '--resume');
  expect(resumed.code).toBe(0);
  expect(resumed.output.match(/already complete, skipped \(--resume\)/g)).toHaveLength(2);
  expect(contents(out('resumed'))).toEqual(reference);
});

test('editing a module retrains exactly its runs on --resume, and compare says their configs differ', async () => {
  fs.cpSync(out('first'), out('edited'), { recursive: true });
  const before = json<ExperimentRecord>(out('first'), Files.experiment);
  fs.appendFileSync(path.join(tmp.dir, 'focal.mjs'), '\n// edited after the run\n');
  try {
    const resumed = await cli('run', file, '--out', out('edited'), '--backend', 'cpu', '--resume');
    expect(resumed.code).toBe(0);
    const lines = resumed.output.split('\n');
    for (const id of IDS) {
      const line = lines.find((l) => l.includes(`] ${id}: `))!;
      if (id.startsWith('focal')) expect(line).toMatch(/test accuracy [\d.]+% after 1 epoch\(s\)/);
      else expect(line).toContain('already complete, skipped (--resume)');
    }
    const after = json<ExperimentRecord>(out('edited'), Files.experiment);
    expect(after.hash).toBe(before.hash);
    const changed = after.runs.filter((r, i) => r.configHash !== before.runs[i].configHash).map((r) => r.id);
    expect(changed).toEqual(['focal-s1']);

    const compare = await runCli(['compare', out('edited'), out('first')]);
    expect(compare.code).toBe(1);
    for (const run of changed) {
      const hashes = [after, before].map((record) => record.runs.find((r) => r.id === run)!.configHash);
      expect(compare.out).toMatch(new RegExp(`config_hash\\s+${run}\\s+${hashes[1]}\\s+${hashes[0]}\\s+-\\s+equal\\s+FAIL`));
    }
  } finally {
    fs.copyFileSync(path.join(LOSSES, 'focal.mjs'), path.join(tmp.dir, 'focal.mjs'));
  }
});

test('merge refuses shards whose runs were trained with different module sources', async () => {
  const one = await cli('run', file, '--out', out('shard-1'), '--backend', 'cpu', '--shard', '1/2', '--epochs', '0');
  fs.appendFileSync(path.join(tmp.dir, 'sparsemax.mjs'), '\n// edited between the shards\n');
  try {
    const two = await cli('run', file, '--out', out('shard-2'), '--backend', 'cpu', '--shard', '2/2', '--epochs', '0');
    expect([one.code, two.code]).toEqual([0, 0]);
    const merged = await runCli(['merge', out('shard-1'), out('shard-2'), '--out', out('merged')]);
    expect(merged.code).toBe(2);
    expect(merged.err).toMatch(
      /^losslab: cannot merge: run "sparsemax-s1" has config hash [0-9a-f]{16} in .*shard-1 but [0-9a-f]{16} in .*shard-2 \(a module's source differs between the shards; its SHA-256 is part of the run config in experiment\.json\): rerun the stale shards\n$/,
    );
    expect(fs.existsSync(out('merged'))).toBe(false);
  } finally {
    fs.copyFileSync(path.join(LOSSES, 'sparsemax.mjs'), path.join(tmp.dir, 'sparsemax.mjs'));
  }
});

test('a module that throws in the middle of training fails its run, with its file and line; the sweep goes on (exit 1)', async () => {
  fs.copyFileSync(path.join(MODULE_FIXTURES, 'throws.cjs'), path.join(tmp.dir, 'throws.cjs'));
  const throwing = path.join(tmp.dir, 'throwing.yaml');
  fs.writeFileSync(
    throwing,
    [
      'name: throwing',
      'dataset: { train: 130, test: 50 }',
      'defaults: { model: { hidden: [4] }, batchSize: 13, epochs: 1 }',
      'runs:',
      '  - name: unlucky',
      '    loss: { module: ./throws.cjs }',
      '  - name: plain',
      '',
    ].join('\n'),
  );
  // A CommonJS module, so in-process.
  const result = await runCli(['run', throwing, '--out', out('throwing'), '--backend', 'cpu']);
  expect(result.code).toBe(1);
  const manifest = json<Manifest>(out('throwing'), Files.manifest);
  expect(manifest.runs['unlucky-s1'].status).toBe('failed');
  expect(manifest.runs['unlucky-s1'].error).toBe(
    `${path.join(tmp.dir, 'throws.cjs')}:5:32: terms() threw RangeError: a batch of 13 is unlucky`,
  );
  expect(manifest.runs['plain-s1'].status).toBe('complete');
  expect(result.out).toContain(`[1/2] unlucky-s1: failed: ${path.join(tmp.dir, 'throws.cjs')}:5:32: terms() threw RangeError`);
  expect(result.err).toBe('');
});
