// Strict JSON with located errors: `file:line:col: malformed JSON: reason`, whatever wording V8 uses for the position.
import type { LosslabError } from '../errors';
import { shorten } from '../util/quote';

/**
 * JSON.parse of `text`; a syntax error becomes `makeError("file:line:col: malformed JSON: reason")`. V8 words the
 * position three ways ("in JSON at position N", "after JSON at position N", "(line L column C)") or leaves it out
 * ("Unexpected token 'x', "…" is not valid JSON"); then the position comes from jsonErrorOffset.
 */
export function parseJson(text: string, file: string, makeError: (message: string) => LosslabError): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const { line, column, reason } = locateJsonError(text, (error as Error).message);
    throw makeError(`${file}:${line}:${column}: malformed JSON: ${reason}`);
  }
}

/** Line, column (1-based) and reason of a JSON.parse failure on `text` with V8's `message`. */
export function locateJsonError(text: string, message: string): { line: number; column: number; reason: string } {
  let offset: number;
  const position = /(?:in|after) JSON at position (\d+)/.exec(message);
  const lineColumn = /\(line (\d+) column (\d+)\)/.exec(message);
  if (lineColumn) {
    return { line: Number(lineColumn[1]), column: Number(lineColumn[2]), reason: reasonOf(message) };
  }
  if (position) offset = Math.min(Number(position[1]), text.length);
  else offset = jsonErrorOffset(text);
  const lines = text.slice(0, offset).split('\n');
  return { line: lines.length, column: Array.from(lines[lines.length - 1]).length + 1, reason: reasonOf(message) };
}

/** V8's message without its position and without the excerpt of the input it may quote. */
function reasonOf(message: string): string {
  const reason = message
    .replace(/ after JSON at position \d+.*$/s, ' after the JSON value')
    .replace(/ in JSON at position \d+.*$/s, '')
    .replace(/ \(line \d+ column \d+\)$/, '')
    .replace(/, (?:\.\.\.)?".*"(?:\.\.\.)? is not valid JSON$/s, '')
    .replace(/^Unexpected end of JSON input$/, 'unexpected end of input');
  // V8 quotes the unexpected character raw, a newline included.
  return shorten(reason.replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t'));
}

const WHITESPACE = new Set([' ', '\t', '\n', '\r']);
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const STRING_ESCAPE = /\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})/y;

/**
 * The offset at which `text` stops being JSON (RFC 8259), or -1 when it is JSON. Iterative, so nesting depth
 * cannot exhaust the stack. Used only to locate errors whose V8 message carries no position.
 */
export function jsonErrorOffset(text: string): number {
  let i = 0;
  const skip = () => {
    while (i < text.length && WHITESPACE.has(text[i])) i++;
  };
  /** Containers open at i: 'a' array, 'o' object. */
  const stack: ('a' | 'o')[] = [];
  // States: expecting a value; after a value (expecting , or a closer); expecting a key (after { or ,).
  let state: 'value' | 'after' | 'key' | 'firstValue' | 'firstKey' = 'value';
  for (;;) {
    skip();
    if (state === 'after') {
      const top = stack[stack.length - 1];
      if (top === undefined) return i === text.length ? -1 : i;
      if (text[i] === ',') {
        i++;
        state = top === 'a' ? 'value' : 'key';
      } else if ((text[i] === ']' && top === 'a') || (text[i] === '}' && top === 'o')) {
        i++;
        stack.pop();
      } else return i;
      continue;
    }
    if (state === 'key' || state === 'firstKey') {
      if (state === 'firstKey' && text[i] === '}') {
        i++;
        stack.pop();
        state = 'after';
        continue;
      }
      const end = stringEnd(text, i);
      if (end < 0) return -end - 1;
      i = end;
      skip();
      if (text[i] !== ':') return i;
      i++;
      state = 'value';
      continue;
    }
    // A value.
    const ch = text[i];
    if (state === 'firstValue' && ch === ']') {
      i++;
      stack.pop();
      state = 'after';
      continue;
    }
    if (ch === '{') {
      i++;
      stack.push('o');
      state = 'firstKey';
    } else if (ch === '[') {
      i++;
      stack.push('a');
      state = 'firstValue';
    } else if (ch === '"') {
      const end = stringEnd(text, i);
      if (end < 0) return -end - 1;
      i = end;
      state = 'after';
    } else if (text.startsWith('true', i) || text.startsWith('null', i)) {
      i += 4;
      state = 'after';
    } else if (text.startsWith('false', i)) {
      i += 5;
      state = 'after';
    } else {
      NUMBER.lastIndex = i;
      const match = NUMBER.exec(text);
      if (!match || match[0] === '' || match[0] === '-') return i + (match?.[0].length ?? 0);
      i += match[0].length;
      state = 'after';
    }
  }
}

/** End offset (after the closing quote) of the string starting at `start`, or -(offset of the fault) - 1. */
function stringEnd(text: string, start: number): number {
  if (text[start] !== '"') return -start - 1;
  let i = start + 1;
  while (i < text.length) {
    const code = text.charCodeAt(i);
    if (code === 0x22) return i + 1;
    if (code < 0x20) return -i - 1;
    if (code === 0x5c) {
      STRING_ESCAPE.lastIndex = i;
      if (!STRING_ESCAPE.test(text)) return -i - 1;
      i = STRING_ESCAPE.lastIndex;
      continue;
    }
    i++;
  }
  return -text.length - 1;
}
