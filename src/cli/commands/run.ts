// `losslab run <file>`: trains every run of an experiment file and writes the results folder.
import type { CommandModule } from 'yargs';
import { AUTO_ORDER, BACKEND_CHOICES, type BackendChoice } from '../../backend/select';
import { ConfigError, ExitCode } from '../../errors';
import { runWithJobs } from '../../runner/jobs';
import { runExperiment } from '../../runner/run-experiment';
import { parseShard } from '../../runner/shard';
import type { Io } from '../../io';

interface RunArgs {
  file: string;
  out?: string;
  backend: BackendChoice;
  force: boolean;
  resume: boolean;
  report: boolean;
  epochs?: number;
  seeds?: string;
  only?: string;
  shard?: string;
  jobs: number;
}

/** Parses `--seeds 1,2,3` into integers; anything else is a ConfigError naming the flag. */
export function parseSeeds(text: string): number[] {
  const parts = text.split(',').map((s) => s.trim());
  const seeds = parts.map(Number);
  const bad = parts.find((p, i) => p === '' || !Number.isInteger(seeds[i]) || seeds[i] < 0);
  if (bad !== undefined) throw new ConfigError(`--seeds: expected comma-separated integers >= 0 such as 1,2,3, received "${text}".`);
  return seeds;
}

/** Cross-flag rules, kept pure so they are tested without spawning a process. */
export function checkRunArgs(args: Pick<RunArgs, 'epochs' | 'force' | 'resume'> & Partial<Pick<RunArgs, 'jobs' | 'shard'>>): void {
  if (args.jobs !== undefined && (!Number.isInteger(args.jobs) || args.jobs < 1)) {
    throw new ConfigError(`--jobs: expected an integer >= 1, received ${args.jobs}.`);
  }
  if (args.jobs !== undefined && args.jobs > 1 && args.shard !== undefined) {
    throw new ConfigError(
      "--jobs and --shard conflict: --shard picks one machine's part of a sweep; run --jobs inside each shard by sharding further (e.g. --shard 3/8) instead.",
    );
  }
  if (args.epochs !== undefined && (!Number.isInteger(args.epochs) || args.epochs < 0)) {
    throw new ConfigError(`--epochs: expected an integer >= 0, received ${args.epochs}.`);
  }
  if (args.force && args.resume) {
    throw new ConfigError('--force and --resume conflict: --force replaces the results in the folder, --resume continues them. Pick one.');
  }
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
        .option('epochs', { type: 'number', describe: 'Override every run’s epochs (for a quick try)' })
        .option('seeds', { type: 'string', describe: 'Override the seeds, e.g. 1,2' })
        .option('only', { type: 'string', describe: 'Only runs whose name matches this glob (comma-separated alternatives)' })
        .option('shard', { type: 'string', describe: 'Run shard i of N (1-based), e.g. 2/4' })
        .option('jobs', { type: 'number', default: 1, describe: 'Worker processes, each with its own backend' }) as never,
    handler: async (args) => {
      checkRunArgs(args);
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
          shard: args.shard === undefined ? undefined : parseShard(args.shard),
          report: args.report,
          overrides: { epochs: args.epochs, seeds: args.seeds === undefined ? undefined : parseSeeds(args.seeds), only: args.only },
          io,
          stop,
        };
        setExit(args.jobs > 1 ? await runWithJobs(runOptions, args.jobs) : await runExperiment(runOptions));
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    },
  };
}
