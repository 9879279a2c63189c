// The CLI entry: parses argv with the declarative command table and maps every error to a documented exit code.
import yargs, { type Argv } from 'yargs';
import { ExitCode, LosslabError, ConfigError } from '../errors';
import { commandModules, commandNames } from './commands';
import { processIo, type Io } from '../io';
import { didYouMean } from '../util/did-you-mean';

/** The part of yargs' option table that checkRepeatedOptions reads. */
interface DeclaredOptions {
  key: Record<string, unknown>;
  array: string[];
}

/** Builds the yargs parser (exported for tests of the option table). */
export function buildParser(argv: readonly string[], io: Io, setExit: (code: number) => void): Argv {
  let parser = yargs([...argv])
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
    .fail((message, error) => {
      if (error) throw error;
      throw new ConfigError(`usage: ${message}`);
    })
    .middleware((args) => {
      // By the time middleware runs, the parser holds the running command's options (yargs 17's getOptions(),
      // which @types/yargs does not declare).
      const options = (parser as unknown as { getOptions(): DeclaredOptions }).getOptions();
      checkRepeatedOptions(args, Object.keys(options.key), options.array);
    });
  for (const module of commandModules(io, setExit)) parser = parser.command(module);
  return parser;
}

/**
 * Refuses an option given more than once unless it is declared as a list (`--tol`, `--format`): yargs would
 * otherwise hand an array to code that expects one value. `declared` are the option names of the command.
 */
export function checkRepeatedOptions(args: Record<string, unknown>, declared: readonly string[], lists: readonly string[]): void {
  for (const name of declared) {
    const value = args[name];
    if (!Array.isArray(value) || lists.includes(name)) continue;
    const shown = value.map((v) => JSON.stringify(String(v).length > 40 ? `${String(v).slice(0, 40)}…` : String(v)));
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
      `unknown command "${first}"${didYouMean(first, names) || '.'} Commands: ${names.join(', ')}. See losslab --help.`,
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
    if (error instanceof LosslabError) {
      io.err(`losslab: ${error.message}\n`);
      if (debug && error.stack) io.err(`${error.stack}\n`);
      // A module's own exception (e.g. from a check) is the cause: its stack shows the module's frames.
      for (let cause = error.cause; debug && cause instanceof Error; cause = cause.cause)
        io.err(`caused by: ${cause.stack ?? cause.message}\n`);
      return error.exitCode;
    }
    const err = error as Error;
    io.err(`losslab: internal error: ${err?.message ?? String(error)}\n`);
    io.err(debug ? `${err?.stack ?? ''}\n` : 'Run again with --debug for the stack trace.\n');
    return ExitCode.runsFailed;
  }
}
