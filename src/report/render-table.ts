// Renders a ReportTable as a GitHub Markdown table, an HTML table, a booktabs LaTeX table, or tidy CSV.
import { toCsv } from '../results/csv';
import { blankRepeats, type ReportTable } from './table';

/** A GitHub-flavoured Markdown table; repeated leading group cells are left blank so groups stand out. */
export function tableToMarkdown(table: ReportTable): string {
  const line = (cells: readonly string[]) => `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
  const rule = `| ${table.align.map((a) => (a === 'right' ? '---:' : ':---')).join(' | ')} |`;
  return [line(table.headers), rule, ...blankRepeats(table.rows, table.groupColumns).map(line)].join('\n') + '\n';
}

/** The table's tidy CSV (raw numbers, fractions as fractions). */
export function tableToCsv(table: ReportTable): string {
  return toCsv(table.csvColumns, table.csvRows);
}

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** An HTML table; a row that starts a new value of the first grid key gets class "group-start" (a rule above it). */
export function tableToHtml(table: ReportTable): string {
  const cls = (i: number) => (table.align[i] === 'right' ? ' class="num"' : '');
  const head = table.headers.map((h, i) => `<th${cls(i)}>${escapeHtml(h)}</th>`).join('');
  const body = blankRepeats(table.rows, table.groupColumns)
    .map((cells, r) => {
      const starts = r > 0 && table.groupColumns > 1 && cells[0] !== '';
      const tds = cells.map((c, i) => `<td${cls(i)}>${escapeHtml(c)}</td>`).join('');
      return `<tr${starts ? ' class="group-start"' : ''}>${tds}</tr>`;
    })
    .join('\n');
  return `<table id="table-${table.name}">\n<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table>\n`;
}

const LATEX_REPLACEMENTS: Record<string, string> = {
  '\\': '\\textbackslash{}',
  '&': '\\&',
  '%': '\\%',
  $: '\\$',
  '#': '\\#',
  _: '\\_',
  '{': '\\{',
  '}': '\\}',
  '~': '\\textasciitilde{}',
  '^': '\\textasciicircum{}',
  '±': '$\\pm$',
  '−': '$-$',
  '÷': '$\\div$',
  '×': '$\\times$',
  '∞': '$\\infty$',
  '—': '---',
};

/** Escapes text for LaTeX, mapping the report's symbols (±, −, ÷, ×, ∞, —) to their math forms. */
export function escapeLatex(text: string): string {
  // One pass, so a replacement's own backslashes and braces are never escaped again.
  return text.replace(/[\\&%$#_{}~^±−÷×∞—]/g, (ch) => LATEX_REPLACEMENTS[ch]);
}

/** A booktabs table (needs \usepackage{booktabs}); \addlinespace separates values of the first grid key. */
export function tableToLatex(table: ReportTable): string {
  const spec = table.align.map((a) => (a === 'right' ? 'r' : 'l')).join('');
  const row = (cells: readonly string[]) => `${cells.map(escapeLatex).join(' & ')} \\\\`;
  const body = blankRepeats(table.rows, table.groupColumns).flatMap((cells, r) =>
    r > 0 && table.groupColumns > 1 && cells[0] !== '' ? ['\\addlinespace', row(cells)] : [row(cells)],
  );
  return [
    '% Requires \\usepackage{booktabs}.',
    '\\begin{table}[htbp]',
    '\\centering',
    `\\caption{${escapeLatex(table.title)}}`,
    `\\label{tab:${table.name}}`,
    `\\begin{tabular}{${spec}}`,
    '\\toprule',
    row(table.headers),
    '\\midrule',
    ...body,
    '\\bottomrule',
    '\\end{tabular}',
    '\\end{table}',
    '',
  ].join('\n');
}
