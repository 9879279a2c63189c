// `losslab report <results-dir>`: writes the report (Markdown, HTML, CSV and LaTeX tables, SVG plots) of a results folder.
import * as path from 'path';
import type { CommandModule } from 'yargs';
import { ExitCode } from '../../errors';
import { DEFAULT_FORMATS, REPORT_FORMATS, writeReport } from '../../report';
import type { Io } from '../../io';
import { INTERVAL_CHOICES, type IntervalChoice } from '../../stats';

interface ReportArgs {
  'results-dir': string;
  out?: string;
  format?: string[];
  reference?: string;
  interval?: IntervalChoice;
}

/** The report command: reads only the contract files, so it works on copied or merged results. */
export function reportCommand(io: Io, setExit: (code: number) => void): CommandModule<object, ReportArgs> {
  return {
    command: 'report <results-dir>',
    describe: 'Write tables and plots of a results folder (report.md, report.html, tables/, plots/)',
    builder: (yargs) =>
      yargs
        .positional('results-dir', {
          type: 'string',
          demandOption: true,
          describe: 'A results folder written by "losslab run" or "losslab merge"',
        })
        .option('out', { type: 'string', describe: 'Output folder [default: <results-dir>/report]' })
        .option('format', {
          type: 'string',
          array: true,
          describe: `Comma-separated formats: ${REPORT_FORMATS.join(', ')} [default: ${DEFAULT_FORMATS.join(',')}]`,
        })
        .option('reference', {
          type: 'string',
          describe: 'Compare each run with this run in the differences table [default: report.reference of the experiment file]',
        })
        .option('interval', {
          choices: INTERVAL_CHOICES,
          describe: 'How the differences table makes its 95% intervals [default: report.interval of the experiment file, else auto]',
        })
        .example('$0 report results/loss-grid', 'Markdown, HTML and CSV into results/loss-grid/report')
        .example('$0 report results/loss-grid --out paper --format latex,csv', 'booktabs tables for a paper'),
    handler: async (args) => {
      const { files } = await writeReport(args['results-dir'], {
        out: args.out,
        formats: args.format,
        reference: args.reference,
        interval: args.interval,
      });
      const out = args.out ?? path.join(args['results-dir'], 'report');
      io.out(`losslab report: wrote ${files.length} files to ${out}\n`);
      for (const file of files) io.out(`  ${path.relative(out, file)}\n`);
      setExit(ExitCode.ok);
    },
  };
}
