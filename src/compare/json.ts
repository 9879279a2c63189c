// Renders a CompareResult as JSON for machines; NaN and unbounded limits become null (JSON has no NaN or Infinity).
import type { CompareResult } from './compare';

/** The JSON document, pretty-printed, ending in a newline. `exitCode` is what the command exits with. */
export function formatCompareJson(result: CompareResult, exitCode: number): string {
  const document = { exitCode, ...result };
  return `${JSON.stringify(document, (_, value: unknown) => (typeof value === 'number' && !Number.isFinite(value) ? null : value), 2)}\n`;
}
