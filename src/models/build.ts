// Builds the network of a run's model block: an MLP for `hidden`, a layer stack for `layers`.
import { isLayerStack, type RunConfig } from '../config/schema';
import { IMAGE_SHAPE } from '../data/dataset';
import type { Split } from '../data/dataset';
import type { Activation } from './activations';
import { buildLayerStack } from './layer-stack';
import { buildMlp } from './mlp';
import type { Model } from './model';

/**
 * The model of `config` for examples of `split` (its feature size and classes), with weights seeded from `runSeed`.
 * A layer stack sees each example as an image (IMAGE_SHAPE); an MLP sees the flat features. An output activation
 * given by a module comes bound in `output` (see train/run-functions.ts); a built-in one may be left out.
 */
export function buildModel(
  config: RunConfig['model'],
  split: Pick<Split, 'featureSize' | 'numClasses'>,
  runSeed: number,
  output?: Activation,
): Model {
  if (isLayerStack(config)) return buildLayerStack(config, IMAGE_SHAPE, split.numClasses, runSeed, output);
  return buildMlp(config, split.featureSize, split.numClasses, runSeed, output);
}
