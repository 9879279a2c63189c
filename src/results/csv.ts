// CSV text in and out: written with csv-writer (quoted per RFC 4180, spreadsheet-safe), read back with csv-parse.
import { parse, type CsvError } from 'csv-parse/sync';
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

/** A CSV document that does not parse: the 1-based line where the parser stopped, and why. */
export class CsvSyntaxError extends Error {
  constructor(
    readonly line: number,
    readonly reason: string,
  ) {
    super(`line ${line}: ${reason}`);
    this.name = 'CsvSyntaxError';
  }
}

/**
 * Parses RFC 4180 CSV (quoted cells, doubled quotes, CRLF or LF, a UTF-8 BOM dropped) with csv-parse, strictly:
 * every row has as many cells as the header, a quote left open at the end of the file is an error, and so are two
 * columns of one name. Throws CsvSyntaxError naming the line and the fault.
 */
export function parseCsv(text: string): CsvTable {
  let records: string[][];
  try {
    records = parse(text, { bom: true, relax_column_count: false, skip_empty_lines: false });
  } catch (error) {
    throw csvSyntaxError(error as CsvError);
  }
  if (records.length === 0) return { columns: [], rows: [] };
  const [columns, ...body] = records;
  const repeated = columns.find((column, index) => columns.indexOf(column) !== index);
  if (repeated !== undefined) throw new CsvSyntaxError(1, `the header names column "${repeated}" twice`);
  const rows = body.map((cells) => Object.fromEntries(columns.map((column, index) => [column, cells[index]])));
  return { columns, rows };
}

function csvSyntaxError(error: CsvError): CsvSyntaxError {
  const line = typeof error.lines === 'number' ? error.lines : 0;
  switch (error.code) {
    case 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH': {
      // `records` counts the records parsed before this one, the header included: this is row records + 1.
      const { record, records } = error as CsvError & { record?: unknown[]; records?: number };
      const expected = /expect (\d+)/.exec(error.message)?.[1] ?? '?';
      const row = typeof records === 'number' ? `row ${records + 1}` : 'a row';
      return new CsvSyntaxError(line, `${row} has ${record?.length ?? '?'} cells, the header has ${expected}`);
    }
    case 'CSV_QUOTE_NOT_CLOSED':
      return new CsvSyntaxError(line, 'a quoted cell is still open at the end of the file (the file is truncated or the quote is stray)');
    case 'INVALID_OPENING_QUOTE': {
      const { column } = error as CsvError & { column?: number };
      const cell = typeof column === 'number' ? `cell ${column + 1}` : 'a cell';
      return new CsvSyntaxError(line, `a quote inside unquoted ${cell}; a cell holding a quote is quoted whole, with the quote doubled ("")`);
    }
    case 'CSV_INVALID_CLOSING_QUOTE':
      return new CsvSyntaxError(line, 'a quote inside a quoted cell is not doubled ("")');
    default:
      return new CsvSyntaxError(line, error.message);
  }
}
