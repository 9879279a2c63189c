// Expands a validated experiment file into resolved runs: defaults, grid points, seeds, cross-key rules, ids.
import type { z } from 'zod';
import type { LossModule, OptionValues, OutputActivationModule } from '../modules/contract';
import type { LoadedModule, ModuleRole } from '../modules/load';
import { describeOptions, optionsSchema } from '../modules/options';
import { acceptsOutput, LOSSES, lossNamesWhere, takesLabelSmoothing, type LossName } from '../losses/registry';
import { ACTIVATION_NAMES } from '../models/activations';
import { OPTIMIZERS, optimizersUsing, type OptimizerDefinition } from '../optimizers/registry';
import { IMAGE_SHAPE, NUM_CLASSES } from '../data/dataset';
import { datasetFacts, type DatasetName } from '../data/datasets';
import { ConfigError } from '../errors';
import { largestLayer, modelLayerSizes, MODEL_MEMORY_LIMIT_BYTES, type LayerSize } from '../models/size';
import { formatBytes } from '../util/bytes';
import { didYouMean } from '../util/did-you-mean';
import { gridValueText } from '../util/grid-text';
import { isPlainObject } from '../util/plain-object';
import { listText, quote } from '../util/quote';
import { describeValue, formatPath, problemsError, problemsFromIssues, type Problem } from './issues';
import { matchesGlob } from './only';
import type { SourceDocument } from './parse-file';
import { resolveModel, type ModelOrigin, type SettingLevel } from './resolve-model';
import { assignIds, hashOf } from './run-ids';
import {
  isLayerStack,
  RunSchema,
  runNames,
  type DatasetConfig,
  type ExperimentFile,
  type Reference,
  type ReportSettings,
  type RunConfig,
} from './schema';
import { leafKeys } from './schema-walk';

/** One run to train: a run of the file at one grid point and one seed. */
export interface ResolvedRun {
  /** Unique, filesystem-safe, stable: `<name>-s<seed>`, with a short hash where a grid needs it. */
  id: string;
  name: string;
  seed: number;
  gridValues: Record<string, unknown>;
  config: RunConfig;
  /** sha256 (first 16 hex digits) of the dataset, run config and seed: what `--resume` matches on. */
  configHash: string;
  /** The user's modules this run uses, loaded (not written to experiment.json; the config holds their hashes). */
  modules: RunModules;
}

/** A loaded module and where the experiment file names it (`file:line:col: runs[0].loss.module`), for messages. */
export interface ModuleUse<D> {
  loaded: LoadedModule<D>;
  where: string;
}
export interface RunModules {
  loss?: ModuleUse<LossModule>;
  output?: ModuleUse<OutputActivationModule>;
}

/** Modules loaded before expansion, by role and path as written (see loadExperimentWithModules). */
export type ModuleCatalog = ReadonlyMap<string, LoadedModule<LossModule> | LoadedModule<OutputActivationModule>>;
export const catalogKey = (role: ModuleRole, spec: string) => `${role}\u0000${spec}`;

/** A module path named by a run, where it is named (a key path into the file). */
export interface ModuleReference {
  role: ModuleRole;
  spec: string;
  path: PropertyKey[];
}

export interface Experiment {
  source: string;
  name: string;
  description: string;
  dataset: DatasetConfig;
  gridKeys: string[];
  reference?: Reference;
  /** The file's `report` block: how the report compares runs. */
  report?: ReportSettings;
  runs: ResolvedRun[];
  /**
   * sha256 (first 16 hex digits) of the dataset and every resolved run, without the source hashes of the modules
   * they name: an edited module leaves the experiment the same (so --resume accepts its folder) and changes the
   * config hash of each run that uses it (so --resume retrains exactly those runs, and compare and merge tell them
   * apart).
   */
  hash: string;
}

/** Command-line overrides applied after the file is resolved (`--epochs`, `--seeds`, `--only`). */
export interface ExperimentOverrides {
  epochs?: number;
  seeds?: number[];
  /** Glob over run names: `*` any text, `?` one character; comma-separated alternatives. */
  only?: string;
}

const RUN_LEAF_KEYS = leafKeys(RunSchema).filter((k) => k !== 'name' && k !== 'seeds');
/** Options of a module may be grid keys too: loss.options.gamma, model.outputActivation.options.<name>. */
const MODULE_OPTION_KEY = /^(loss\.options|model\.outputActivation\.options)\.[A-Za-z_][A-Za-z0-9_]*$/;

type RawRun = Record<string, unknown>;

/** One run of the file at one grid point, merged over the defaults, before it is validated. */
interface MergedRun {
  rawRun: RawRun;
  runIndex: number;
  point: GridPoint;
  merged: RawRun;
  /** Where a run key got its value, as a key path into the file. */
  origin: (path: readonly PropertyKey[]) => PropertyKey[];
  /** The most specific level that sets a key (a grid point over the run over defaults), or undefined. */
  levelOf: (path: readonly PropertyKey[]) => SettingLevel | undefined;
}

/** Every run × grid point, merged over defaults (grid keys checked first). Throws on an unknown grid key. */
function mergedRuns(source: SourceDocument, raw: Record<string, unknown>, file: ExperimentFile): MergedRun[] {
  const rawDefaults = (raw.defaults ?? {}) as RawRun;
  const rawRuns = (raw.runs as RawRun[] | undefined) ?? [{ name: file.name }];
  const grid = file.grid ?? {};
  const gridKeys = Object.keys(grid);
  const problems: Problem[] = [];
  for (const key of gridKeys) {
    if (!RUN_LEAF_KEYS.includes(key) && !MODULE_OPTION_KEY.test(key)) {
      problems.push({
        path: ['grid', key],
        message: `unknown key "${key}"${didYouMean(key, RUN_LEAF_KEYS) || '.'} A grid varies run keys such as optimizer.learningRate, loss.name or model.hidden.`,
      });
    }
  }
  problems.push(...datasetProblems(file.dataset, raw.dataset !== undefined));
  for (const key of gridKeys) {
    grid[key].forEach((value, index) => {
      const first = grid[key].findIndex((other) => hashOf(other) === hashOf(value));
      if (first !== index) {
        problems.push({
          path: ['grid', key, index],
          message: `${describeValue(value)} is already grid[${JSON.stringify(key)}][${first}]; two grid points would be one run.`,
        });
      }
    });
  }
  if (problems.length > 0) throw problemsError(source, problems);
  const points = cartesian(gridKeys.map((key) => grid[key].map((value, index) => ({ key, value, index }))));
  return rawRuns.flatMap((rawRun, runIndex) => {
    const { name: _name, seeds: _seeds, ...settings } = rawRun;
    return points.map((point) => {
      const merged = overlay(deepMerge({}, rawDefaults), settings);
      // A loss or activation named by a grid value replaces the one it varies, before options are set on it.
      const ordered = [...point].sort((a, b) => Number(MODULE_OPTION_KEY.test(a.key)) - Number(MODULE_OPTION_KEY.test(b.key)));
      for (const { key, value } of ordered) {
        if (key === 'loss.name' || key === 'loss.module') forgetLossIdentity(merged);
        setDotted(merged, key, value);
      }
      const origin = (path: readonly PropertyKey[]) => originOf(path, rawRun, point, raw.runs ? runIndex : undefined, rawDefaults);
      const levelOf = (path: readonly PropertyKey[]) => levelOfSetting(path, raw.runs ? rawRun : {}, point, rawDefaults);
      return { rawRun, runIndex, point, merged, origin, levelOf };
    });
  });
}

/**
 * The module paths the runs name (loss.module, model.outputActivation.module), each once per role, with where it is
 * first named: what to load before the file can be expanded.
 */
export function moduleReferences(source: SourceDocument, raw: Record<string, unknown>, file: ExperimentFile): ModuleReference[] {
  const found = new Map<string, ModuleReference>();
  for (const { merged, origin } of mergedRuns(source, raw, file)) {
    const loss = merged.loss as RawRun | undefined;
    const output = (merged.model as RawRun | undefined)?.outputActivation as RawRun | undefined;
    const candidates: [ModuleRole, unknown, PropertyKey[]][] = [
      ['loss', isPlainObject(loss) ? loss.module : undefined, ['loss', 'module']],
      ['output activation', isPlainObject(output) ? output.module : undefined, ['model', 'outputActivation', 'module']],
    ];
    for (const [role, spec, path] of candidates) {
      if (typeof spec !== 'string' || spec === '' || found.has(catalogKey(role, spec))) continue;
      found.set(catalogKey(role, spec), { role, spec, path: origin(path) });
    }
  }
  return [...found.values()];
}

export function expandExperiment(
  source: SourceDocument,
  raw: Record<string, unknown>,
  file: ExperimentFile,
  overrides: ExperimentOverrides,
  modules: ModuleCatalog = new Map(),
): Experiment {
  const problems: Problem[] = [];
  const runsPath = raw.runs ? 'runs' : 'defaults';
  const gridKeys = Object.keys(file.grid ?? {});
  const merged = mergedRuns(source, raw, file);
  const runs: ResolvedRun[] = [];
  const names = new Map<string, number>();
  for (const [index, { runIndex }] of merged.entries()) {
    if (index > 0 && merged[index - 1].runIndex === runIndex) continue;
    const baseName = runNames(file)[runIndex];
    if (names.has(baseName)) {
      problems.push({
        path: [runsPath, runIndex, 'name'],
        message: `duplicate run name "${baseName}" (also runs[${names.get(baseName)}]); names must be unique.`,
      });
    }
    names.set(baseName, runIndex);
  }
  for (const { rawRun, runIndex, point, merged: mergedRun, origin, levelOf } of merged) {
    const baseName = runNames(file)[runIndex];
    const parsedRun = RunSchema.safeParse(mergedRun, { reportInput: true });
    if (!parsedRun.success) {
      for (const p of problemsFromIssues(parsedRun.error.issues, RunSchema)) {
        problems.push({ path: origin(p.path), message: p.message });
      }
      continue;
    }
    const where = (path: PropertyKey[]) => `${source.locate(origin(path))}: ${formatPath(origin(path))}`;
    const { config, modules: runModules } = resolveRun(parsedRun.data, mergedRun, { path: origin, levelOf }, problems, modules, where);
    problems.push(...modelSizeProblems(config, origin));
    if (overrides.epochs !== undefined) config.epochs = overrides.epochs;
    if (config.batchSize > file.dataset.train) {
      problems.push({
        path: origin(['batchSize']),
        message: `expected at most dataset.train (${file.dataset.train}), received ${config.batchSize}.`,
      });
    }
    const gridValues = Object.fromEntries(point.map(({ key, value }) => [key, value]));
    const name =
      point.length === 0 ? baseName : `${baseName}[${point.map(({ key, value }) => `${shortKey(key)}=${gridValueText(value)}`).join(',')}]`;
    const seeds = overrides.seeds ?? (rawRun.seeds as number[] | undefined) ?? file.seeds;
    for (const seed of seeds) {
      runs.push({
        id: '',
        name,
        seed,
        gridValues,
        config,
        configHash: hashOf({ dataset: file.dataset, config, seed }),
        modules: runModules,
      });
    }
  }
  const expandedNames = [...new Set(runs.map((r) => r.name))];
  file.reference?.values.forEach((value, index) => {
    if (!expandedNames.includes(value.run)) {
      problems.push({
        path: ['reference', 'values', index, 'run'],
        message: `unknown run ${quote(value.run)}${didYouMean(value.run, expandedNames) || '.'} Run names: ${listText(expandedNames)}.`,
      });
    }
  });
  if (problems.length > 0) throw problemsError(source, problems);

  assignIds(runs, gridKeys.length > 0);
  checkUniqueIds(runs);
  const only = overrides.only;
  const selected = only === undefined ? runs : runs.filter((run) => matchesGlob(run.name, only));
  if (selected.length === 0) {
    throw new ConfigError(
      `--only: no run name matches ${quote(only ?? '')}${didYouMean(only ?? '', expandedNames) || '.'} Run names: ${listText(expandedNames)}.`,
    );
  }
  return {
    source: source.file,
    name: file.name,
    description: file.description,
    dataset: file.dataset,
    gridKeys,
    reference: file.reference,
    report: file.report,
    runs: selected,
    hash: hashOf({ dataset: file.dataset, runs: selected.map((r) => ({ id: r.id, seed: r.seed, config: withoutSourceHashes(r.config) })) }),
  };
}

/** Fills what the schema leaves open (loss.outputs, initializer blocks, module options) and checks rules across keys. */
function resolveRun(
  run: z.output<typeof RunSchema>,
  merged: RawRun,
  modelOrigin: ModelOrigin,
  problems: Problem[],
  catalog: ModuleCatalog,
  where: (path: PropertyKey[]) => string,
): { config: RunConfig; modules: RunModules } {
  const origin = modelOrigin.path;
  const modules: RunModules = {};
  const problem = (path: PropertyKey[], message: string) => problems.push({ path: origin(path), message });

  // The output activation: a built-in name, or a module with its options.
  const outputSpec = run.model.outputActivation;
  let outputActivation: RunConfig['model']['outputActivation'] = typeof outputSpec === 'string' ? outputSpec : 'softmax';
  let outputName: string = typeof outputSpec === 'string' ? outputSpec : '';
  if (typeof outputSpec !== 'string') {
    const loaded = fromCatalog(catalog, 'output activation', outputSpec.module) as LoadedModule<OutputActivationModule>;
    outputName = loaded.name;
    if ((ACTIVATION_NAMES as string[]).includes(loaded.name)) {
      problem(
        ['model', 'outputActivation', 'module'],
        `output-activation module "${outputSpec.module}" is named "${loaded.name}", the name of a built-in activation: export another name.`,
      );
    }
    const options = resolveOptions(loaded, outputSpec.options, ['model', 'outputActivation', 'options'], problem);
    outputActivation = { ...moduleFields(loaded), options };
    modules.output = { loaded, where: where(['model', 'outputActivation', 'module']) };
  }
  const outputText = typeof outputSpec === 'string' ? `"${outputName}"` : `"${outputName}" (${outputSpec.module})`;

  // The loss: a built-in by name (cross-entropy by default), or a module.
  const lossModule =
    run.loss.module === undefined ? undefined : (fromCatalog(catalog, 'loss', run.loss.module) as LoadedModule<LossModule>);
  if (run.loss.module !== undefined && run.loss.name !== undefined) {
    problem(
      ['loss', 'module'],
      `give a loss by name or by module, not both (received name "${run.loss.name}" and module "${run.loss.module}").`,
    );
  }
  const name: LossName = run.loss.name ?? 'cross-entropy';
  const definition: LossModule = lossModule ? lossModule.definition : LOSSES[name];
  const lossText = lossModule ? `loss module "${run.loss.module}"` : `loss "${name}"`;
  const lossKey = lossModule ? ['loss', 'module'] : ['loss', 'name'];
  if (!acceptsOutput(definition, outputName)) {
    const accepted = definition.outputs === 'any' ? 'any' : definition.outputs.join(', ');
    const instead = definition.instead ?? `it accepts ${accepted}`;
    problem(lossKey, `${lossText} does not fit outputActivation ${outputText}: ${instead}.`);
  }
  if (run.loss.gradient === 'skip-activation-derivative' && !definition.gradO) {
    problem(
      ['loss', 'gradient'],
      lossModule
        ? `skip-activation-derivative needs ∂E/∂o, and ${lossText} exports no gradO(o, t, context).`
        : `skip-activation-derivative needs a loss of the outputs o (${lossNamesWhere((d) => d.gradO !== undefined).join(', ')}); "${name}" is computed from the logits z, with no ∂E/∂o apart from the activation: use gradient: closed-form or autodiff.`,
    );
  }
  if (run.loss.gradient === 'closed-form' && !definition.gradZ) {
    problem(
      ['loss', 'gradient'],
      `closed-form needs the closed form ∂E/∂z, and ${lossText} exports no gradZ(z, t, context): use autodiff.`,
    );
  }
  if (run.loss.gradient === 'closed-form' && !lossModule && definition.gradO && modules.output) {
    const activation = modules.output.loaded.definition;
    if (!activation.vjp && !(activation.elementwise && activation.derivative)) {
      problem(
        ['loss', 'gradient'],
        `closed-form sends ∂E/∂o back through the output activation, and module "${modules.output.loaded.source.spec}" gives no vjp(z, a, g, context)${activation.elementwise ? ' nor derivative(z, a, context)' : ''}: use autodiff.`,
      );
    }
  }
  const smoothed = lossNamesWhere(takesLabelSmoothing);
  if (run.loss.labelSmoothing > 0 && (lossModule || !smoothed.includes(name))) {
    problem(
      ['loss', 'labelSmoothing'],
      lossModule
        ? `labelSmoothing applies to ${smoothed.join(', ')} only; a loss module takes its own options under loss.options.`
        : `labelSmoothing applies to ${smoothed.join(', ')} only, received it with "${name}".`,
    );
  }
  if (!lossModule && run.loss.options !== undefined) {
    const own = Object.keys(definition.options ?? {});
    problem(
      ['loss', 'options'],
      own.length > 0
        ? `loss "${name}" takes its options as keys of the loss block (${own.join(', ')}); options: is for loss modules.`
        : `loss "${name}" takes no options; options: is for loss modules.`,
    );
  }
  let loss: RunConfig['loss'];
  if (lossModule) {
    const options = resolveOptions(lossModule, run.loss.options, ['loss', 'options'], problem);
    const { name: _name, module: _module, options: _options, ...settings } = run.loss;
    loss = { ...moduleFields(lossModule), options, ...settings, outputs: run.loss.outputs ?? definition.defaultOutputs };
    modules.loss = { loaded: lossModule, where: where(['loss', 'module']) };
  } else {
    const { options: _options, module: _module, ...settings } = run.loss;
    loss = { ...settings, name, outputs: run.loss.outputs ?? definition.defaultOutputs };
  }

  const optimizer: OptimizerDefinition = OPTIMIZERS[run.optimizer.name];
  const rawOptimizer = (merged.optimizer ?? {}) as Record<string, unknown>;
  for (const key of Object.keys(rawOptimizer)) {
    if (key !== 'name' && !(optimizer.uses as readonly string[]).includes(key)) {
      const users = optimizersUsing(key);
      problem(
        ['optimizer', key],
        `optimizer "${run.optimizer.name}" does not use ${key}${users.length ? ` (${users.join(', ')} do${users.length === 1 ? 'es' : ''})` : ''}.`,
      );
    }
  }
  const usedOptimizerKeys = ['name', ...optimizer.uses] as string[];
  const config = {
    ...run,
    optimizer: Object.fromEntries(Object.entries(run.optimizer).filter(([key]) => usedOptimizerKeys.includes(key))),
    model: resolveModel(run.model, outputActivation, modelOrigin, problems),
    loss,
  } as RunConfig;
  return { config, modules };
}

/** The config with each module's sha256 and imports left out (a config without modules comes back equal). */
function withoutSourceHashes(config: RunConfig): RunConfig {
  const strip = <T extends object>(block: T): T => {
    if (!('sha256' in block)) return block;
    const { sha256: _sha256, imports: _imports, ...rest } = block as T & { sha256?: string; imports?: unknown };
    return rest as T;
  };
  const output = config.model.outputActivation;
  return {
    ...config,
    loss: strip(config.loss),
    model: { ...config.model, outputActivation: typeof output === 'string' ? output : strip(output) },
  };
}

function fromCatalog(catalog: ModuleCatalog, role: ModuleRole, spec: string): LoadedModule<LossModule | OutputActivationModule> {
  const loaded = catalog.get(catalogKey(role, spec));
  // loadExperimentWithModules loads every module a run names before expanding; the sync loader loads none.
  if (!loaded) throw new ConfigError(`${role} module "${spec}" is named, but modules load only through loadExperimentWithModules.`);
  return loaded;
}

/** The module's identity in a resolved config: the path as written and the hashes of its source (and local imports). */
function moduleFields(loaded: LoadedModule<unknown>): { module: string; sha256: string; imports?: { path: string; sha256: string }[] } {
  const { spec, sha256, imports } = loaded.source;
  return { module: spec, sha256, ...(imports.length > 0 ? { imports } : {}) };
}

/** A module's options validated against its declarations (located errors, did-you-mean), defaults filled in. */
function resolveOptions(
  loaded: LoadedModule<LossModule | OutputActivationModule>,
  given: Record<string, unknown> | undefined,
  at: PropertyKey[],
  problem: (path: PropertyKey[], message: string) => void,
): OptionValues {
  const declarations = loaded.definition.options ?? {};
  const schema = optionsSchema(declarations);
  const parsed = schema.safeParse(given ?? {}, { reportInput: true });
  if (parsed.success) return parsed.data;
  const known = Object.keys(declarations);
  const takes = `${loaded.role === 'loss' ? 'Loss' : 'Output-activation'} module "${loaded.source.spec}" takes ${describeOptions(declarations)}.`;
  for (const issue of parsed.error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) problem([...at, key], `unknown option "${key}"${didYouMean(key, known) || '.'} ${takes}`);
    } else {
      for (const p of problemsFromIssues([issue], schema)) {
        const missing = issue.code === 'invalid_type' && (issue as { input?: unknown }).input === undefined;
        problem([...at, ...p.path], missing ? `the option is required (it has no default). ${takes}` : p.message);
      }
    }
  }
  return {};
}

/** Where a run key got its value: the run itself, else the grid, else defaults. */
function originOf(
  path: readonly PropertyKey[],
  rawRun: RawRun,
  point: GridPoint,
  runIndex: number | undefined,
  rawDefaults: RawRun,
): PropertyKey[] {
  const dotted = path.filter((k) => typeof k === 'string').join('.');
  const fromGrid = point.find(({ key }) => dotted === key || dotted.startsWith(`${key}.`));
  if (runIndex !== undefined && hasPath(rawRun, path)) return ['runs', runIndex, ...path];
  if (fromGrid) return ['grid', fromGrid.key, fromGrid.index, ...path.slice(fromGrid.key.split('.').length)];
  if (hasPath(rawDefaults, path)) return ['defaults', ...path];
  return runIndex !== undefined ? ['runs', runIndex, ...path] : ['defaults', ...path];
}

/** The most specific level that sets `path` (a grid point over the run over defaults), or undefined for none. */
function levelOfSetting(path: readonly PropertyKey[], rawRun: RawRun, point: GridPoint, rawDefaults: RawRun): SettingLevel | undefined {
  const keys = path.map(String);
  const fromGrid = point.some(({ key, value }) => {
    const gridKeys = key.split('.');
    if (gridKeys.length > keys.length) return false;
    return gridKeys.every((k, i) => k === keys[i]) && hasPath(value, path.slice(gridKeys.length));
  });
  if (fromGrid) return 'grid';
  if (hasPath(rawRun, path)) return 'run';
  if (hasPath(rawDefaults, path)) return 'defaults';
  return undefined;
}

function hasPath(object: unknown, path: readonly PropertyKey[]): boolean {
  let current = object;
  for (const key of path) {
    if (current === null || typeof current !== 'object' || !(String(key) in current)) return false;
    current = (current as Record<string, unknown>)[String(key)];
  }
  return true;
}

type GridPoint = { key: string; value: unknown; index: number }[];

function cartesian<T>(lists: T[][]): T[][] {
  return lists.reduce<T[][]>((acc, list) => acc.flatMap((prefix) => list.map((item) => [...prefix, item])), [[]]);
}

/** Merges `patch` into `target` recursively: mappings merge, lists and scalars replace. Returns target. */
export function deepMerge(target: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  for (const [key, value] of Object.entries(patch)) {
    target[key] =
      isPlainObject(value) && isPlainObject(target[key])
        ? deepMerge({ ...(target[key] as object) }, value)
        : isPlainObject(value)
          ? deepMerge({}, value)
          : value;
  }
  return target;
}

/**
 * deepMerge for one layer of run settings (defaults, then the run): a layer that names its loss (name or module)
 * starts from a fresh loss identity, dropping the name, module and options it inherits; an output activation given
 * as a module block replaces the inherited one whole.
 */
function overlay(target: RawRun, patch: RawRun): RawRun {
  const loss = patch.loss;
  if (isPlainObject(loss) && ('name' in loss || 'module' in loss)) forgetLossIdentity(target);
  const output = (patch.model as RawRun | undefined)?.outputActivation;
  if (isPlainObject(output) && isPlainObject(target.model)) target.model = { ...target.model, outputActivation: undefined };
  return deepMerge(target, patch);
}

function forgetLossIdentity(merged: RawRun): void {
  if (!isPlainObject(merged.loss)) return;
  const { name: _name, module: _module, options: _options, ...rest } = merged.loss;
  merged.loss = rest;
}

function setDotted(target: Record<string, unknown>, dotted: string, value: unknown): void {
  const keys = dotted.split('.');
  let current = target;
  for (const key of keys.slice(0, -1)) {
    if (!isPlainObject(current[key])) current[key] = typeof current[key] === 'string' ? { name: current[key] } : {};
    current = current[key] as Record<string, unknown>;
  }
  current[keys[keys.length - 1]] = value;
}

const shortKey = (dotted: string) =>
  dotted
    .split('.')
    .filter((k) => k !== 'name')
    .pop() ?? dotted;

/** The most runs one experiment may expand to (grid points × runs × seeds), counted before anything is expanded. */
export const RUN_LIMIT = 10000;

/**
 * How many runs `raw` (the parsed, not yet validated file) expands to, counted arithmetically: the runs listed (or one)
 * times the grid's points, each run by its own seeds or the file's (or `seeds`, from --seeds). Values of the wrong type
 * count as one: the schema reports them. A count past RUN_LIMIT is refused before expansion, so a grid of 10^10 points
 * or a file listing a million runs fails at once instead of filling memory.
 */
export function countRuns(raw: Record<string, unknown>, seeds?: readonly number[]): { runs: number; listed: number; gridPoints: number } {
  const length = (value: unknown) => (Array.isArray(value) ? value.length : 1);
  const fileSeeds = seeds?.length ?? length(raw.seeds);
  const listed: unknown[] = Array.isArray(raw.runs) ? raw.runs : [{}];
  const grid = isPlainObject(raw.grid) ? Object.values(raw.grid) : [];
  const gridPoints = grid.reduce<number>((product, values) => product * length(values), 1);
  const seedsOf = (run: unknown) => seeds?.length ?? (isPlainObject(run) && Array.isArray(run.seeds) ? run.seeds.length : fileSeeds);
  const seedsTotal = listed.reduce<number>((sum, run) => sum + seedsOf(run), 0);
  return { runs: seedsTotal * gridPoints, listed: listed.length, gridPoints };
}

/** A count in full below 10^15, else in exponent notation. */
const countText = (n: number) => (n < 1e15 ? n.toLocaleString('en-US') : n.toExponential(1));

/** Refuses a file that expands to more than RUN_LIMIT runs, saying the count and the limit. */
export function checkRunCount(file: string, raw: Record<string, unknown>, seeds?: readonly number[]): void {
  const { runs, listed, gridPoints } = countRuns(raw, seeds);
  if (runs <= RUN_LIMIT) return;
  const factors = `${countText(listed)} run${listed === 1 ? '' : 's'} × ${countText(gridPoints)} grid point${gridPoints === 1 ? '' : 's'} × their seeds`;
  throw new ConfigError(
    `${file}: the experiment expands to ${countText(runs)} runs (${factors}), over the limit of ${countText(RUN_LIMIT)} — shrink the grid or the seeds, or split the sweep into several files.`,
  );
}

/**
 * Sizes checked against what the dataset holds, when that is known without reading it (mnist and fashion-mnist from
 * their default folders: 60000 training and 10000 test images): train, validation (the last images of the training
 * file) and the two together; and dataset.path for the datasets that need one.
 */
function datasetProblems(dataset: DatasetConfig, given: boolean): Problem[] {
  const facts = datasetFacts(dataset.name as DatasetName, dataset.path);
  const problems: Problem[] = [];
  if (facts.needsPath && dataset.path === undefined) {
    problems.push({
      path: given ? ['dataset', 'name'] : ['dataset'],
      message: `dataset "${dataset.name}" needs dataset.path: the folder holding its IDX files.`,
    });
  }
  const examples = facts.examples;
  if (!examples) return problems;
  const holds = (split: 'training' | 'test', count: number) => `the ${dataset.name} ${split} file holds ${count} images`;
  if (dataset.train > examples.train) {
    problems.push({
      path: ['dataset', 'train'],
      message: `expected at most ${examples.train} (${holds('training', examples.train)}), received ${dataset.train}.`,
    });
  } else if (dataset.train + dataset.validation > examples.train) {
    problems.push({
      path: ['dataset', 'validation'],
      message:
        `expected train + validation at most ${examples.train} (${holds('training', examples.train)}; validation is its last ` +
        `images and train its first, without overlap), received ${dataset.train} + ${dataset.validation} = ${dataset.train + dataset.validation}.`,
    });
  }
  if (dataset.test > examples.test) {
    problems.push({
      path: ['dataset', 'test'],
      message: `expected at most ${examples.test} (${holds('test', examples.test)}), received ${dataset.test}.`,
    });
  }
  return problems;
}

/**
 * A model whose estimated training memory (src/models/size.ts) is over MODEL_MEMORY_LIMIT_BYTES, refused at the layer
 * that takes the most, naming it, its parameters and its bytes, with the fix for its type. Checked when the file is
 * validated, so `run` never writes experiment.json for a model it cannot allocate. A stack whose layers do not fit
 * together has no size (resolveRun reports that).
 */
function modelSizeProblems(config: RunConfig, origin: (path: readonly PropertyKey[]) => PropertyKey[]): Problem[] {
  const optimizer: OptimizerDefinition = OPTIMIZERS[config.optimizer.name];
  const context = { batchSize: config.batchSize, optimizerSlots: optimizer.slots };
  const layers = modelLayerSizes(config.model, IMAGE_SHAPE, NUM_CLASSES, context);
  if (!layers) return [];
  const total = layers.reduce((sum, layer) => sum + layer.bytes, 0);
  if (total <= MODEL_MEMORY_LIMIT_BYTES) return [];
  const largest = largestLayer(layers);
  const model = config.model;
  const stack = isLayerStack(model);
  const { path, fix } = stack ? stackLayerBlame(largest, model.layers.length) : mlpLayerBlame(largest, model.hidden.length);
  // An MLP's layers are numbered as in gradients.csv; a stack's by their place in model.layers.
  const name = !stack ? `layer ${largest.parameterLayer}` : largest.at === 'output' ? 'the output layer' : `layers[${largest.at}]`;
  const parameters = largest.parameters > 0 ? `has ${largest.parameters.toLocaleString('en-US')} parameters and ` : '';
  const state = optimizer.slots > 0 ? `, ${config.optimizer.name}'s state` : '';
  // Pooling, flatten and dropout hold no parameters: only their outputs and those outputs' gradients count.
  const counted = largest.parameters > 0 ? `values, gradients${state} and activations` : 'outputs and their gradients';
  const what = `${name} (${largest.description}) ${parameters}needs ${formatBytes(largest.bytes)} to train (float32 ${counted} of a batch of ${config.batchSize})`;
  const whole = largest.bytes > MODEL_MEMORY_LIMIT_BYTES ? '' : `; the whole model needs ${formatBytes(total)}`;
  return [
    { path: origin(path), message: `${what}${whole}, over the limit of ${formatBytes(MODEL_MEMORY_LIMIT_BYTES)} for one model — ${fix}.` },
  ];
}

/** An MLP's layer is sized by the hidden size at its output; the output layer by the last hidden size, its input. */
function mlpLayerBlame(layer: LayerSize, hiddenCount: number): { path: PropertyKey[]; fix: string } {
  const hiddenIndex = layer.at === 'output' ? hiddenCount - 1 : layer.at;
  return { path: hiddenIndex >= 0 ? ['model', 'hidden', hiddenIndex] : ['model', 'hidden'], fix: 'use fewer units' };
}

/** A stack's layer is named by its index; the output layer (not in `layers`) by the last layer, which feeds it. */
function stackLayerBlame(layer: LayerSize, layerCount: number): { path: PropertyKey[]; fix: string } {
  const index = layer.at === 'output' ? layerCount - 1 : layer.at;
  const path = index >= 0 ? ['model', 'layers', index] : ['model', 'layers'];
  const shrinkInput = 'fewer filters or more pooling before it';
  const fix =
    layer.at === 'output'
      ? `shrink its input: ${shrinkInput}`
      : layer.type === 'conv2d'
        ? 'use fewer filters, larger strides, or pooling before it'
        : layer.type === 'dense'
          ? `use fewer units, or shrink its input: ${shrinkInput}`
          : `shrink its input: ${shrinkInput}`;
  return { path, fix };
}

/** Two runs may never share an id (and so a folder and a summary row): a guard behind the checks above. */
function checkUniqueIds(runs: readonly ResolvedRun[]): void {
  const seen = new Map<string, ResolvedRun>();
  for (const run of runs) {
    const other = seen.get(run.id.toLowerCase());
    if (other) {
      throw new ConfigError(
        `runs ${quote(other.name)} (seed ${other.seed}) and ${quote(run.name)} (seed ${run.seed}) would share the id ${quote(run.id)} and so one folder; give them distinct names or seeds.`,
      );
    }
    seen.set(run.id.toLowerCase(), run);
  }
}
