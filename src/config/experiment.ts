// Loads an experiment file into resolved runs: parse, validate against the schema, load the modules it names, then
// expand (see expand.ts).
import * as path from 'path';
import { ConfigError } from '../errors';
import type { LossModule, OutputActivationModule } from '../modules/contract';
import { loadActivationModule, loadLossModule, ModuleProblem, readModuleSource, type LoadedModule } from '../modules/load';
import { catalogKey, checkRunCount, expandExperiment, moduleReferences, type Experiment, type ExperimentOverrides } from './expand';
import { describeValue, problemsError, problemsFromIssues, type Problem } from './issues';
import { parseExperimentSource, type SourceDocument } from './parse-file';
import { ExperimentFileSchema, type ExperimentFile } from './schema';
import { listText } from '../util/quote';

export type { Experiment, ExperimentOverrides, ModuleUse, ResolvedRun, RunModules } from './expand';

const TOP_LEVEL_KEYS = Object.keys(ExperimentFileSchema.shape);

/**
 * Reads, validates and expands `file`, which must name no module (a module loads asynchronously: use
 * loadExperimentWithModules). Every problem is reported at once in one ConfigError.
 */
export function loadExperiment(file: string, overrides: ExperimentOverrides = {}, text?: string): Experiment {
  const { source, raw, parsed } = parseExperiment(file, text, overrides.seeds);
  return expandExperiment(source, raw, parsed, overrides);
}

/**
 * Reads and validates `file`, loads every loss and output-activation module its runs name (paths relative to the
 * file; each read once and hashed), then expands it. Problems with a module (its path, its code, its exports) are
 * ConfigErrors located at the key that names it. The modules' own checks run later, once a backend is chosen
 * (runner/check-modules.ts).
 */
export async function loadExperimentWithModules(file: string, overrides: ExperimentOverrides = {}, text?: string): Promise<Experiment> {
  const { source, raw, parsed } = parseExperiment(file, text, overrides.seeds);
  const catalog = new Map<string, LoadedModule<LossModule> | LoadedModule<OutputActivationModule>>();
  const problems: Problem[] = [];
  for (const reference of moduleReferences(source, raw, parsed)) {
    try {
      const moduleSource = readModuleSource(reference.spec, path.dirname(file));
      try {
        const loaded = reference.role === 'loss' ? await loadLossModule(moduleSource) : await loadActivationModule(moduleSource);
        catalog.set(catalogKey(reference.role, reference.spec), loaded);
      } catch (error) {
        if (!(error instanceof ModuleProblem)) throw error;
        problems.push({ path: reference.path, message: `${reference.role} module ${JSON.stringify(reference.spec)}: ${error.message}` });
      }
    } catch (error) {
      if (!(error instanceof ModuleProblem)) throw error;
      problems.push({ path: reference.path, message: error.message });
    }
  }
  if (problems.length > 0) throw problemsError(source, problems);
  return expandExperiment(source, raw, parsed, overrides, catalog);
}

function parseExperiment(
  file: string,
  text?: string,
  seeds?: readonly number[],
): { source: SourceDocument; raw: Record<string, unknown>; parsed: ExperimentFile } {
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
      `${file}: not an experiment file: none of the keys ${TOP_LEVEL_KEYS.filter((k) => k !== '$schema').join(', ')} is present (received keys: ${listText(rawKeys)}).`,
    );
  }
  // Counted before the schema walks every run: a file listing a million runs fails here, at once.
  checkRunCount(file, raw as Record<string, unknown>, seeds);
  const parsed = ExperimentFileSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) throw problemsError(source, problemsFromIssues(parsed.error.issues, ExperimentFileSchema));
  return { source, raw: raw as Record<string, unknown>, parsed: parsed.data };
}
