// --format parsing: comma lists, repeats, order, and "did you mean" for typos.
import { ConfigError, ExitCode } from '../../src/errors';
import { REPORT_FORMATS, parseFormats } from '../../src/report/output-formats';

const KNOWN = REPORT_FORMATS.join(', ');

describe('parseFormats', () => {
  test('comma-separated and repeated values, returned in canonical order without duplicates', () => {
    expect(parseFormats(['latex,md', 'csv', 'md'])).toEqual(['md', 'csv', 'latex']);
  });

  test('an unknown format suggests the closest one', () => {
    expect(() => parseFormats(['md,htm'])).toThrow(
      new ConfigError(`--format: unknown format "htm" — did you mean "html"? Known formats: ${KNOWN}.`),
    );
  });

  test('an unknown format with nothing close lists the known ones', () => {
    expect(() => parseFormats(['word'])).toThrow(`--format: unknown format "word". Known formats: ${KNOWN}.`);
  });

  test('an empty entry is refused with exit code 2', () => {
    let caught: unknown;
    try {
      parseFormats(['md,']);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).message).toBe(`--format: expected a comma-separated list of formats (${KNOWN}); received "md,"`);
    expect((caught as ConfigError).exitCode).toBe(ExitCode.badInput);
  });
});
