// Reads an experiment file (YAML or JSON) into plain data, with line/column for every error.
import * as fs from 'fs';
import { isMap, isScalar, LineCounter, parseDocument, type Document } from 'yaml';
import { ConfigError } from '../errors';

/** A parsed file: its data and a way to find the line and column of a key path in it. */
export interface SourceDocument {
  file: string;
  data: unknown;
  /** `file:line:col` of the value (or, with `key`, the key) at `path`, or just `file` when not found. */
  locate(path: readonly PropertyKey[], key?: boolean): string;
}

/**
 * Parses `file` as YAML 1.2 with the core schema (JSON is a subset): data only, no custom tags, no code.
 * Malformed text, an empty file and a missing file are ConfigErrors naming the file, line and column.
 */
export function parseExperimentSource(file: string, text?: string): SourceDocument {
  let source: string;
  try {
    source = text ?? fs.readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : (error as Error).message;
    throw new ConfigError(`${file}: cannot read the experiment file: ${reason}.`);
  }
  if (source.trim() === '') {
    throw new ConfigError(
      `${file}: the file is empty — expected an experiment: a mapping with name, dataset, defaults and runs or grid (see experiments/quickstart.yaml).`,
    );
  }
  if (file.endsWith('.json')) checkStrictJson(file, source);
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, { lineCounter, schema: 'core', uniqueKeys: true, prettyErrors: false, strict: true });
  const firstError = doc.errors[0];
  if (firstError) {
    const { line, col } = lineCounter.linePos(firstError.pos[0]);
    const format = file.endsWith('.json') ? 'JSON' : 'YAML';
    const reason = firstError.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
    throw new ConfigError(`${file}:${line}:${col}: malformed ${format}: ${reason}`);
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    // yaml refuses alias expansion past maxAliasCount (a "billion laughs" file): bad input, not a crash.
    throw new ConfigError(`${file}: malformed YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  return {
    file,
    data,
    locate: (path, key = false) => locate(doc, lineCounter, file, path, key),
  };
}

function locate(doc: Document, lineCounter: LineCounter, file: string, path: readonly PropertyKey[], key: boolean): string {
  let node: unknown = doc.contents;
  let range: readonly number[] | undefined | null = (node as { range?: number[] })?.range;
  for (let i = 0; i < path.length; i++) {
    const segment = path[i];
    const collection = node as { items?: unknown[] };
    if (!collection || !Array.isArray(collection.items)) break;
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(segment));
      if (!pair) break;
      const isLast = i === path.length - 1;
      node = pair.value;
      range =
        isLast && key
          ? (pair.key as { range?: number[] }).range
          : ((pair.value as { range?: number[] })?.range ?? (pair.key as { range?: number[] }).range);
    } else {
      node = collection.items[Number(segment)];
      range = (node as { range?: number[] })?.range;
    }
  }
  if (!range) return file;
  const { line, col } = lineCounter.linePos(range[0]);
  return `${file}:${line}:${col}`;
}

/**
 * A .json file must be JSON, not just YAML that looks like it (YAML would accept trailing commas and comments).
 * V8 reports "… in JSON at position N" (or nothing at the end of the input); that becomes line and column.
 */
function checkStrictJson(file: string, source: string): void {
  try {
    JSON.parse(source);
  } catch (error) {
    const message = (error as Error).message;
    const match = / in JSON at position (\d+)/.exec(message);
    const position = match ? Number(match[1]) : source.length;
    const before = source.slice(0, position).split('\n');
    const reason = message.replace(/ in JSON at position \d+.*$/, '').replace(/^Unexpected end of JSON input$/, 'unexpected end of input');
    throw new ConfigError(`${file}:${before.length}:${before[before.length - 1].length + 1}: malformed JSON: ${reason}`);
  }
}
