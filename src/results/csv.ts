// CSV text in and out: written with csv-writer (quoted per RFC 4180, spreadsheet-safe), read back by a small parser.
import { createObjectCsvStringifier } from 'csv-writer';

/** Cells spreadsheets would treat as formulas; they get a leading apostrophe unless they are plain numbers. */
const FORMULA_START = /^[=+\-@\t\r]/;
const PLAIN_NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$|^[-+]?(Infinity|NaN)$/;

/** One cell as text: numbers in full precision, empty for null/undefined, formula-like strings defused. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return String(value);
  const text = typeof value === 'string' ? value : typeof value === 'boolean' ? String(value) : (JSON.stringify(value) ?? '');
  if (FORMULA_START.test(text) && !PLAIN_NUMBER.test(text)) return `'${text}`;
  return text;
}

/** The CSV header line for `columns`, with a trailing newline. */
export function csvHeader(columns: readonly string[]): string {
  return stringifier(columns).getHeaderString() ?? '';
}

/** Rows as CSV lines (no header), each ending in a newline. Missing cells are empty. */
export function csvRows(columns: readonly string[], rows: readonly Record<string, unknown>[]): string {
  const safe = rows.map((row) => Object.fromEntries(columns.map((c) => [c, cellText(row[c])])));
  return stringifier(columns).stringifyRecords(safe);
}

/** A whole CSV document: header then rows. */
export function toCsv(columns: readonly string[], rows: readonly Record<string, unknown>[]): string {
  return csvHeader(columns) + csvRows(columns, rows);
}

function stringifier(columns: readonly string[]) {
  return createObjectCsvStringifier({ header: columns.map((c) => ({ id: c, title: c })) });
}

/** A parsed CSV document: its header and one record per row, keyed by column name. */
export interface CsvTable {
  columns: string[];
  rows: Record<string, string>[];
}

/** Parses RFC 4180 CSV (quoted cells, doubled quotes, CRLF or LF). Throws on a row with the wrong cell count. */
export function parseCsv(text: string, source = 'CSV'): CsvTable {
  const records = parseRecords(text);
  if (records.length === 0) return { columns: [], rows: [] };
  const [columns, ...body] = records;
  const rows = body.map((cells, index) => {
    if (cells.length !== columns.length) {
      throw new Error(`${source}: row ${index + 2} has ${cells.length} cells, expected ${columns.length}`);
    }
    return Object.fromEntries(columns.map((c, i) => [c, cells[i]]));
  });
  return { columns, rows };
}

function parseRecords(text: string): string[][] {
  // Fast path: losslab's numeric files have no quoted cells, so lines and commas split them exactly.
  if (!text.includes('"')) {
    const lines = text.split(/\r?\n/);
    if (lines[lines.length - 1] === '') lines.pop();
    return lines.map((line) => line.split(','));
  }
  const records: string[][] = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i += 2;
        continue;
      }
      if (ch === '"') quoted = false;
      else cell += ch;
      i++;
      continue;
    }
    if (ch === '"') quoted = true;
    else if (ch === ',') {
      cells.push(cell);
      cell = '';
    } else if (ch === '\n' || ch === '\r') {
      cells.push(cell);
      records.push(cells);
      cells = [];
      cell = '';
      if (ch === '\r' && text[i + 1] === '\n') i++;
    } else cell += ch;
    i++;
  }
  if (cell !== '' || cells.length > 0) {
    cells.push(cell);
    records.push(cells);
  }
  return records;
}
