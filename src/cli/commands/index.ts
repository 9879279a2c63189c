// The command table: one module per subcommand, each a factory taking the CLI's Io and exit-code setter.
import type { CommandModule } from 'yargs';
import type { Io } from '../../io';
import { anatomyCommand } from './anatomy';
import { compareCommand } from './compare';
import { mergeCommand } from './merge';
import { reportCommand } from './report';
import { runCommand } from './run';
import { schemaCommand } from './schema';
import { validateCommand } from './validate';

/** Every command, in the order `--help` lists them. */
export const commands = [runCommand, validateCommand, schemaCommand, compareCommand, mergeCommand, reportCommand, anatomyCommand] as const;

/**
 * The yargs modules of every command for one CLI invocation. Each module's handler has its own argument type;
 * yargs takes them as plain CommandModules.
 */
export function commandModules(io: Io, setExit: (code: number) => void): CommandModule[] {
  return commands.map((make) => make(io, setExit) as CommandModule);
}

/** The command names (the first word of each `command` string), in table order. */
export function commandNames(): string[] {
  return commandModules(silentIo, () => undefined).map((module) => String(module.command).split(' ')[0]);
}

const silentIo: Io = { out: () => undefined, err: () => undefined, isTty: false };
