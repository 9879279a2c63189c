// The command table (one row per command; messages that list the commands are built from the table) and the
// rule every command shares: an option that is not a list may be given once.
import { commandNames } from '../../src/cli/commands';
import { checkRepeatedOptions } from '../../src/cli/main';
import { ConfigError, ExitCode } from '../../src/errors';
import { runCli } from '../helpers/cli';

/**
 * One row per command: arguments that reach its own parser without doing any work, and the usage error it gives
 * (each command declares its own positionals, so the message shows the command is wired to its table entry).
 */
const COMMANDS: Record<string, { argv: string[]; usageError: string }> = {
  run: { argv: ['run'], usageError: 'missing <file>. Usage: losslab run <file> [options].' },
  validate: { argv: ['validate'], usageError: 'missing <file>. Usage: losslab validate <file> [options].' },
  schema: { argv: ['schema', 'extra'], usageError: 'unexpected argument "extra". Usage: losslab schema [options].' },
  compare: { argv: ['compare', 'results/x'], usageError: 'missing <baseline>. Usage: losslab compare <current> <baseline> [options].' },
  merge: { argv: ['merge', 'results/a'], usageError: '--out is required. Usage: losslab merge <dirs...> [options].' },
  report: { argv: ['report'], usageError: 'missing <results-dir>. Usage: losslab report <results-dir> [options].' },
  anatomy: { argv: ['anatomy'], usageError: 'missing <pairs..>. Usage: losslab anatomy <pairs..> [options].' },
};

test('the command table and the rows here name the same commands', () => {
  expect(Object.keys(COMMANDS).sort()).toEqual([...commandNames()].sort());
});

test.each(commandNames())('%s parses its own arguments: a usage error, exit 2, no stack trace', async (name) => {
  const { argv, usageError } = COMMANDS[name];
  expect(await runCli(argv)).toEqual({ code: ExitCode.badInput, out: '', err: `losslab: ${usageError}\n` });
});

test('no command: exit 2 naming every command of the table', async () => {
  expect(await runCli([])).toEqual({
    code: ExitCode.badInput,
    out: '',
    err: `losslab: usage: Name a command: ${commandNames().join(', ')}.\n`,
  });
});

test('an unknown command: exit 2 with "did you mean" and every command of the table', async () => {
  expect(await runCli(['valdiate', 'x.yaml'])).toEqual({
    code: ExitCode.badInput,
    out: '',
    err: `losslab: unknown command "valdiate" — did you mean "validate"? Commands: ${commandNames().join(', ')}. See losslab --help.\n`,
  });
});

describe('an option given more than once', () => {
  test.each<[string, Record<string, unknown>, string | undefined]>([
    ['one value each: accepted', { out: 'a', k: 2 }, undefined],
    ['a list option repeated: accepted', { tol: ['a=off', 'b=off'], out: 'a' }, undefined],
    ['a single-valued option repeated', { out: ['a', 'b'] }, '--out: given 2 times ("a", "b"); give it once.'],
    ['numbers are shown as given', { k: [1, 2, 3] }, '--k: given 3 times ("1", "2", "3"); give it once.'],
    [
      'values are escaped and shortened',
      { out: ['a\nb', 'y'.repeat(50)] },
      `--out: given 2 times ("a\\nb", "${'y'.repeat(40)}…"); give it once.`,
    ],
  ])('%s', (_name, args, message) => {
    const check = () => checkRepeatedOptions(args, ['out', 'k', 'tol'], ['tol']);
    if (message === undefined) expect(check).not.toThrow();
    else expect(check).toThrow(new ConfigError(message));
  });

  test.each([
    [['merge', 'a', 'b', '--out', 'c', '--out', 'd'], '--out: given 2 times ("c", "d"); give it once.'],
    [['report', 'x', '--out', 'c', '--out', 'd'], '--out: given 2 times ("c", "d"); give it once.'],
    [['compare', 'a', 'b', '--k', '1', '--k', '2'], '--k: given 2 times ("1", "2"); give it once.'],
  ])('%j: exit 2 before the command runs', async (argv, message) => {
    expect(await runCli(argv)).toEqual({ code: ExitCode.badInput, out: '', err: `losslab: ${message}\n` });
  });

  test('a list option (compare --tol) may repeat: the command runs and judges each entry', async () => {
    const result = await runCli(['compare', 'a', 'b', '--tol', 'wall_s=off', '--tol', 'zzz=off']);
    expect(result.code).toBe(ExitCode.badInput);
    expect(result.err).toMatch(/^losslab: --tol "zzz=off": unknown metric "zzz"/);
  });
});
