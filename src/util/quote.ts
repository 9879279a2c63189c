// User text echoed in a message: control characters made visible, long text shortened, so a message stays one
// readable line and cannot drive the terminal.

/** Longest stretch of user text a message echoes; the rest is elided with "…". */
export const ECHO_LIMIT = 80;

/**
 * Control characters (C0 except newline and tab, DEL, C1) and Unicode line/paragraph separators as `\xNN` / `\uNNNN`.
 * Applied to every message the CLI prints, so an escape sequence in a file name or value is shown, never run.
 */
export function escapeControl(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/g, (ch) => {
    const code = ch.charCodeAt(0);
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/** `text` cut to its first `limit` characters and "…", when longer. */
export function shorten(text: string, limit = ECHO_LIMIT): string {
  const characters = Array.from(text);
  return characters.length <= limit ? text : `${characters.slice(0, limit).join('')}…`;
}

/** User text as a JSON string literal (escapes shown), shortened: `"abc"`, `"abcd…"`. */
export function quote(text: string, limit = ECHO_LIMIT): string {
  return JSON.stringify(shorten(text, limit));
}

/** Items joined by ", ", at most `max` of them: `a, b, c and 12 more`; `none` for no items. */
export function listText(items: readonly string[], max = 10): string {
  if (items.length === 0) return 'none';
  const shown = items.slice(0, max).map((item) => shorten(item));
  return items.length > max ? `${shown.join(', ')} and ${items.length - max} more` : shown.join(', ');
}
