// `losslab run <file>`: trains every run of an experiment file and writes the results folder.
import type { CommandModule } from 'yargs';
import { AUTO_ORDER, BACKEND_CHOICES, type BackendChoice } from '../../backend/select';
import { ConfigError, ExitCode } from '../../errors';
import { runWithJobs } from '../../runner/jobs';
import { runExperiment } from '../../runner/run-experiment';
import { parseShard, type Shard } from '../../runner/shard';
import type { Io } from '../../io';
import { quote } from '../../util/quote';

interface RunArgs {
  file: string;
  out?: string;
  backend: BackendChoice;
  force: boolean;
  resume: boolean;
  report: boolean;
  /** The flags below are kept as typed and parsed by checkRunArgs, so a message can quote what was received. */
  epochs?: string;
  seeds?: string;
  only?: string;
  shard?: string;
  jobs?: string;
}

/** The flags checkRunArgs parses and checks against each other. */
export type RunFlags = Pick<RunArgs, 'epochs' | 'seeds' | 'shard' | 'jobs' | 'force' | 'resume'>;

/** What checkRunArgs returns: the parsed values of the flags it checked. */
export interface CheckedRunFlags {
  epochs?: number;
  seeds?: number[];
  shard?: Shard;
  /** Worker processes; 1 without --jobs. */
  jobs: number;
}

/** User text in a message: quoted with JSON escapes, and cut short when long. */
const quoted = (text: string) => quote(text, 40);

/** Parses `--seeds 1,2,3` into distinct integers >= 0; anything else is a ConfigError naming the flag. */
export function parseSeeds(text: string): number[] {
  const parts = text.split(',').map((s) => s.trim());
  const seeds = parts.map((part) => (/^\d+$/.test(part) ? Number(part) : NaN));
  if (seeds.some((seed) => !Number.isSafeInteger(seed))) {
    throw new ConfigError(`--seeds: expected comma-separated integers >= 0 such as 1,2,3, received ${quoted(text)}.`);
  }
  const repeated = seeds.find((seed, index) => seeds.indexOf(seed) !== index);
  if (repeated !== undefined) {
    throw new ConfigError(
      `--seeds: seed ${repeated} is given twice in ${quoted(text)}; each seed gives one run, so a repeat would train the same run twice.`,
    );
  }
  return seeds;
}

/** Parses a whole-number flag (`--jobs 2`, `--epochs 0`): digits only, at least `min`. */
export function parseIntegerFlag(flag: string, text: string, min: number): number {
  const value = /^\s*\d+\s*$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(value) || value < min) {
    throw new ConfigError(`${flag}: expected an integer >= ${min}, received ${text.trim() === '' ? 'nothing' : quoted(text)}.`);
  }
  return value;
}

/**
 * The cross-flag rules of `losslab run`, kept pure so they are tested without spawning a process: each flag is
 * parsed, then the combinations that cannot work are refused. Throws a ConfigError (exit 2) naming the flag(s).
 */
export function checkRunArgs(args: RunFlags): CheckedRunFlags {
  const jobs = args.jobs === undefined ? 1 : parseIntegerFlag('--jobs', args.jobs, 1);
  const shard = args.shard === undefined ? undefined : parseShard(args.shard);
  if (jobs > 1 && shard !== undefined) {
    throw new ConfigError(
      "--jobs and --shard conflict: --shard picks one machine's part of a sweep; run --jobs inside each shard by sharding further (e.g. --shard 3/8) instead.",
    );
  }
  const epochs = args.epochs === undefined ? undefined : parseIntegerFlag('--epochs', args.epochs, 0);
  const seeds = args.seeds === undefined ? undefined : parseSeeds(args.seeds);
  if (args.force && args.resume) {
    throw new ConfigError('--force and --resume conflict: --force replaces the results in the folder, --resume continues them. Pick one.');
  }
  return { jobs, shard, epochs, seeds };
}

export function runCommand(io: Io, setExit: (code: number) => void): CommandModule<object, RunArgs> {
  return {
    command: 'run <file>',
    describe: 'Train every run of an experiment file and write CSV results',
    builder: (y) =>
      // yargs' inferred builder type does not unify with CommandBuilder<RunArgs>: tsc rejects it without `as never`.
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
      y
        .positional('file', { type: 'string', demandOption: true, describe: 'Experiment file (YAML or JSON)' })
        .option('out', { type: 'string', describe: 'Results folder (default results/<experiment name>)' })
        .option('backend', {
          choices: BACKEND_CHOICES,
          // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- tsc needs it: yargs infers string from choices
          default: 'auto' as BackendChoice,
          describe: `auto tries ${AUTO_ORDER.join(', then ')}`,
        })
        .option('force', { type: 'boolean', default: false, describe: 'Replace results of a different experiment in --out' })
        .option('resume', {
          type: 'boolean',
          default: false,
          describe: 'Skip complete runs; continue interrupted ones from their last epoch',
        })
        .option('report', { type: 'boolean', default: false, describe: 'Write the report when the runs finish' })
        .option('epochs', { type: 'string', describe: 'Override every run’s epochs (for a quick try)' })
        .option('seeds', { type: 'string', describe: 'Override the seeds, e.g. 1,2' })
        .option('only', { type: 'string', describe: 'Only runs whose name matches this glob (comma-separated alternatives)' })
        .option('shard', { type: 'string', describe: 'Run shard i of N (1-based), e.g. 2/4' })
        .option('jobs', { type: 'string', describe: 'Worker processes, each with its own backend [default: 1]' }) as never,
    handler: async (args) => {
      const { jobs, shard, epochs, seeds } = checkRunArgs(args);
      const stop = { requested: false };
      const onSignal = (signal: NodeJS.Signals) => {
        if (stop.requested) process.exit(ExitCode.interrupted);
        stop.requested = true;
        io.err(`\nlosslab: ${signal}: stopping after this step; results so far are kept (send again to quit at once)\n`);
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      try {
        const runOptions = {
          file: args.file,
          out: args.out,
          backend: args.backend,
          force: args.force,
          resume: args.resume,
          shard,
          report: args.report,
          overrides: { epochs, seeds, only: args.only },
          io,
          stop,
        };
        setExit(jobs > 1 ? await runWithJobs(runOptions, jobs) : await runExperiment(runOptions));
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    },
  };
}
