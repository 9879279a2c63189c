// The command table: one row per command, and the messages that list the commands, built from the table.
import { commandNames } from '../../src/cli/commands';
import { ExitCode } from '../../src/errors';
import { runCli } from '../helpers/cli';

/**
 * One row per command: arguments that reach its own parser without doing any work, and the usage error it gives
 * (each command declares its own positionals, so the message shows the command is wired to its table entry).
 */
const COMMANDS: Record<string, { argv: string[]; usageError: string }> = {
  run: { argv: ['run'], usageError: 'Not enough non-option arguments: got 0, need at least 1' },
  validate: { argv: ['validate'], usageError: 'Not enough non-option arguments: got 0, need at least 1' },
  schema: { argv: ['schema', 'extra'], usageError: 'Unknown argument: extra' },
  compare: { argv: ['compare', 'results/x'], usageError: 'Not enough non-option arguments: got 1, need at least 2' },
  merge: { argv: ['merge', 'results/a'], usageError: 'Missing required argument: out' },
  report: { argv: ['report'], usageError: 'Not enough non-option arguments: got 0, need at least 1' },
};

test('the command table and the rows here name the same commands', () => {
  expect(Object.keys(COMMANDS).sort()).toEqual([...commandNames()].sort());
});

test.each(commandNames())('%s parses its own arguments: a usage error, exit 2, no stack trace', async (name) => {
  const { argv, usageError } = COMMANDS[name];
  expect(await runCli(argv)).toEqual({ code: ExitCode.badInput, out: '', err: `losslab: usage: ${usageError}\n` });
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
