// Checks every user module an experiment names, bound as each run uses it, before anything is written: a failed
// check is bad input (exit 2) naming the module, where the file names it, the check and the numbers.
import { selectBackend, type BackendChoice } from '../backend/select';
import type { Experiment, ResolvedRun } from '../config/experiment';
import { ConfigError } from '../errors';
import type { Io } from '../io';
import { displayPath } from '../modules/load';
import { CheckFailure, checkModules } from '../modules/checks';
import { lossLabel, lossOf, outputActivationOf, outputLabel } from '../train/run-functions';

/** What was checked for one (loss, output activation, options) a run uses, and the checks it passed. */
export interface ModuleCheckReport {
  subject: string;
  passed: string[];
}

/**
 * Runs the checks of src/modules/checks.ts once for each distinct loss and output activation (with their options)
 * that involves a module. Needs a tf backend. Throws a ConfigError on the first failure.
 */
export function checkExperimentModules(experiment: Pick<Experiment, 'runs'>): ModuleCheckReport[] {
  const reports: ModuleCheckReport[] = [];
  const seen = new Set<string>();
  for (const run of experiment.runs) {
    const { modules, config } = run;
    if (!modules.loss && !modules.output) continue;
    const key = JSON.stringify([config.loss, config.model.outputActivation]);
    if (seen.has(key)) continue;
    seen.add(key);
    const output = outputActivationOf(config, modules);
    const loss = lossOf(config, modules, output);
    const subject = describeSubject(run);
    try {
      reports.push({
        subject,
        passed: checkModules({ loss, output, lossIsModule: !!modules.loss, outputModule: modules.output?.loaded.definition }),
      });
    } catch (error) {
      if (!(error instanceof CheckFailure)) throw error;
      const where =
        (error.part === 'output activation' ? modules.output?.where : modules.loss?.where) ?? modules.output?.where ?? modules.loss?.where;
      throw new ConfigError(`${where}: ${subject}: ${error.message}`, { cause: error.cause });
    }
  }
  return reports;
}

/** Whether any run of the experiment uses a user's module. */
export const usesModules = (experiment: Pick<Experiment, 'runs'>) => experiment.runs.some((r) => r.modules.loss || r.modules.output);

/**
 * For an experiment that names modules: says which files will run (code with the user's rights), chooses the
 * backend and checks them; a failure throws before anything is written. Does nothing for one that names none.
 */
export async function checkModulesBeforeWriting(
  experiment: Pick<Experiment, 'runs'>,
  backend: BackendChoice,
  io: Io,
): Promise<ModuleCheckReport[]> {
  if (!usesModules(experiment)) return [];
  await selectBackend(backend);
  const reports = checkExperimentModules(experiment);
  io.out(`losslab: ${moduleList(experiment).join('; ')}: loaded and checked (a module is code that runs with your rights)\n`);
  return reports;
}

/** `loss ./losses/focal.mjs (sha256 3f2a9c1e…)`, one per module the runs use. */
export function moduleList(experiment: Pick<Experiment, 'runs'>): string[] {
  const lines = new Map<string, string>();
  for (const run of experiment.runs) {
    for (const use of [run.modules.loss, run.modules.output]) {
      if (!use) continue;
      const { role, source } = use.loaded;
      lines.set(`${role}\u0000${source.file}`, `${role} ${displayPath(source.file)} (sha256 ${source.sha256.slice(0, 12)}…)`);
    }
  }
  return [...lines.values()];
}

/** `loss module "./focal.mjs" {gamma: 2} with outputActivation "softmax"`. */
function describeSubject(run: ResolvedRun): string {
  const { loss, model } = run.config;
  const options = (values: Record<string, unknown> | undefined) => {
    const entries = Object.entries(values ?? {});
    return entries.length === 0 ? '' : ` {${entries.map(([k, v]) => `${k}: ${JSON.stringify(v)}`).join(', ')}}`;
  };
  const lossText =
    loss.module !== undefined ? `loss module ${JSON.stringify(loss.module)}${options(loss.options)}` : `loss "${lossLabel(loss)}"`;
  const spec = model.outputActivation;
  const outputText =
    typeof spec === 'string'
      ? `outputActivation "${spec}"`
      : `output-activation module ${JSON.stringify(outputLabel(spec))} ("${run.modules.output?.loaded.name}")${options(spec.options)}`;
  return `${lossText} with ${outputText}`;
}
