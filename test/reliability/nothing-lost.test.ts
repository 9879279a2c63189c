// Nothing lost, nothing corrupt: atomic writes keep the old file, a full disk exits 3 with a clear message, bad output folders exit 2.
import * as fs from 'fs';
import * as path from 'path';
import { ExitCode, WriteError } from '../../src/errors';
import { setWriteFs, writeFileAtomic, type WriteFs } from '../../src/results/atomic';
import { Files, SUMMARY_COLUMNS, type Manifest } from '../../src/results/contract';
import { parseCsv } from '../../src/results/csv';
import { runCli } from '../helpers/cli';
import { makeTempDir } from '../helpers/tmp';
import { FIXTURES } from './helpers';

const tmp = makeTempDir('nothing-lost');
afterAll(tmp.cleanup);
const EXPERIMENT = path.join(FIXTURES, 'interrupt.yaml');

function enospc(file: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`ENOSPC: no space left on device, write '${file}'`), { code: 'ENOSPC' });
}

describe('writeFileAtomic', () => {
  test('a write that fails leaves the old file intact and no temporary file behind', () => {
    const dir = fs.mkdtempSync(path.join(tmp.dir, 'atomic-'));
    const file = path.join(dir, 'summary.csv');
    writeFileAtomic(file, 'old,contents\n1,2\n');
    const failing: WriteFs = {
      writeFileSync: ((target: string) => {
        fs.writeFileSync(target, 'half a fi'); // what a full disk leaves: a truncated temporary file
        throw enospc(target);
      }) as typeof fs.writeFileSync,
      appendFileSync: fs.appendFileSync,
    };
    const restore = setWriteFs(failing);
    try {
      expect(() => writeFileAtomic(file, 'new,contents\n3,4\n')).toThrow(
        new WriteError(`${file}: could not write results: no space left on device. Files written before this one are intact.`),
      );
    } finally {
      restore();
    }
    expect(fs.readFileSync(file, 'utf8')).toBe('old,contents\n1,2\n');
    expect(fs.readdirSync(dir)).toEqual(['summary.csv']);
  });

  test('a successful write replaces the file', () => {
    const file = path.join(tmp.dir, 'replace.json');
    writeFileAtomic(file, '{"a":1}');
    writeFileAtomic(file, '{"a":2}');
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual({ a: 2 });
  });
});

test('a full disk while appending gradients exits 3 with a clear message; summary.csv and manifest.json stay valid', async () => {
  const out = path.join(tmp.dir, 'disk-full');
  const gradientsOfSecond = path.join(out, Files.runsDir, 'second-s5', Files.gradients);
  let appends = 0;
  const restore = setWriteFs({
    writeFileSync: fs.writeFileSync,
    appendFileSync: ((file: fs.PathOrFileDescriptor, data: string) => {
      if (file === gradientsOfSecond && ++appends > 2) throw enospc(String(file));
      fs.appendFileSync(file, data);
    }) as typeof fs.appendFileSync,
  });
  let result;
  try {
    result = await runCli(['run', EXPERIMENT, '--out', out, '--backend', 'cpu', '--epochs', '1']);
  } finally {
    restore();
  }
  expect(result.err).toBe(
    `losslab: ${gradientsOfSecond}: could not write results: no space left on device. Files written before this one are intact.\n`,
  );
  expect(result.code).toBe(ExitCode.interrupted);

  const manifest = JSON.parse(fs.readFileSync(path.join(out, Files.manifest), 'utf8')) as Manifest;
  expect(manifest.runs['first-s5'].status).toBe('complete');
  expect(manifest.runs['second-s5'].status).toBe('failed');
  expect(manifest.runs['second-s5'].error).toContain('no space left on device');
  const summary = parseCsv(fs.readFileSync(path.join(out, Files.summary), 'utf8'));
  expect(summary.columns).toEqual([...SUMMARY_COLUMNS]);
  expect(summary.rows.map((r) => [r.run_id, r.status])).toEqual([['first-s5', 'complete']]);
  // The rows appended before the failure are whole CSV rows: 2 recorded steps × (2 layers × 3 tensors).
  expect(parseCsv(fs.readFileSync(gradientsOfSecond, 'utf8')).rows).toHaveLength(12);
  expect(fs.readdirSync(out).filter((f) => f.includes('.tmp-'))).toEqual([]);
});

describe('output folders', () => {
  test('a folder holding a different experiment is refused with exit 2 unless --force', async () => {
    const out = path.join(tmp.dir, 'other-experiment');
    const other = path.join(tmp.dir, 'other.yaml');
    fs.writeFileSync(
      other,
      fs.readFileSync(EXPERIMENT, 'utf8').replace('name: reliability-interrupt', 'name: another').replace('seeds: [5]', 'seeds: [6]'),
    );
    expect((await runCli(['run', other, '--out', out, '--backend', 'cpu', '--epochs', '0'])).code).toBe(ExitCode.ok);
    const previous = JSON.parse(fs.readFileSync(path.join(out, Files.experiment), 'utf8')) as { hash: string };

    const refused = await runCli(['run', EXPERIMENT, '--out', out, '--backend', 'cpu', '--epochs', '0']);
    const ours = (await runCli(['run', EXPERIMENT, '--out', path.join(tmp.dir, 'ours'), '--backend', 'cpu', '--epochs', '0'])).code;
    expect(ours).toBe(ExitCode.ok);
    const ourHash = (JSON.parse(fs.readFileSync(path.join(tmp.dir, 'ours', Files.experiment), 'utf8')) as { hash: string }).hash;
    expect(refused).toEqual({
      code: ExitCode.badInput,
      out: '',
      err: `losslab: ${out}: the folder holds results of experiment "another" (hash ${previous.hash}), not "reliability-interrupt" (hash ${ourHash}) — use --out to write elsewhere, or --force to replace them.\n`,
    });

    const forced = await runCli(['run', EXPERIMENT, '--out', out, '--backend', 'cpu', '--epochs', '0', '--force']);
    expect(forced.code).toBe(ExitCode.ok);
    expect(JSON.parse(fs.readFileSync(path.join(out, Files.experiment), 'utf8'))).toMatchObject({
      name: 'reliability-interrupt',
      hash: ourHash,
    });
  });

  test('a folder that cannot be made (a file is in the way, so even root cannot) is refused with exit 2', async () => {
    const file = path.join(tmp.dir, 'a-file');
    fs.writeFileSync(file, '');
    const out = path.join(file, 'results');
    const result = await runCli(['run', EXPERIMENT, '--out', out, '--backend', 'cpu', '--epochs', '0']);
    expect(result).toEqual({
      code: ExitCode.badInput,
      out: '',
      err: `losslab: ${out}: cannot be the output folder: ${file} is a file, not a folder — choose another with --out.\n`,
    });
  });

  test('a folder without write permission is refused with exit 2 (skipped as root, which ignores the mode)', async () => {
    const out = path.join(tmp.dir, 'read-only');
    fs.mkdirSync(out);
    fs.chmodSync(out, 0o555);
    let writable = false;
    try {
      fs.accessSync(out, fs.constants.W_OK);
      writable = true; // root ignores the mode bits: nothing to test
    } catch {
      // expected
    }
    try {
      if (writable) return;
      const result = await runCli(['run', EXPERIMENT, '--out', out, '--backend', 'cpu', '--epochs', '0']);
      expect(result).toEqual({
        code: ExitCode.badInput,
        out: '',
        err: `losslab: ${out}: cannot be the output folder: it is not writable (permission denied) — choose another with --out.\n`,
      });
    } finally {
      fs.chmodSync(out, 0o755);
    }
  });
});
