// A type guard shared by every reader of untyped data (parsed YAML/JSON, files read back).

/** Whether `value` is a mapping: an object that is neither null nor an array. */
export const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);
