// Located JSON errors: every V8 wording of the position (and its absence) becomes file:line:col of the fault.
import fc from 'fast-check';
import { ConfigError } from '../../src/errors';
import { jsonErrorOffset, locateJsonError, parseJson } from '../../src/files/parse-json';

const parse = (text: string) => () => parseJson(text, 'x.json', (message) => new ConfigError(message));

test.each<[string, string, string]>([
  [
    'a second value after the first (V8: "after JSON at position")',
    '{"a": 1}\n{"b": 2}\n',
    '2:1: malformed JSON: Unexpected non-whitespace character after the JSON value',
  ],
  ['a trailing comma (V8: "in JSON at position")', '{\n  "a": 1,\n}\n', '3:1: malformed JSON: Expected double-quoted property name'],
  ['a misspelt literal (V8 gives no position, quotes the input)', '{\n  "a": tru\n}', "2:8: malformed JSON: Unexpected token '\\n'"],
  ['an unterminated string', '{"a": "abc', '1:11: malformed JSON: Unterminated string'],
  ['a raw tab inside a string', '{"a": "x\ty"}', '1:9: malformed JSON: Bad control character in string literal'],
  ['a list left open', '{"a": [1, 2', "1:12: malformed JSON: Expected ',' or ']' after array element"],
  ['the end of the input', '{"a": ', '1:7: malformed JSON: unexpected end of input'],
  ['a comment (YAML would accept it)', '{"a": 1 // one\n}', "1:9: malformed JSON: Expected ',' or '}' after property value"],
])('%s', (_name, text, message) => {
  expect(parse(text)).toThrow(new ConfigError(`x.json:${message}`));
});

test('the "(line L column C)" wording of newer V8 is read as it is', () => {
  expect(locateJsonError('{}', 'Unexpected token \'x\', "{x}" is not valid JSON (line 7 column 3)')).toEqual({
    line: 7,
    column: 3,
    reason: "Unexpected token 'x'",
  });
});

test('a reason quoting a long input is shortened', () => {
  const { reason } = locateJsonError('', `Unexpected token 'x', "${'a'.repeat(500)}" is not valid JSON`);
  expect(reason).toBe("Unexpected token 'x'");
});

describe('jsonErrorOffset', () => {
  test.each<[string, number]>([
    ['{"a": tru}', 6],
    ['[1, 2,]', 6],
    ['{"a" 1}', 5],
    ['"\\q"', 1],
    ['-', 0],
    ['[]]', 2],
    ['', 0],
    ['  {"a": [true, false, null, -0.5e+3, "\\u00e9"]}  ', -1],
  ])('%j → %d', (text, offset) => {
    expect(jsonErrorOffset(text)).toBe(offset);
  });

  test('deep nesting does not exhaust the stack', () => {
    expect(jsonErrorOffset(`${'['.repeat(200000)}${']'.repeat(200000)}`)).toBe(-1);
    expect(jsonErrorOffset(`${'['.repeat(200000)}x`)).toBe(200000);
  });

  test('is -1 exactly when JSON.parse succeeds, on seeded random JSON-like text', () => {
    const token = fc.constantFrom('{', '}', '[', ']', ',', ':', '"a"', '"', '1', '-', '0.5', 'e3', 'true', 'nul', ' ', '\n', '\\', 'x');
    const text = fc.oneof(
      fc.array(token, { maxLength: 12 }).map((tokens) => tokens.join('')),
      fc.json(),
      fc.string(),
    );
    fc.assert(
      fc.property(text, (candidate) => {
        let valid = true;
        try {
          JSON.parse(candidate);
        } catch {
          valid = false;
        }
        const offset = jsonErrorOffset(candidate);
        expect(offset === -1).toBe(valid);
        if (!valid) expect(offset).toBeLessThanOrEqual(candidate.length);
      }),
      { seed: 15, numRuns: 5000 },
    );
  });
});
