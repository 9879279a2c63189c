// The flag rules of `losslab run` (checkRunArgs, parseIntegerFlag, parseSeeds), tested without a process: each
// row is the flags as typed and the parsed result or the exact message.
import { checkRunArgs, parseIntegerFlag, type CheckedRunFlags, type RunFlags } from '../../../src/cli/commands/run';
import { ConfigError, ExitCode } from '../../../src/errors';

const flags = (given: Partial<RunFlags>): RunFlags => ({ force: false, resume: false, ...given });

test.each<[string, Partial<RunFlags>, CheckedRunFlags]>([
  ['no flags: one job', {}, { jobs: 1 }],
  ['--jobs 2', { jobs: '2' }, { jobs: 2 }],
  ['--jobs with spaces around the number', { jobs: ' 3 ' }, { jobs: 3 }],
  ['--jobs 1 with --shard (one job is no conflict)', { jobs: '1', shard: '2/4' }, { jobs: 1, shard: { index: 2, count: 4 } }],
  ['--shard alone', { shard: '1/1' }, { jobs: 1, shard: { index: 1, count: 1 } }],
  ['--epochs 0 and --seeds', { epochs: '0', seeds: '1, 2,30' }, { jobs: 1, epochs: 0, seeds: [1, 2, 30] }],
  ['--force alone', { force: true }, { jobs: 1 }],
  ['--resume with --jobs', { resume: true, jobs: '4' }, { jobs: 4 }],
])('%s', (_name, given, expected) => {
  expect(checkRunArgs(flags(given))).toEqual(expected);
});

const long = 'x'.repeat(100);

test.each<[string, Partial<RunFlags>, string]>([
  ['--jobs 0', { jobs: '0' }, '--jobs: expected an integer >= 1, received "0".'],
  ['--jobs without a value', { jobs: '' }, '--jobs: expected an integer >= 1, received nothing.'],
  ['--jobs not a number', { jobs: 'abc' }, '--jobs: expected an integer >= 1, received "abc".'],
  ['--jobs a fraction', { jobs: '1.5' }, '--jobs: expected an integer >= 1, received "1.5".'],
  ['--jobs negative', { jobs: '-1' }, '--jobs: expected an integer >= 1, received "-1".'],
  ['--jobs in exponent notation', { jobs: '1e3' }, '--jobs: expected an integer >= 1, received "1e3".'],
  ['--jobs in hex', { jobs: '0x10' }, '--jobs: expected an integer >= 1, received "0x10".'],
  ['--jobs beyond a safe integer', { jobs: '9007199254740993' }, '--jobs: expected an integer >= 1, received "9007199254740993".'],
  ['--jobs text is escaped', { jobs: 'a\nb"c' }, '--jobs: expected an integer >= 1, received "a\\nb\\"c".'],
  ['--jobs text is shortened', { jobs: long }, `--jobs: expected an integer >= 1, received "${'x'.repeat(40)}…".`],
  [
    '--jobs 2 with --shard',
    { jobs: '2', shard: '1/2' },
    "--jobs and --shard conflict: --shard picks one machine's part of a sweep; run --jobs inside each shard by sharding further (e.g. --shard 3/8) instead.",
  ],
  ['a bad --shard is named before the conflict', { jobs: '2', shard: '3/2' }, '--shard: expected i/N with 1 <= i <= N, received "3/2"'],
  ['--epochs negative', { epochs: '-2' }, '--epochs: expected an integer >= 0, received "-2".'],
  ['--epochs not a number', { epochs: 'x' }, '--epochs: expected an integer >= 0, received "x".'],
  ['--epochs without a value', { epochs: ' ' }, '--epochs: expected an integer >= 0, received nothing.'],
  ['--seeds with a word', { seeds: '1,x' }, '--seeds: expected comma-separated integers >= 0 such as 1,2,3, received "1,x".'],
  ['--seeds with an empty entry', { seeds: '1,,2' }, '--seeds: expected comma-separated integers >= 0 such as 1,2,3, received "1,,2".'],
  ['--seeds negative', { seeds: '-1' }, '--seeds: expected comma-separated integers >= 0 such as 1,2,3, received "-1".'],
  [
    '--force with --resume',
    { force: true, resume: true },
    '--force and --resume conflict: --force replaces the results in the folder, --resume continues them. Pick one.',
  ],
  [
    'the first rule broken is the one reported (--jobs before --force/--resume)',
    { jobs: '0', force: true, resume: true },
    '--jobs: expected an integer >= 1, received "0".',
  ],
])('%s: ConfigError (exit 2) with the exact message', (_name, given, message) => {
  let caught: unknown;
  try {
    checkRunArgs(flags(given));
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(ConfigError);
  expect((caught as ConfigError).message).toBe(message);
  expect((caught as ConfigError).exitCode).toBe(ExitCode.badInput);
});

test('parseIntegerFlag names the flag and its minimum', () => {
  expect(parseIntegerFlag('--n', '007', 5)).toBe(7);
  expect(() => parseIntegerFlag('--n', '4', 5)).toThrow(new ConfigError('--n: expected an integer >= 5, received "4".'));
});
