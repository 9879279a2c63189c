// Determinism: the same experiment run twice on one backend gives byte-identical results but for timing columns.
import * as fs from 'fs';
import * as path from 'path';
import { selectBackend } from '../../src/backend/select';
import { Files, isTimingColumn } from '../../src/results/contract';
import { parseCsv, toCsv } from '../../src/results/csv';
import { runExperiment } from '../../src/runner/run-experiment';
import { captureIo } from '../helpers/cli';
import { makeTempDir } from '../helpers/tmp';

const FILE = path.join(__dirname, '..', 'fixtures', 'config', 'good_determinism.yaml');
const RUN_IDS = ['sigmoid-mse-s5', 'softmax-cross-entropy-s5'];
let tmp: ReturnType<typeof makeTempDir>;
const folders: string[] = [];

/** The CSV text with every timing column (wall_s, *_s) removed, re-written in the same format. */
function withoutTiming(file: string): string {
  const table = parseCsv(fs.readFileSync(file, 'utf8'));
  const kept = table.columns.filter((c) => !isTimingColumn(c));
  return toCsv(kept, table.rows);
}

beforeAll(async () => {
  await selectBackend('cpu');
  tmp = makeTempDir('determinism');
  for (const name of ['first', 'second']) {
    const out = path.join(tmp.dir, name);
    const io = captureIo();
    const code = await runExperiment({ file: FILE, out, backend: 'cpu', force: false, resume: false, report: false, overrides: {}, io });
    expect(io.stderr()).toBe('');
    expect(code).toBe(0);
    folders.push(out);
  }
});
afterAll(() => (process.env.KEEP ? undefined : tmp.cleanup()));

test('summary.csv is identical apart from wall_s', () => {
  const [a, b] = folders.map((f) => withoutTiming(path.join(f, Files.summary)));
  expect(a).toBe(b);
  expect(parseCsv(a).rows.map((r) => [r.run_id, r.status])).toEqual(RUN_IDS.map((id) => [id, 'complete']));
});

describe.each(RUN_IDS)('%s', (id) => {
  const file = (folder: string, name: string) => path.join(folder, Files.runsDir, id, name);

  test('metrics.csv and gradients.csv are identical apart from timing columns', () => {
    for (const name of [Files.metrics, Files.gradients]) {
      const [a, b] = folders.map((f) => withoutTiming(file(f, name)));
      expect(a).toBe(b);
    }
    // 30 steps per epoch, 60 in all, recorded at 0, 5, …, 55: 12 steps × 2 layers × 3 tensors.
    expect(parseCsv(fs.readFileSync(file(folders[0], Files.gradients), 'utf8')).rows).toHaveLength(12 * 2 * 3);
    expect(parseCsv(fs.readFileSync(file(folders[0], Files.metrics), 'utf8')).rows.map((r) => r.step)).toEqual(['0', '30', '60']);
  });

  test('the saved models are identical byte for byte', () => {
    for (const dir of [Files.modelInit, Files.model]) {
      for (const name of ['weights.bin', 'model.json']) {
        const [a, b] = folders.map((f) => fs.readFileSync(file(f, path.join(dir, name))));
        expect(a.equals(b)).toBe(true);
      }
    }
    // Training moved the weights.
    const [init, trained] = [Files.modelInit, Files.model].map((dir) => fs.readFileSync(file(folders[0], path.join(dir, 'weights.bin'))));
    expect(init.equals(trained)).toBe(false);
  });
});

test('the only differences in the raw files are timing cells', () => {
  const raw = folders.map((f) => fs.readFileSync(path.join(f, Files.runsDir, RUN_IDS[0], Files.metrics), 'utf8'));
  const wall = (text: string) => parseCsv(text).rows.map((r) => r.wall_s);
  expect(wall(raw[0]).every((v) => Number(v) >= 0)).toBe(true);
  expect(raw[0].replace(/,[0-9.]+\n/g, '\n')).toBe(raw[1].replace(/,[0-9.]+\n/g, '\n'));
});
