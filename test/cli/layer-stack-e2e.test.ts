// A layer-stack experiment end to end on a real MNIST subset: run in two shards on wasm, merge, report and compare —
// each reads the conv rows of gradients.csv.
import * as fs from 'fs';
import * as path from 'path';
import { Files } from '../../src/results/contract';
import { parseCsv } from '../../src/results/csv';
import { runCli } from '../helpers/cli';
import { makeTempDir } from '../helpers/tmp';

const FILE = path.join(__dirname, '..', 'fixtures', 'config', 'good_layers.yaml');
let tmp: ReturnType<typeof makeTempDir>;
let merged: string;

beforeAll(async () => {
  tmp = makeTempDir('layers-e2e');
  const shards = [1, 2].map((i) => path.join(tmp.dir, `shard-${i}`));
  for (const [i, out] of shards.entries()) {
    const result = await runCli(['run', FILE, '--backend', 'wasm', '--shard', `${i + 1}/2`, '--out', out]);
    expect(result.code).toBe(0);
  }
  merged = path.join(tmp.dir, 'merged');
  expect((await runCli(['merge', ...shards, '--out', merged])).code).toBe(0);
}, 120_000);
afterAll(() => tmp.cleanup());

test('the merged folder holds both runs, the stack with conv2d rows in gradients.csv', () => {
  const summary = parseCsv(fs.readFileSync(path.join(merged, Files.summary), 'utf8'));
  expect(summary.rows.map((r) => [r.run_id, r.status, r.hidden])).toEqual([
    ['stack-s1', 'complete', 'conv4@3x3/s2x2/same-maxpool3x3/s2x2/same-conv6@3x2:tanh-avgpool2x2/same-flatten-dropout0.5-12:sigmoid'],
    ['mlp-s1', 'complete', '12'],
  ]);
  const gradients = parseCsv(fs.readFileSync(path.join(merged, Files.runsDir, 'stack-s1', Files.gradients), 'utf8'));
  const kinds = new Map(gradients.rows.map((r) => [r.layer, r.layer_kind]));
  expect([...kinds.entries()]).toEqual([
    ['0', 'conv2d'],
    ['1', 'conv2d'],
    ['2', 'dense'],
    ['3', 'dense'],
  ]);
});

test('report names the conv layers in the gradient table', async () => {
  const out = path.join(tmp.dir, 'report');
  const result = await runCli(['report', merged, '--out', out, '--format', 'csv']);
  expect(result.code).toBe(0);
  const table = parseCsv(fs.readFileSync(path.join(out, 'tables', 'gradients.csv'), 'utf8'));
  const stack = table.rows.filter((r) => r.run === 'stack');
  expect(stack.map((r) => [r.layer, r.layer_kind])).toEqual([
    ['0', 'conv2d'],
    ['1', 'conv2d'],
    ['2', 'dense'],
    ['3', 'dense'],
  ]);
  expect(Number(stack[0].preact_l2_step0_mean)).toBeGreaterThan(0);
});

test('compare of the merged folder with itself passes and checks the step-0 gradient of every stack layer', async () => {
  const result = await runCli(['compare', merged, merged, '--json']);
  expect(result.code).toBe(0);
  const checks = (JSON.parse(result.out) as { checks: { metric: string; layer?: number; run: string }[] }).checks;
  const layers = checks.filter((c) => c.run === 'stack' && c.metric === 'step0_preactivation_l2').map((c) => c.layer);
  expect(layers).toEqual([0, 1, 2, 3]);
});
