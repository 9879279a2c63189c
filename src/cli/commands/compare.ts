// `losslab compare <current> <baseline>`: checks results against a baseline with per-metric tolerances.
import type { CommandModule } from 'yargs';
import type { Io } from '../../io';
import { runCompare } from '../../compare/run';
import { numberFlag } from '../flags';

interface CompareArgs {
  current: string;
  baseline: string;
  tolerances?: string;
  tol?: string[];
  k: string;
  json: boolean;
  junit?: string;
}

/** The compare command: exit 0 pass, 1 regression, 2 bad input. */
export function compareCommand(io: Io, setExit: (code: number) => void): CommandModule<object, CompareArgs> {
  return {
    command: 'compare <current> <baseline>',
    describe: 'Compare results (a folder or summary.csv) with a baseline; exit 0 pass, 1 regression, 2 bad input',
    builder: (yargs) =>
      yargs
        .positional('current', { type: 'string', demandOption: true, describe: 'Results folder or summary.csv to check' })
        .positional('baseline', { type: 'string', demandOption: true, describe: 'Baseline results folder or summary.csv' })
        .option('tolerances', { type: 'string', describe: 'YAML/JSON file: metric -> {abs|rel|factor: number, direction}' })
        .option('tol', {
          type: 'string',
          array: true,
          describe: 'Tolerance for one metric, repeatable: metric=abs|rel|factor:value[:no-drop|no-rise|both] or metric=off',
        })
        .option('k', { type: 'string', default: '2', describe: 'Baseline standard deviations allowed for replicated runs (a number >= 0)' })
        .option('json', { type: 'boolean', default: false, describe: 'Print machine-readable JSON instead of the table' })
        .option('junit', { type: 'string', describe: 'Also write JUnit XML to this file' }),
    handler: (argv) => {
      setExit(
        runCompare(
          {
            current: argv.current,
            baseline: argv.baseline,
            tolerances: argv.tolerances,
            tol: argv.tol,
            k: numberFlag('--k', argv.k, 0, 'baseline standard deviations allowed'),
            json: argv.json,
            junit: argv.junit,
          },
          io,
        ),
      );
    },
  };
}
