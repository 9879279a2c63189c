// The report formats named by --format, parsed from comma-separated lists with "did you mean" for typos.
import { ConfigError } from '../errors';
import { didYouMean } from '../util/did-you-mean';

/** md: report.md and plots/*.svg; html: report.html; csv: tables/*.csv; latex: tables/*.tex (booktabs). */
export const REPORT_FORMATS = ['md', 'html', 'csv', 'latex'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** Formats written when --format is not given. */
export const DEFAULT_FORMATS: readonly ReportFormat[] = ['md', 'html', 'csv'];

/**
 * Parses --format values; each may be a comma-separated list ("md,html"). Returns the distinct formats in
 * REPORT_FORMATS order. Throws ConfigError for an unknown or empty format.
 */
export function parseFormats(values: readonly string[]): ReportFormat[] {
  const names = values.flatMap((v) => v.split(',')).map((v) => v.trim());
  const known: readonly string[] = REPORT_FORMATS;
  if (names.length === 0 || names.some((n) => n === '')) {
    throw new ConfigError(
      `--format: expected a comma-separated list of formats (${REPORT_FORMATS.join(', ')}); received "${values.join(',')}"`,
    );
  }
  for (const name of names) {
    if (!known.includes(name)) {
      throw new ConfigError(
        `--format: unknown format "${name}"${didYouMean(name, REPORT_FORMATS) || '.'} Known formats: ${REPORT_FORMATS.join(', ')}.`,
      );
    }
  }
  return REPORT_FORMATS.filter((f) => names.includes(f));
}
