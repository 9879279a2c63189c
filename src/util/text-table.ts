// Plain fixed-width text tables for terminals: validate's run list, compare's checks, the benchmark.

/**
 * The lines of a table: left-aligned columns two spaces apart, no trailing spaces, header first; with `rule`, a
 * line of dashes under the header.
 */
export function textTableLines(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  options: { rule?: boolean } = {},
): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  const rule = options.rule ? [widths.map((w) => '-'.repeat(w)).join('  ')] : [];
  return [line(header), ...rule, ...rows.map(line)];
}
