// report.md: the report as GitHub Markdown, with tables inline and plots linked as SVG files under plots/.
import type { ReportModel } from './model';
import { tableToMarkdown } from './render-table';

/** Options: whether the tables' CSV files exist to link to. */
export interface MarkdownOptions {
  linkCsv: boolean;
}

/** Renders the report as Markdown; plots are referenced as plots/<name>.svg. */
export function reportToMarkdown(model: ReportModel, options: MarkdownOptions): string {
  const lines: string[] = [`# ${model.title}`, ''];
  if (model.description) lines.push(model.description, '');
  for (const [label, value] of model.facts) lines.push(`- **${label}:** ${value}`);
  lines.push('');
  for (const section of model.sections) {
    lines.push(`## ${section.title}`, '');
    if (section.blocks.length === 0) lines.push('_Nothing to show: no run has the files this section needs (see Notes)._', '');
    for (const block of section.blocks) {
      if (block.kind === 'table') {
        const { table } = block;
        if (table.title !== section.title) lines.push(`### ${table.title}`, '');
        lines.push(table.description, '');
        lines.push(
          table.rows.length > 0 ? tableToMarkdown(table) : '_Nothing to show: no run has the files this table needs (see Notes)._\n',
        );
        if (options.linkCsv) lines.push(`CSV: [tables/${table.name}.csv](tables/${table.name}.csv)`, '');
      } else {
        const { chart } = block;
        lines.push(`### ${chart.title}`, '', `![${chart.title}](plots/${chart.name}.svg)`, '', chart.caption, '');
      }
    }
  }
  if (model.notes.length > 0) {
    lines.push('## Notes', '', ...model.notes.map((n) => `- ${n}`), '');
  }
  return lines.join('\n');
}
