// Expands a validated experiment file into resolved runs: defaults, grid points, seeds, cross-key rules, ids.
import type { z } from 'zod';
import { LOSSES, lossNamesWhere, type LossDefinition } from '../losses/registry';
import { INITIALIZERS, type InitializerDefinition } from '../models/initializers';
import { OPTIMIZERS, optimizersUsing, type OptimizerDefinition } from '../optimizers/registry';
import { ConfigError } from '../errors';
import { didYouMean } from '../util/did-you-mean';
import { gridValueText } from '../util/grid-text';
import { isPlainObject } from '../util/plain-object';
import { problemsError, problemsFromIssues, type Problem } from './issues';
import { matchesGlob } from './only';
import type { SourceDocument } from './parse-file';
import { assignIds, hashOf } from './run-ids';
import {
  RunSchema,
  runNames,
  type DatasetConfig,
  type ExperimentFile,
  type InitializerSpec,
  type Reference,
  type ReportSettings,
  type RunConfig,
} from './schema';
import { keysAt, leafKeys } from './schema-walk';

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
  /** sha256 (first 16 hex digits) of the dataset and every resolved run. */
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

type RawRun = Record<string, unknown>;

export function expandExperiment(
  source: SourceDocument,
  raw: Record<string, unknown>,
  file: ExperimentFile,
  overrides: ExperimentOverrides,
): Experiment {
  const problems: Problem[] = [];
  const rawDefaults = (raw.defaults ?? {}) as RawRun;
  const rawRuns = (raw.runs as RawRun[] | undefined) ?? [{ name: file.name }];
  const runsPath = raw.runs ? 'runs' : 'defaults';
  const grid = file.grid ?? {};
  const gridKeys = Object.keys(grid);

  for (const key of gridKeys) {
    if (!RUN_LEAF_KEYS.includes(key)) {
      problems.push({
        path: ['grid', key],
        message: `unknown key "${key}"${didYouMean(key, RUN_LEAF_KEYS) || '.'} A grid varies run keys such as optimizer.learningRate, loss.name or model.hidden.`,
      });
    }
  }
  if (problems.length > 0) throw problemsError(source, problems);

  const points = cartesian(gridKeys.map((key) => grid[key].map((value, index) => ({ key, value, index }))));
  const runs: ResolvedRun[] = [];
  const names = new Map<string, number>();
  rawRuns.forEach((rawRun, runIndex) => {
    const baseName = runNames(file)[runIndex];
    if (names.has(baseName)) {
      problems.push({
        path: [runsPath, runIndex, 'name'],
        message: `duplicate run name "${baseName}" (also runs[${names.get(baseName)}]); names must be unique.`,
      });
    }
    names.set(baseName, runIndex);
    const { name: _name, seeds: runSeeds, ...settings } = rawRun;
    for (const point of points) {
      const merged = deepMerge(deepMerge({}, rawDefaults), settings);
      for (const { key, value } of point) setDotted(merged, key, value);
      const origin = (path: readonly PropertyKey[]) => originOf(path, rawRun, point, raw.runs ? runIndex : undefined, rawDefaults);
      const parsedRun = RunSchema.safeParse(merged, { reportInput: true });
      if (!parsedRun.success) {
        for (const p of problemsFromIssues(parsedRun.error.issues, (path) => keysAt(RunSchema, path))) {
          problems.push({ path: origin(p.path), message: p.message });
        }
        continue;
      }
      const config = resolveRun(parsedRun.data, merged, origin, problems);
      if (overrides.epochs !== undefined) config.epochs = overrides.epochs;
      if (config.batchSize > file.dataset.train) {
        problems.push({
          path: origin(['batchSize']),
          message: `expected at most dataset.train (${file.dataset.train}), received ${config.batchSize}.`,
        });
      }
      const gridValues = Object.fromEntries(point.map(({ key, value }) => [key, value]));
      const name =
        point.length === 0
          ? baseName
          : `${baseName}[${point.map(({ key, value }) => `${shortKey(key)}=${gridValueText(value)}`).join(',')}]`;
      const seeds = overrides.seeds ?? (runSeeds as number[] | undefined) ?? file.seeds;
      for (const seed of seeds) {
        runs.push({ id: '', name, seed, gridValues, config, configHash: hashOf({ dataset: file.dataset, config, seed }) });
      }
    }
  });
  if (problems.length > 0) throw problemsError(source, problems);

  assignIds(runs, gridKeys.length > 0);
  const selected = overrides.only ? runs.filter((run) => matchesGlob(run.name, overrides.only!)) : runs;
  if (selected.length === 0) {
    const known = [...new Set(runs.map((r) => r.name))];
    throw new ConfigError(
      `--only: no run name matches "${overrides.only}"${didYouMean(overrides.only!, known) || '.'} Run names: ${known.join(', ')}.`,
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
    hash: hashOf({ dataset: file.dataset, runs: selected.map((r) => ({ id: r.id, seed: r.seed, config: r.config })) }),
  };
}

/** Fills what the schema leaves open (loss.outputs, initializer blocks) and checks rules across keys. */
function resolveRun(
  run: z.output<typeof RunSchema>,
  merged: RawRun,
  origin: (path: readonly PropertyKey[]) => PropertyKey[],
  problems: Problem[],
): RunConfig {
  const loss: LossDefinition = LOSSES[run.loss.name];
  const output = run.model.outputActivation;
  if (!loss.outputs.includes(output)) {
    problems.push({
      path: origin(['loss', 'name']),
      message: `loss "${run.loss.name}" does not fit outputActivation "${output}": ${loss.instead}.`,
    });
  }
  if (run.loss.gradient === 'skip-activation-derivative' && !loss.separableFromActivation) {
    problems.push({
      path: origin(['loss', 'gradient']),
      message: `skip-activation-derivative needs a loss of the outputs o (${lossNamesWhere((d) => d.separableFromActivation).join(', ')}); "${run.loss.name}" is computed from the logits z, with no ∂E/∂o apart from the activation: use gradient: closed-form or autodiff.`,
    });
  }
  if (run.loss.labelSmoothing > 0 && !loss.acceptsLabelSmoothing) {
    problems.push({
      path: origin(['loss', 'labelSmoothing']),
      message: `labelSmoothing applies to ${lossNamesWhere((d) => d.acceptsLabelSmoothing === true).join(', ')} only, received it with "${run.loss.name}".`,
    });
  }
  const optimizer: OptimizerDefinition = OPTIMIZERS[run.optimizer.name];
  const rawOptimizer = (merged.optimizer ?? {}) as Record<string, unknown>;
  for (const key of Object.keys(rawOptimizer)) {
    if (key !== 'name' && !(optimizer.uses as readonly string[]).includes(key)) {
      const users = optimizersUsing(key);
      problems.push({
        path: origin(['optimizer', key]),
        message: `optimizer "${run.optimizer.name}" does not use ${key}${users.length ? ` (${users.join(', ')} do${users.length === 1 ? 'es' : ''})` : ''}.`,
      });
    }
  }
  const usedOptimizerKeys = ['name', ...optimizer.uses] as string[];
  return {
    ...run,
    optimizer: Object.fromEntries(Object.entries(run.optimizer).filter(([key]) => usedOptimizerKeys.includes(key))),
    model: {
      ...run.model,
      kernelInitializer: resolveInitializer(run.model.kernelInitializer, origin(['model', 'kernelInitializer']), problems),
      biasInitializer: resolveInitializer(run.model.biasInitializer, origin(['model', 'biasInitializer']), problems),
    },
    loss: { ...run.loss, outputs: run.loss.outputs ?? loss.defaultOutputs },
  } as RunConfig;
}

function resolveInitializer(spec: InitializerSpec, path: PropertyKey[], problems: Problem[]): RunConfig['model']['kernelInitializer'] {
  const block = typeof spec === 'string' ? { name: spec } : spec;
  const definition: InitializerDefinition = INITIALIZERS[block.name];
  const accepted = Object.keys(definition.params);
  const resolved: Record<string, number | string> = { name: block.name, ...definition.params };
  for (const [key, value] of Object.entries(block)) {
    if (key === 'name' || value === undefined) continue;
    if (!accepted.includes(key)) {
      problems.push({
        path: [...path, key],
        message: `initializer "${block.name}" takes ${accepted.length ? `only ${accepted.join(', ')}` : 'no parameters'}, received ${key}.`,
      });
    }
    resolved[key] = value;
  }
  return resolved as RunConfig['model']['kernelInitializer'];
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
