// writeReport: turns a results folder into report.md, report.html, tables/*.csv|tex and plots/*.svg.
import * as path from 'path';
import { checkOutputFolder, createOutputFolder } from '../files/output-folder';
import { writeFileAtomic } from '../results/atomic';
import { DEFAULT_FORMATS, parseFormats } from './output-formats';
import { reportToHtml } from './html';
import { loadResults } from './load';
import { reportToMarkdown } from './markdown';
import { buildReport } from './model';
import type { IntervalChoice } from '../stats';
import { tableToCsv, tableToLatex } from './render-table';
import { renderSvgs } from './svg';

export { REPORT_FORMATS, DEFAULT_FORMATS, parseFormats, type ReportFormat } from './output-formats';

/** Options of writeReport. */
export interface ReportOptions {
  /** Output folder; default `<resultsDir>/report`. */
  out?: string;
  /** Formats (each may be comma-separated): md, html, csv, latex; default md, html, csv. */
  formats?: string[];
  /** Compare every run with this run (overrides experiment.json's report.reference). */
  reference?: string;
  /** How intervals are made (overrides experiment.json's report.interval). */
  interval?: IntervalChoice;
}

/**
 * Writes the report of the results folder `resultsDir`, reading only its contract files. Resolves to the paths
 * written, in writing order. Bad input throws ResultsError (the results folder), ConfigError or OutputError (--format,
 * --out): exit code 2.
 */
export async function writeReport(resultsDir: string, options: ReportOptions = {}): Promise<{ files: string[] }> {
  const formats = parseFormats(options.formats ?? [...DEFAULT_FORMATS]);
  const data = loadResults(resultsDir);
  const out = options.out ?? path.join(resultsDir, 'report');
  checkOutputFolder(out);
  const model = buildReport(data, { reference: options.reference, interval: options.interval });
  createOutputFolder(out);
  const files: string[] = [];
  const write = (relative: string, text: string) => {
    const file = path.join(out, relative);
    writeFileAtomic(file, text);
    files.push(file);
  };
  for (const table of model.tables) {
    if (formats.includes('csv')) write(path.join('tables', `${table.name}.csv`), tableToCsv(table));
    if (formats.includes('latex')) write(path.join('tables', `${table.name}.tex`), tableToLatex(table));
  }
  if (formats.includes('md') || formats.includes('html')) {
    const rendered = await renderSvgs(model.charts.map((c) => c.spec));
    const svgs = new Map(model.charts.map((c, i) => [c.name, rendered[i]]));
    if (formats.includes('md')) {
      for (const chart of model.charts) write(path.join('plots', `${chart.name}.svg`), svgs.get(chart.name)!);
      write('report.md', reportToMarkdown(model, { linkCsv: formats.includes('csv') }));
    }
    if (formats.includes('html')) write('report.html', reportToHtml(model, svgs));
  }
  return { files };
}
