// Resolves a run's model block: an MLP (hidden) or a layer stack (layers), initialisers filled in, shapes checked.
import type { z } from 'zod';
import { IMAGE_SHAPE, NUM_CLASSES } from '../data/dataset';
import { INITIALIZERS, type InitializerDefinition, type InitializerSpec, type ResolvedInitializer } from '../models/initializers';
import type { LayerSettings, ResolvedLayer } from '../models/layers';
import { isShapeProblem, stackShapes } from '../models/shapes';
import type { Problem } from './issues';
import type { ModelSchema, RunConfig } from './schema';

/** Where a key got its value, most specific last: the file's defaults, the run itself, a grid point. */
export const SETTING_LEVELS = ['defaults', 'run', 'grid'] as const;
export type SettingLevel = (typeof SETTING_LEVELS)[number];

/** What resolveModel needs from the expansion: where a key path came from, and whether it was set at all. */
export interface ModelOrigin {
  /** The key path as the user wrote it (runs[i]…, defaults…, grid…), for messages. */
  path: (path: readonly PropertyKey[]) => PropertyKey[];
  /** The level that set `path`, or undefined when only the schema's default applies. */
  levelOf: (path: readonly PropertyKey[]) => SettingLevel | undefined;
}

/**
 * The resolved model of a run, with `outputActivation` already resolved (a built-in name or a module's fields). With
 * `layers` set, the block is a layer stack and `hidden` is dropped (when both are set, the more specific level wins;
 * at the same level it is an error). Otherwise it is an MLP, resolved exactly as before layer stacks existed, so its
 * config hash is unchanged.
 */
export function resolveModel(
  model: z.output<typeof ModelSchema>,
  outputActivation: RunConfig['model']['outputActivation'],
  origin: ModelOrigin,
  problems: Problem[],
): RunConfig['model'] {
  const { layers, hidden, ...rest } = model;
  const kernelInitializer = resolveInitializer(model.kernelInitializer, origin.path(['model', 'kernelInitializer']), problems);
  const biasInitializer = resolveInitializer(model.biasInitializer, origin.path(['model', 'biasInitializer']), problems);
  const layersLevel = origin.levelOf(['model', 'layers']);
  const hiddenLevel = origin.levelOf(['model', 'hidden']);
  const stack =
    layers !== undefined && (hiddenLevel === undefined || SETTING_LEVELS.indexOf(layersLevel!) > SETTING_LEVELS.indexOf(hiddenLevel));
  if (layers !== undefined && hiddenLevel !== undefined && hiddenLevel === layersLevel) {
    problems.push({
      path: origin.path(['model', 'hidden']),
      message: 'set together with model.layers: an MLP has hidden sizes, a layer stack has layers; keep one of them.',
    });
  }
  if (!stack) return { hidden, ...rest, outputActivation, kernelInitializer, biasInitializer };

  const resolved = layers.map((layer, index) =>
    resolveLayer(layer, { ...rest, kernelInitializer, biasInitializer }, (key) => origin.path(['model', 'layers', index, key]), problems),
  );
  const shapes = stackShapes(resolved, IMAGE_SHAPE, { units: NUM_CLASSES, kernelInitializer, biasInitializer });
  if (isShapeProblem(shapes)) {
    problems.push({
      path: origin.path(shapes.at === 'output' ? ['model', 'layers'] : ['model', 'layers', shapes.at]),
      message: shapes.message,
    });
  }
  return { layers: resolved, ...rest, outputActivation, kernelInitializer, biasInitializer };
}

/** The model-level settings a layer falls back to. */
interface LayerDefaults {
  hiddenActivation: RunConfig['model']['hiddenActivation'];
  kernelInitializer: ResolvedInitializer;
  biasInitializer: ResolvedInitializer;
}

const pair = (size: number | [number, number]): [number, number] => (typeof size === 'number' ? [size, size] : size);

/** A layer with its defaults filled in: sizes as pairs, the model's activation and initialisers where it has none. */
function resolveLayer(
  layer: LayerSettings,
  defaults: LayerDefaults,
  pathOf: (key: string) => PropertyKey[],
  problems: Problem[],
): ResolvedLayer {
  const initializers = (l: { kernelInitializer?: InitializerSpec; biasInitializer?: InitializerSpec }) => ({
    kernelInitializer: l.kernelInitializer
      ? resolveInitializer(l.kernelInitializer, pathOf('kernelInitializer'), problems)
      : defaults.kernelInitializer,
    biasInitializer: l.biasInitializer
      ? resolveInitializer(l.biasInitializer, pathOf('biasInitializer'), problems)
      : defaults.biasInitializer,
  });
  switch (layer.type) {
    case 'conv2d':
      return {
        type: 'conv2d',
        filters: layer.filters,
        kernelSize: pair(layer.kernelSize),
        strides: pair(layer.strides),
        padding: layer.padding,
        activation: layer.activation ?? defaults.hiddenActivation,
        ...initializers(layer),
      };
    case 'maxPool2d':
    case 'avgPool2d':
      return {
        type: layer.type,
        poolSize: pair(layer.poolSize),
        strides: pair(layer.strides ?? layer.poolSize),
        padding: layer.padding,
      };
    case 'dense':
      return { type: 'dense', units: layer.units, activation: layer.activation ?? defaults.hiddenActivation, ...initializers(layer) };
    case 'flatten':
    case 'dropout':
      return layer;
  }
}

/** An initialiser as a block with every parameter it takes; parameters it does not take are problems. */
export function resolveInitializer(spec: InitializerSpec, path: PropertyKey[], problems: Problem[]): ResolvedInitializer {
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
  // Related bounds: U(min, max) needs min <= max, whether each came from the file or the initializer's default.
  if (typeof resolved.min === 'number' && typeof resolved.max === 'number' && resolved.min > resolved.max) {
    const given = block as { min?: number; max?: number };
    const origin = (key: 'min' | 'max') => (given[key] === undefined ? ' (the default)' : '');
    problems.push({
      path: [...path, given.min !== undefined ? 'min' : 'max'],
      message: `initializer "${block.name}" needs min <= max, received min ${resolved.min}${origin('min')} and max ${resolved.max}${origin('max')}.`,
    });
  }
  return resolved as ResolvedInitializer;
}
