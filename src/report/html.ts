// report.html: one self-contained page (inline CSS and SVG, no external resources) that opens offline.
import type { ReportModel } from './model';
import { escapeHtml, tableToHtml } from './render-table';
import { prefixSvgIds } from './svg';

const STYLE = `
:root { color-scheme: light; }
body { font: 15px/1.5 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: #1f2328; background: #fff;
  margin: 0 auto; padding: 24px 32px 64px; max-width: 1360px; }
h1 { font-size: 28px; margin: 0 0 4px; }
h2 { font-size: 21px; margin: 40px 0 8px; padding-bottom: 4px; border-bottom: 1px solid #d8dee4; }
h3 { font-size: 17px; margin: 28px 0 6px; }
p.lede { color: #444; margin: 0 0 12px; font-size: 16px; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 8px 0 0; font-size: 14px; }
dl.facts dt { color: #57606a; }
dl.facts dd { margin: 0; }
nav { font-size: 14px; margin: 16px 0 0; }
nav a { margin-right: 14px; color: #0969da; text-decoration: none; }
p.desc { color: #444; font-size: 14px; margin: 4px 0 10px; max-width: 900px; }
.table-wrap { overflow-x: auto; margin: 0 0 8px; }
table { border-collapse: collapse; font-size: 13.5px; font-variant-numeric: tabular-nums; }
th, td { padding: 5px 10px; text-align: left; white-space: nowrap; }
th { border-bottom: 2px solid #444; font-weight: 600; vertical-align: bottom; }
td.num, th.num { text-align: right; }
tbody tr:nth-child(even) { background: #f6f8fa; }
tbody tr.group-start td { border-top: 1px solid #8c959f; }
tbody tr:last-child td { border-bottom: 2px solid #444; }
figure.chart { margin: 12px 0 24px; overflow-x: auto; }
figure.chart svg { max-width: none; height: auto; display: block; }
figcaption { color: #444; font-size: 14px; max-width: 900px; margin-top: 4px; }
.empty { color: #57606a; font-style: italic; }
ul.notes { font-size: 14px; color: #444; }
a.csv { font-size: 13px; color: #57606a; }
`;

/*
 * Runs in the browser when the page loads: counts, for each chart, the data marks (children of vega's
 * "role-mark" groups) that have a non-empty bounding box, and writes the count to the figure's data-marks.
 * The end-to-end test reads these attributes from Chromium's --dump-dom, so the check is made by real layout.
 */
export const MARK_CHECK = `
(function () {
  var figures = document.querySelectorAll('figure.chart');
  var drawn = 0;
  for (var i = 0; i < figures.length; i++) {
    var marks = figures[i].querySelectorAll('svg .role-mark > *');
    var count = 0;
    for (var j = 0; j < marks.length; j++) {
      var box = marks[j].getBBox ? marks[j].getBBox() : null;
      if (box && (box.width > 0 || box.height > 0)) count++;
    }
    figures[i].setAttribute('data-marks', String(count));
    if (count > 0) drawn++;
  }
  document.body.setAttribute('data-charts', String(figures.length));
  document.body.setAttribute('data-charts-drawn', String(drawn));
})();
`;

const NOTHING = 'Nothing to show: no run has the files this';

/** Renders the report as one HTML page; `svgs` maps chart name to its rendered SVG. */
export function reportToHtml(model: ReportModel, svgs: ReadonlyMap<string, string>): string {
  const anchor = (title: string) =>
    title
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '');
  const parts: string[] = [];
  parts.push(`<h1>${escapeHtml(model.title)}</h1>`);
  if (model.description) parts.push(`<p class="lede">${escapeHtml(model.description)}</p>`);
  parts.push(`<dl class="facts">${model.facts.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join('')}</dl>`);
  const navItems = [...model.sections.map((s) => s.title), ...(model.notes.length > 0 ? ['Notes'] : [])];
  parts.push(`<nav>${navItems.map((t) => `<a href="#${anchor(t)}">${escapeHtml(t)}</a>`).join('')}</nav>`);
  for (const section of model.sections) {
    parts.push(`<h2 id="${anchor(section.title)}">${escapeHtml(section.title)}</h2>`);
    if (section.blocks.length === 0) parts.push(`<p class="empty">${NOTHING} section needs (see Notes).</p>`);
    for (const block of section.blocks) {
      if (block.kind === 'table') {
        const { table } = block;
        if (table.title !== section.title) parts.push(`<h3>${escapeHtml(table.title)}</h3>`);
        parts.push(`<p class="desc">${escapeHtml(table.description)}</p>`);
        parts.push(
          table.rows.length > 0
            ? `<div class="table-wrap">${tableToHtml(table)}</div>`
            : `<p class="empty">${NOTHING} table needs (see Notes).</p>`,
        );
      } else {
        const { chart } = block;
        const svg = svgs.get(chart.name);
        if (svg === undefined) continue;
        parts.push(
          `<figure class="chart" data-chart="${escapeHtml(chart.name)}">\n${prefixSvgIds(stripXmlDeclaration(svg), chart.name)}\n` +
            `<figcaption>${escapeHtml(chart.caption)}</figcaption>\n</figure>`,
        );
      }
    }
  }
  if (model.notes.length > 0) {
    parts.push(`<h2 id="notes">Notes</h2>`);
    parts.push(`<ul class="notes">${model.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>`);
  }
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(model.title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    ...parts,
    `<script>${MARK_CHECK}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

function stripXmlDeclaration(svg: string): string {
  return svg.replace(/^<\?xml[^>]*>\s*/, '');
}
