// The CLI entry: parses argv with the declarative command table and maps every error to a documented exit code.
import yargs, { type Argv } from 'yargs';
import { ExitCode, LosslabError, ConfigError } from '../errors';
import { commandModules, commandNames } from './commands';
import { processIo, type Io } from '../io';
import { didYouMean } from '../util/did-you-mean';

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
    });
  for (const module of commandModules(io, setExit)) parser = parser.command(module);
  return parser;
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
      return error.exitCode;
    }
    const err = error as Error;
    io.err(`losslab: internal error: ${err?.message ?? String(error)}\n`);
    io.err(debug ? `${err?.stack ?? ''}\n` : 'Run again with --debug for the stack trace.\n');
    return ExitCode.runsFailed;
  }
}
