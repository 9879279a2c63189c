// Writes the anatomy: anatomy.csv (every swept point), anatomy-summary.csv, anatomy.svg and a self-contained anatomy.html.
import * as path from 'path';
import { checkOutputFolder, createOutputFolder } from '../files/output-folder';
import { writeFileAtomic } from '../results/atomic';
import { ANATOMY_COLUMNS, ANATOMY_SUMMARY_COLUMNS, AnatomyFiles } from '../results/contract';
import { toCsv } from '../results/csv';
import { MARK_CHECK } from '../report/html';
import { escapeHtml } from '../report/render-table';
import { prefixSvgIds, renderSvgs } from '../report/svg';
import { textTableLines } from '../util/text-table';
import { anatomySpec } from './chart';
import { CONFIDENTLY_WRONG, VANISHING_RATIO, type AnatomyRow, type AnatomySummary } from './compute';
import { summaryTable } from './summary-table';

/** The printed summary: a fixed-width table and a line on how to read it. */
export function summaryText(summaries: readonly AnatomySummary[]): string {
  const { header, rows } = summaryTable(summaries);
  return [
    ...textTableLines(header, rows, { rule: true }),
    '',
    `p is the true class's output probability (K = 10, the rest spread evenly); "vanishes" when max|∂L/∂z| at p = ${CONFIDENTLY_WRONG} is below ${VANISHING_RATIO * 100}% of its peak over p.`,
    '',
  ].join('\n');
}

/** Writes the four files into `out` (checked and created by the one output-folder function); resolves to their paths. */
export async function writeAnatomy(out: string, rows: readonly AnatomyRow[], summaries: readonly AnatomySummary[]): Promise<string[]> {
  checkOutputFolder(out);
  const [svg] = await renderSvgs([anatomySpec(rows)]);
  const files: [string, string][] = [
    [AnatomyFiles.rows, toCsv(ANATOMY_COLUMNS, rows as unknown as Record<string, unknown>[])],
    [AnatomyFiles.summary, toCsv(ANATOMY_SUMMARY_COLUMNS, summaries as unknown as Record<string, unknown>[])],
    [AnatomyFiles.plot, svg],
    [AnatomyFiles.page, anatomyHtml(summaries, svg)],
  ];
  createOutputFolder(out);
  return files.map(([name, text]) => {
    const file = path.join(out, name);
    writeFileAtomic(file, text);
    return file;
  });
}

/** anatomy.html: the summary table and the plot, inline and offline, with the report's mark check for browsers. */
export function anatomyHtml(summaries: readonly AnatomySummary[], svg: string): string {
  const { header, rows } = summaryTable(summaries);
  const table = [
    '<table>',
    `<thead><tr>${header.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead>`,
    `<tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`).join('\n')}</tbody>`,
    '</table>',
  ].join('\n');
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<title>losslab anatomy</title>',
    '<style>body { font: 15px/1.5 Helvetica, Arial, sans-serif; margin: 24px 32px; color: #1f2328; } table { border-collapse: collapse; font-size: 13.5px; } th, td { padding: 4px 10px; text-align: left; white-space: nowrap; } th { border-bottom: 2px solid #444; } figure.chart { margin: 16px 0; overflow-x: auto; } figcaption { color: #444; font-size: 14px; max-width: 900px; }</style>',
    '</head>',
    '<body>',
    '<h1>Loss anatomy</h1>',
    `<p>The loss of one example and its gradient ∂L/∂z at the logits as the output probabilities sweep from wrong to right (K = 10; the swept class at p, the others sharing 1 − p evenly). "Vanishes": max|∂L/∂z| at p<sub>true</sub> = ${CONFIDENTLY_WRONG} is below ${VANISHING_RATIO * 100}% of its peak — Nielsen's learning slowdown.</p>`,
    table,
    `<figure class="chart" data-chart="anatomy">\n${prefixSvgIds(svg.replace(/^<\?xml[^>]*>\s*/, ''), 'anatomy')}\n<figcaption>One line per output:loss pair; log y scales from 1e-5 (smaller values are clipped, exact zeros left out).</figcaption>\n</figure>`,
    `<script>${MARK_CHECK}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
