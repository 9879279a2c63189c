// The one way losslab creates folders it writes into: checked first (not a pseudo-filesystem, not a file, writable),
// then created one level at a time, so a hostile path fails at once with a named reason instead of spinning.
import * as fs from 'fs';
import * as path from 'path';
import { ConfigError, OutputError } from '../errors';
import { quote } from '../util/quote';
import { describeFsError } from './read-file';

/**
 * Kernel pseudo-filesystems by their statfs magic number (linux/magic.h): their files are interfaces to the kernel,
 * not storage. Writing results there fails in odd ways (Node's recursive mkdir loops forever under /proc).
 */
const PSEUDO_FILESYSTEMS: ReadonlyMap<number, string> = new Map([
  [0x9fa0, 'proc'],
  [0x62656572, 'sysfs'],
  [0x1cd1, 'devpts'],
  [0x27e0eb, 'cgroup'],
  [0x63677270, 'cgroup2'],
  [0x64626720, 'debugfs'],
  [0x74726163, 'tracefs'],
  [0x73636673, 'securityfs'],
  [0xcafe4a11, 'bpf'],
  [0x62656570, 'configfs'],
  [0x6165676c, 'pstore'],
  [0xde5e81e4, 'efivarfs'],
  [0xf97cff8c, 'selinuxfs'],
  [0x43415d53, 'smackfs'],
  [0x65735543, 'fusectl'],
  [0x19800202, 'mqueue'],
  [0x42494e4d, 'binfmt_misc'],
]);

/**
 * Folders refused by path as well, after symbolic links are resolved: /dev is devtmpfs, whose magic number is
 * tmpfs's, so only its path tells it apart. /dev/shm (a real tmpfs, a common RAM disk) stays allowed.
 */
const PSEUDO_ROOTS: ReadonlyMap<string, string> = new Map([
  ['/proc', 'proc'],
  ['/sys', 'sysfs'],
  ['/dev', 'devtmpfs'],
]);
const ALLOWED_UNDER_PSEUDO_ROOTS = ['/dev/shm'];

const isUnder = (child: string, parent: string) => child === parent || child.startsWith(`${parent}${path.sep}`);

/** The pseudo-filesystem `real` (a resolved, existing path) is on, or undefined when it is on storage. */
function pseudoFilesystem(real: string): string | undefined {
  if (!ALLOWED_UNDER_PSEUDO_ROOTS.some((allowed) => isUnder(real, allowed))) {
    const root = [...PSEUDO_ROOTS.keys()].find((candidate) => isUnder(real, candidate));
    if (root) return PSEUDO_ROOTS.get(root);
  }
  try {
    return PSEUDO_FILESYSTEMS.get(fs.statfsSync(real).type >>> 0);
  } catch {
    // statfs is not available everywhere; the path check above still applies.
    return undefined;
  }
}

/** Where an output folder stands before anything is created: its nearest existing ancestor and the missing parts. */
interface FolderPlan {
  resolved: string;
  /** The nearest folder on the path that exists (the folder itself when it exists). */
  existing: string;
  /** Folders to create below `existing`, outermost first. */
  missing: string[];
}

/**
 * Checks that `dir` can be an output folder, writing nothing: a non-empty path; the folder, or its nearest existing
 * ancestor, is a folder (not a file), on storage (not /proc, /sys, /dev or another pseudo-filesystem), and writable
 * (a read-only mount is named as such). `flag` names the option in messages. Throws ConfigError for an empty or
 * malformed path, OutputError (exit 2) for a folder that cannot be used.
 */
export function checkOutputFolder(dir: string, flag = '--out'): void {
  planFolder(dir, flag);
}

function planFolder(dir: string, flag: string): FolderPlan {
  if (typeof dir !== 'string' || dir.trim() === '') {
    throw new ConfigError(
      `${flag}: expected a folder, received ${typeof dir === 'string' ? `an empty value (${quote(dir)})` : String(dir)} — name one, e.g. ${flag} results/my-run.`,
    );
  }
  if (dir.includes('\0')) throw new ConfigError(`${flag}: ${quote(dir)} holds a NUL character, which no path may hold.`);
  const refuse = (reason: string) => new OutputError(`${dir}: cannot be the output folder: ${reason} — choose another with ${flag}.`);
  const resolved = path.resolve(dir);
  const missing: string[] = [];
  let existing = resolved;
  // Bounded by the number of path components: each step moves one level up, and the root always exists.
  for (;;) {
    let stat: fs.Stats | undefined;
    try {
      stat = fs.statSync(existing);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // ENOTDIR: a part of the path is a file; walking up finds it and names it below.
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw refuse(`${existing}: ${describeFsError(error)}`);
      if (code === 'ENOENT' && isSymbolicLink(existing)) throw refuse(`${existing} is a symbolic link to a folder that does not exist`);
    }
    if (stat) {
      if (!stat.isDirectory()) throw refuse(existing === resolved ? 'it is a file, not a folder' : `${existing} is a file, not a folder`);
      break;
    }
    missing.unshift(existing);
    const parent = path.dirname(existing);
    if (parent === existing) throw refuse('no part of its path exists');
    existing = parent;
  }
  let real: string;
  try {
    real = fs.realpathSync(existing);
  } catch (error) {
    throw refuse(`${existing}: ${describeFsError(error)}`);
  }
  const pseudo = pseudoFilesystem(real);
  if (pseudo) {
    throw refuse(
      `it would be on ${pseudo} (at ${existing}), a kernel pseudo-filesystem whose files are interfaces to the kernel, not storage`,
    );
  }
  try {
    fs.accessSync(existing, fs.constants.W_OK | fs.constants.X_OK);
  } catch (error) {
    throw refuse(unwritable(existing === resolved ? undefined : existing, error));
  }
  return { resolved, existing, missing };
}

/**
 * checkOutputFolder, then creates the missing folders one level at a time and proves the folder writable by
 * creating and removing a probe file. Nothing in an existing folder is touched. Every failure is an OutputError naming
 * the folder and the reason (read-only file system, permission denied, no space left on device, …).
 */
export function createOutputFolder(dir: string, flag = '--out'): void {
  const plan = planFolder(dir, flag);
  const refuse = (where: string | undefined, error: unknown) =>
    new OutputError(`${dir}: cannot be the output folder: ${unwritable(where, error)} — choose another with ${flag}.`);
  for (const folder of plan.missing) {
    try {
      fs.mkdirSync(folder);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST' && fs.statSync(folder, { throwIfNoEntry: false })?.isDirectory()) continue;
      throw refuse(folder, error);
    }
  }
  const probe = path.join(plan.resolved, `.losslab-write-check-${process.pid}`);
  try {
    fs.writeFileSync(probe, '');
    fs.rmSync(probe);
  } catch (error) {
    throw refuse(undefined, error);
  }
}

function isSymbolicLink(file: string): boolean {
  try {
    return fs.lstatSync(file).isSymbolicLink();
  } catch {
    return false;
  }
}

/** Why `where` (undefined: the folder itself) cannot be written: `… is on a read-only file system`, `… is not writable (permission denied)`. */
function unwritable(where: string | undefined, error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EROFS') return `${where ?? 'it'} is on a read-only file system`;
  if (code === 'EACCES' || code === 'EPERM') return `${where ?? 'it'} is not writable (permission denied)`;
  return `${where === undefined ? '' : `${where}: `}${describeFsError(error)}`;
}

/**
 * Creates `dir` and its missing parents, one level at a time, below a folder createOutputFolder made: what
 * writeFileAtomic, the trainer and merge use for runs/<id>/ and its subfolders. Unlike Node's recursive mkdir it
 * cannot loop: each level is tried at most twice. Throws the fs error (callers turn it into a WriteError).
 */
export function makeFolders(dir: string): void {
  try {
    fs.mkdirSync(dir);
    return;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' && fs.statSync(dir).isDirectory()) return;
    if (code !== 'ENOENT' || path.dirname(dir) === dir) throw error;
  }
  makeFolders(path.dirname(dir));
  try {
    fs.mkdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST' && fs.statSync(dir).isDirectory()) return;
    throw error;
  }
}
