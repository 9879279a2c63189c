// Echoed user text: control characters shown, never sent to the terminal; long text and long lists shortened.
import { escapeControl, listText, quote, shorten } from '../../src/util/quote';

test.each([
  ['plain', 'plain'],
  ['two\nlines\tand a tab', 'two\nlines\tand a tab'],
  ['\u001b[31mred\u001b[0m', '\\x1b[31mred\\x1b[0m'],
  ['nul\u0000 del\u007f c1\u009b', 'nul\\x00 del\\x7f c1\\x9b'],
  ['line\u2028separator', 'line\\u2028separator'],
  ['é ✓ 😀', 'é ✓ 😀'],
])('escapeControl(%j) = %j', (text, expected) => {
  expect(escapeControl(text)).toBe(expected);
});

test('shorten and quote cut long text at a character boundary', () => {
  expect(shorten('abc', 5)).toBe('abc');
  expect(shorten('😀'.repeat(10), 5)).toBe('😀😀😀😀😀…');
  expect(quote('a"b')).toBe('"a\\"b"');
  expect(quote('x'.repeat(100), 10)).toBe(`"${'x'.repeat(10)}…"`);
});

test('listText lists at most ten items', () => {
  expect(listText([])).toBe('none');
  expect(listText(['a', 'b'])).toBe('a, b');
  expect(listText(Array.from({ length: 13 }, (_, i) => `k${i}`))).toBe('k0, k1, k2, k3, k4, k5, k6, k7, k8, k9 and 3 more');
});
