// A run's loss and output activation, bound: built-ins by name, or the run's loaded modules with their options.
import type { RunModules } from '../config/expand';
import type { RunConfig } from '../config/schema';
import type { LossModule } from '../modules/contract';
import { bindLoss, LOSSES, type Loss } from '../losses/registry';
import { activation, bindActivation, type Activation } from '../models/activations';

/** The output activation of a run: the built-in it names, or its module with the run's options. */
export function outputActivationOf(config: Pick<RunConfig, 'model'>, modules: RunModules): Activation {
  const spec = config.model.outputActivation;
  if (typeof spec === 'string') return activation(spec);
  const loaded = modules.output?.loaded;
  if (!loaded || loaded.source.sha256 !== spec.sha256) throw new Error(`output activation module ${spec.module} is not loaded`);
  return bindActivation(loaded.definition, loaded.name, spec.options);
}

/** The loss of a run bound to its output activation: the built-in it names, or its module with the run's options. */
export function lossOf(config: Pick<RunConfig, 'loss'>, modules: RunModules, output: Activation): Loss {
  const { loss } = config;
  const settings = { outputs: loss.outputs, scale: loss.scale, gradient: loss.gradient };
  if (loss.module !== undefined) {
    const loaded = modules.loss?.loaded;
    if (!loaded || loaded.source.sha256 !== loss.sha256) throw new Error(`loss module ${loss.module} is not loaded`);
    return bindLoss(loss.module, loaded.definition, loss.options ?? {}, output, settings);
  }
  const name = loss.name ?? 'cross-entropy';
  const definition: LossModule = LOSSES[name];
  // A built-in's options are keys of the loss block itself (cross-entropy: labelSmoothing).
  const options = Object.fromEntries(Object.keys(definition.options ?? {}).map((key) => [key, (loss as Record<string, unknown>)[key]]));
  return bindLoss(name, definition, options as Record<string, number>, output, settings);
}

/** The loss as shown in summary.csv and validate: the built-in's name or the module's path as written. */
export const lossLabel = (loss: RunConfig['loss']): string => loss.module ?? loss.name ?? 'cross-entropy';

/** The output activation as shown in summary.csv and validate: the built-in's name or the module's path. */
export const outputLabel = (spec: RunConfig['model']['outputActivation']): string => (typeof spec === 'string' ? spec : spec.module);
