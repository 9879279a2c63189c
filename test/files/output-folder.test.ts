// The one output-folder function: hostile paths fail at once with a named reason (never a spin under /proc), and
// nothing is created until the checks pass.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
// `import * as fs` is a read-only namespace view; the module object itself can be spied on.
import fsModule from 'fs';
import * as path from 'path';
import { ConfigError, OutputError } from '../../src/errors';
import { checkOutputFolder, createOutputFolder, makeFolders } from '../../src/files/output-folder';
import { makeTempDir } from '../helpers/tmp';

const tmp = makeTempDir('output-folder');
afterAll(tmp.cleanup);
const at = (...parts: string[]) => path.join(tmp.dir, ...parts);
const errno = (code: string) => Object.assign(new Error(code), { code });
const refusal = (dir: string, reason: string, flag = '--out') =>
  new OutputError(`${dir}: cannot be the output folder: ${reason} — choose another with ${flag}.`);
const KERNEL = 'a kernel pseudo-filesystem whose files are interfaces to the kernel, not storage';

describe('refused before anything is created', () => {
  beforeAll(() => {
    fs.writeFileSync(at('a-file'), 'x');
    fs.symlinkSync(at('no-such-target'), at('dangling'));
  });

  test.each<[string, string, string]>([
    ['under /proc (Node would spin in recursive mkdir)', '/proc/losslab-out', `it would be on proc (at /proc), ${KERNEL}`],
    ['deep under /proc/self', '/proc/self/fd/a/b', `it would be on proc (at /proc/self/fd), ${KERNEL}`],
    ['under /sys', '/sys/losslab-out', `it would be on sysfs (at /sys), ${KERNEL}`],
    ['under /dev (devtmpfs, told apart by path)', '/dev/losslab-out', `it would be on devtmpfs (at /dev), ${KERNEL}`],
  ])('%s', (_name, dir, reason) => {
    expect(() => createOutputFolder(dir)).toThrow(refusal(dir, reason));
  });

  test.each<[string, () => string, (dir: string) => string]>([
    ['a file', () => at('a-file'), () => 'it is a file, not a folder'],
    ['a path through a file', () => at('a-file', 'x', 'y'), () => `${at('a-file')} is a file, not a folder`],
    [
      'a dangling symbolic link on the path',
      () => at('dangling', 'x'),
      () => `${at('dangling')} is a symbolic link to a folder that does not exist`,
    ],
  ])('%s', (_name, dir, reason) => {
    expect(() => createOutputFolder(dir())).toThrow(refusal(dir(), reason(dir())));
    expect(fs.existsSync(at('a-file', 'x'))).toBe(false);
  });

  test.each([
    ['', '--out: expected a folder, received an empty value ("") — name one, e.g. --out results/my-run.'],
    ['   ', '--out: expected a folder, received an empty value ("   ") — name one, e.g. --out results/my-run.'],
    ['a\u0000b', '--out: "a\\u0000b" holds a NUL character, which no path may hold.'],
  ])('%j is a usage error', (dir, message) => {
    expect(() => checkOutputFolder(dir)).toThrow(new ConfigError(message));
  });

  test('the flag is named in the message (report --out, compare --junit)', () => {
    expect(() => checkOutputFolder('', '--junit')).toThrow(
      new ConfigError('--junit: expected a folder, received an empty value ("") — name one, e.g. --junit results/my-run.'),
    );
  });

  test.each<[string, string]>([
    ['EROFS', ' is on a read-only file system'],
    ['EACCES', ' is not writable (permission denied)'],
  ])('a folder whose access check fails with %s says so', (code, reason) => {
    const spy = jest.spyOn(fsModule, 'accessSync').mockImplementation(() => {
      throw errno(code);
    });
    try {
      const dir = at('new', 'deeper');
      expect(() => createOutputFolder(dir)).toThrow(refusal(dir, `${tmp.dir}${reason}`));
      expect(fs.existsSync(at('new'))).toBe(false);
    } finally {
      spy.mockRestore();
    }
  });

  test('a disk that is full when the probe file is written says so', () => {
    const spy = jest.spyOn(fsModule, 'writeFileSync').mockImplementation(() => {
      throw errno('ENOSPC');
    });
    try {
      expect(() => createOutputFolder(at('full'))).toThrow(refusal(at('full'), 'no space left on device'));
    } finally {
      spy.mockRestore();
    }
  });
});

describe('created when usable', () => {
  test('missing levels are created; the folder is left empty (the probe file is removed)', () => {
    createOutputFolder(at('one', 'two', 'three'));
    expect(fs.readdirSync(at('one', 'two', 'three'))).toEqual([]);
  });

  test('an existing folder is used as it is, its files untouched', () => {
    fs.mkdirSync(at('kept'));
    fs.writeFileSync(at('kept', 'summary.csv'), 'run_id\n');
    createOutputFolder(at('kept'));
    expect(fs.readdirSync(at('kept'))).toEqual(['summary.csv']);
  });

  (fs.existsSync('/dev/shm') ? test : test.skip)('/dev/shm, a real tmpfs under /dev, is allowed', () => {
    expect(() => checkOutputFolder('/dev/shm/losslab-never-created')).not.toThrow();
    expect(fs.existsSync('/dev/shm/losslab-never-created')).toBe(false);
  });
});

describe('makeFolders (subfolders of an output folder)', () => {
  test('creates nested folders and accepts existing ones', () => {
    makeFolders(at('runs', 'a-s1', 'checkpoint'));
    makeFolders(at('runs', 'a-s1'));
    expect(fs.statSync(at('runs', 'a-s1', 'checkpoint')).isDirectory()).toBe(true);
  });

  test('fails at once under /proc instead of looping', () => {
    expect(() => makeFolders('/proc/losslab-x/y')).toThrow(/ENOENT/);
  });
});

// A real read-only mount needs root (mount -t tmpfs -o ro); elsewhere the EROFS test above stands in for it.
const canMount = process.getuid?.() === 0 && process.platform === 'linux';
(canMount ? test : test.skip)('a real read-only mount is named as read-only, not ENOENT', () => {
  const mount = at('ro');
  fs.mkdirSync(mount);
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=1m', 'tmpfs', mount]);
  } catch {
    console.warn('read-only mount test skipped: mount failed (no CAP_SYS_ADMIN); the mocked EROFS test covers the message');
    return;
  }
  try {
    expect(() => createOutputFolder(path.join(mount, 'results'))).toThrow(
      refusal(path.join(mount, 'results'), `${mount} is on a read-only file system`),
    );
  } finally {
    execFileSync('umount', [mount]);
  }
});
