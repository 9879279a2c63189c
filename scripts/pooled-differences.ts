// The differences table over several results folders of one experiment (run with different --seeds or --only), as Markdown.
// Usage: node dist/scripts/pooled-differences.js [--seeds 1,2,3] [--reference <run> | --vary run|<grid key>] [--metrics a,b] <folder>...
// Each run's seeds are pooled from every folder (a run id found twice is taken once); the table is the one
// `losslab report` writes for a folder holding all of them, so Holm adjusts over the whole table. --vary keeps only the
// pairs that differ in that one factor (the run, or a grid key), a family of its own; --metrics only filters the display.
import { ConfigError } from '../src/errors';
import { comparedPairs, differencesTable, type RunPair } from '../src/report/differences-table';
import { groupRuns } from '../src/report/groups';
import { loadResults, type ResultsData } from '../src/report/load';
import { tableToMarkdown } from '../src/report/render-table';
import type { ReportTable } from '../src/report/table';
import { baseRunName, gridValueText } from '../src/util/grid-text';

interface Options {
  folders: string[];
  seeds?: number[];
  reference?: string;
  vary?: string;
  metrics?: string[];
}

function parseArgs(argv: readonly string[]): Options {
  const options: Options = { folders: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--seeds') options.seeds = argv[++i].split(',').map(Number);
    else if (arg === '--reference') options.reference = argv[++i];
    else if (arg === '--metrics') options.metrics = argv[++i].split(',');
    else if (arg === '--vary') options.vary = argv[++i];
    else options.folders.push(arg);
  }
  if (options.folders.length === 0) throw new ConfigError('expected one or more results folders');
  return options;
}

/** One ResultsData holding every run of `folders` (first occurrence of a run id wins), optionally only some seeds. */
function poolResults(folders: readonly string[], seeds?: readonly number[]): ResultsData {
  const loaded = folders.map(loadResults);
  const names = new Set(loaded.map((data) => data.experiment.name));
  if (names.size > 1) throw new ConfigError(`the folders hold different experiments: ${[...names].join(', ')}`);
  const keep = (seed: number) => seeds === undefined || seeds.includes(seed);
  const experimentRuns = new Map(
    loaded.flatMap((data) => data.experiment.runs.filter((run) => keep(run.seed)).map((run) => [run.id, run])),
  );
  const runs = new Map(loaded.flatMap((data) => data.runs.filter((run) => keep(run.seed)).map((run) => [run.id, run])));
  return {
    ...loaded[0],
    experiment: { ...loaded[0].experiment, runs: [...experimentRuns.values()] },
    runs: [...runs.values()],
    warnings: loaded.flatMap((data) => data.warnings),
  };
}

function main(): void {
  const options = parseArgs(process.argv.slice(2));
  const data = poolResults(options.folders, options.seeds);
  const groups = groupRuns(data);
  const gridKeys = data.experiment.gridKeys;
  const differs = (pair: RunPair, key: string) =>
    key === 'run'
      ? baseRunName(pair.run.name) !== baseRunName(pair.vs.name)
      : gridValueText(pair.run.gridValues[key]) !== gridValueText(pair.vs.gridValues[key]);
  if (options.vary !== undefined && options.vary !== 'run' && !gridKeys.includes(options.vary)) {
    throw new ConfigError(`--vary: expected run or a grid key (${gridKeys.join(', ')}); received ${JSON.stringify(options.vary)}`);
  }
  const pairs = options.vary === undefined ? undefined : comparedPairs(groups, gridKeys).filter((pair) => differs(pair, options.vary!));
  const table = differencesTable(groups, data, { reference: options.reference, interval: 'auto' }, pairs);
  if (table === undefined) {
    process.stdout.write('Nothing to compare.\n');
    return;
  }
  const shown: ReportTable =
    options.metrics === undefined
      ? table
      : {
          ...table,
          rows: table.rows.filter((_, i) => options.metrics!.includes(String(table.csvRows[i].metric))),
          csvRows: table.csvRows.filter((row) => options.metrics!.includes(String(row.metric))),
        };
  const seeds = [...new Set(data.runs.map((run) => run.seed))].sort((a, b) => a - b);
  process.stdout.write(`Seeds pooled: ${seeds.join(', ')} from ${options.folders.join(', ')}\n\n${table.description}\n\n`);
  process.stdout.write(tableToMarkdown(shown));
}

main();
