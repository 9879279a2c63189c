// The CLI entry: parses argv with the declarative command table and maps every error to a documented exit code.
import yargs, { type Argv, type CommandModule } from 'yargs';
import { ExitCode, LosslabError, ConfigError } from '../errors';
import { commandModules, commandNames } from './commands';
import { processIo, type Io } from '../io';
import { didYouMean } from '../util/did-you-mean';
import { escapeControl, quote } from '../util/quote';
import { checkFlagValues, usageError, type OptionTable } from './flags';

/** Builds the yargs parser (exported for tests of the option table). */
export function buildParser(argv: readonly string[], io: Io, setExit: (code: number) => void): Argv {
  const modules = commandModules(io, setExit);
  const parser = yargs([...argv])
    .scriptName('losslab')
    .usage('$0 <command> [options]')
    .option('debug', { type: 'boolean', default: false, describe: 'Show stack traces for errors' })
    .demandCommand(1, `Name a command: ${commandNames().join(', ')}.`)
    .recommendCommands()
    .strict()
    .help()
    .version(false)
    .wrap(Math.min(110, process.stdout.columns ?? 100))
    .exitProcess(false)
    // Positionals stay text: a file named 2024 is a file name, not a number.
    .parserConfiguration({ 'parse-positional-numbers': false });
  // By the time middleware runs, the parser holds the running command's options (yargs 17's getOptions(), which
  // @types/yargs does not declare).
  const options = () => (parser as unknown as { getOptions(): OptionTable }).getOptions();
  parser
    .fail((message, error) => {
      if (error instanceof LosslabError) throw error;
      if (error) throw new ConfigError(`usage: ${error.message}`);
      throw usageError(message, argv, options(), commandLine(argv[0], modules));
    })
    // Before yargs validates or a command sees a value: repeats, then empty values, --no-<value flag> and choices.
    .middleware((args) => {
      const table = options();
      checkRepeatedOptions(args, Object.keys(table.key), table.array);
      checkFlagValues(args, table, argv, commandLine(argv[0], modules));
    }, true);
  for (const module of modules) parser.command(module);
  return parser;
}

/** The command string (`run <file>`) of the command `name`, if it is one. */
function commandLine(name: string | undefined, modules: readonly CommandModule[]): string | undefined {
  const module = modules.find((candidate) => String(candidate.command).split(' ')[0] === name);
  return module ? String(module.command) : undefined;
}

/**
 * Refuses an option given more than once unless it is declared as a list (`--tol`, `--format`): yargs would
 * otherwise hand an array to code that expects one value. `declared` are the option names of the command.
 */
export function checkRepeatedOptions(args: Record<string, unknown>, declared: readonly string[], lists: readonly string[]): void {
  for (const name of declared) {
    const value = args[name];
    if (!Array.isArray(value) || lists.includes(name)) continue;
    const shown = value.map((v) => quote(String(v), 40));
    throw new ConfigError(`--${name}: given ${value.length} times (${shown.join(', ')}); give it once.`);
  }
}

/** An unknown first word gets a message naming it, with "did you mean" and the list of commands. */
function checkCommandName(argv: readonly string[]): void {
  const first = argv[0];
  if (first === undefined || first.startsWith('-') || first === 'help') return;
  const names = commandNames();
  if (!names.includes(first)) {
    throw new ConfigError(
      `unknown command ${quote(first)}${didYouMean(first, names) || '.'} Commands: ${names.join(', ')}. See losslab --help.`,
    );
  }
}

/** Runs the CLI on `argv` (without node and script) and resolves to the exit code. Never throws. */
export async function main(argv: readonly string[], io: Io = processIo): Promise<number> {
  let exitCode: number = ExitCode.ok;
  const debug = argv.includes('--debug');
  try {
    checkCommandName(argv);
    await buildParser(argv, io, (code) => {
      exitCode = code;
    }).parseAsync();
    return exitCode;
  } catch (error) {
    // Messages echo file names and values the user gave: control characters are shown, never sent to the terminal.
    if (error instanceof LosslabError) {
      io.err(`losslab: ${escapeControl(error.message)}\n`);
      if (debug && error.stack) io.err(`${error.stack}\n`);
      // A module's own exception (e.g. from a check) is the cause: its stack shows the module's frames.
      for (let cause = error.cause; debug && cause instanceof Error; cause = cause.cause)
        io.err(`caused by: ${cause.stack ?? cause.message}\n`);
      return error.exitCode;
    }
    // Only a losslab bug gets here: every input a user can write is checked into a LosslabError above.
    const err = error as Error;
    io.err(`losslab: internal error (a bug in losslab; please report it): ${escapeControl(err?.message ?? String(error))}\n`);
    io.err(debug ? `${err?.stack ?? ''}\n` : 'Run again with --debug for the stack trace.\n');
    return ExitCode.runsFailed;
  }
}
