// `losslab merge <dirs...> --out DIR`: combines shard results folders into one results folder.
import type { CommandModule } from 'yargs';
import type { Io } from '../../io';
import { runMerge } from '../../merge/run';

interface MergeArgs {
  dirs: string[];
  out: string;
  'allow-missing': boolean;
}

/** The merge command: exit 0 merged, 2 bad input (different experiments, duplicate or missing runs). */
export function mergeCommand(io: Io, setExit: (code: number) => void): CommandModule<object, MergeArgs> {
  return {
    command: 'merge <dirs...>',
    describe: 'Merge the results folders of `run --shard i/N` into one results folder',
    builder: (yargs) =>
      yargs
        .positional('dirs', { type: 'string', array: true, demandOption: true, describe: 'Shard results folders' })
        .option('out', { type: 'string', demandOption: true, describe: 'New folder for the merged results' })
        .option('allow-missing', { type: 'boolean', default: false, describe: 'Merge even if some runs are in no shard' }),
    handler: (argv) => {
      setExit(runMerge({ dirs: argv.dirs, out: argv.out, allowMissing: argv['allow-missing'] }, io));
    },
  };
}
