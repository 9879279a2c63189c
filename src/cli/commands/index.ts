// The command table: one module per subcommand, each a factory taking the CLI's Io and exit-code setter.
import type { CommandModule } from 'yargs';
import type { Io } from '../../io';
import { compareCommand } from './compare';
import { mergeCommand } from './merge';
import { reportCommand } from './report';
import { runCommand } from './run';
import { schemaCommand } from './schema';
import { validateCommand } from './validate';

export type CommandFactory = (io: Io, setExit: (code: number) => void) => CommandModule<object, any>;

export const commands: CommandFactory[] = [runCommand, validateCommand, schemaCommand, compareCommand, mergeCommand, reportCommand];
