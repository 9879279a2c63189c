// Reads an experiment file (YAML or JSON) into plain data, with line/column for every error.
import { isMap, isScalar, LineCounter, parseDocument, type Document } from 'yaml';
import { ConfigError } from '../errors';
import { parseJson } from '../files/parse-json';
import { decodeText, readTextFile } from '../files/read-file';

/** A parsed file: its data and a way to find the line and column of a key path in it. */
export interface SourceDocument {
  file: string;
  data: unknown;
  /** `file:line:col` of the value (or, with `key`, the key) at `path`, or just `file` when not found. */
  locate(path: readonly PropertyKey[], key?: boolean): string;
}

/**
 * Parses `file` as YAML 1.2 with the core schema (JSON is a subset): data only, no custom tags, no code.
 * The file is read by the guarded reader (regular file, size cap, UTF-8). Malformed text, an empty file and a
 * missing file are ConfigErrors naming the file, line and column.
 */
export function parseExperimentSource(file: string, text?: string): SourceDocument {
  // Text given directly (tests, tools) gets the same encoding checks as a file: a raw NUL is refused either way.
  const source = text === undefined ? readTextFile(file, 'experiment') : decodeText(Buffer.from(text, 'utf8'), file, 'experiment');
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

/** A .json file must be JSON, not just YAML that looks like it (YAML would accept trailing commas and comments). */
function checkStrictJson(file: string, source: string): void {
  parseJson(source, file, (message) => new ConfigError(message));
}
