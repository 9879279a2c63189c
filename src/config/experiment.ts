// Loads an experiment file into resolved runs: parse, validate against the schema, then expand (see expand.ts).
import { ConfigError } from '../errors';
import { expandExperiment, type Experiment, type ExperimentOverrides } from './expand';
import { describeValue, problemsError, problemsFromIssues } from './issues';
import { parseExperimentSource } from './parse-file';
import { ExperimentFileSchema } from './schema';
import { keysAt } from './schema-walk';

export type { Experiment, ExperimentOverrides, ResolvedRun } from './expand';

const TOP_LEVEL_KEYS = Object.keys(ExperimentFileSchema.shape);

/** Reads, validates and expands `file`. Every problem is reported at once in one ConfigError. */
export function loadExperiment(file: string, overrides: ExperimentOverrides = {}, text?: string): Experiment {
  const source = parseExperimentSource(file, text);
  const raw = source.data;
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError(
      `${file}: not an experiment file: expected a mapping with keys name, dataset, defaults and runs or grid, received ${describeValue(raw)}.`,
    );
  }
  const rawKeys = Object.keys(raw);
  if (!rawKeys.some((k) => TOP_LEVEL_KEYS.includes(k))) {
    throw new ConfigError(
      `${file}: not an experiment file: none of the keys ${TOP_LEVEL_KEYS.filter((k) => k !== '$schema').join(', ')} is present (received keys: ${rawKeys.join(', ') || 'none'}).`,
    );
  }
  const parsed = ExperimentFileSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) throw problemsError(source, problemsFromIssues(parsed.error.issues, knownKeys));
  return expandExperiment(source, raw as Record<string, unknown>, parsed.data, overrides);
}

function knownKeys(path: readonly PropertyKey[]): string[] {
  return keysAt(ExperimentFileSchema, path).filter((k) => k !== '$schema');
}
