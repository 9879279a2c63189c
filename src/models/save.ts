// Saves a model in the tf.js LayersModel format (model.json + weights.bin), loadable by tf.loadLayersModel.
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { LayerStack } from './layer-stack';
import { layerDefinition } from './layers';
import type { Mlp } from './mlp';
import type { Model } from './model';
import { makeFolders } from '../files/output-folder';
import { ResultsError } from '../errors';
import { parseJson } from '../files/parse-json';
import { readFileBytes, readTextFile } from '../files/read-file';
import { writeFileAtomic } from '../results/atomic';

/**
 * A tf.layers Sequential with the same weights and the same input as `model` (flat [N, features]): an MLP's dense
 * layers, or a stack's layers after a reshape to its input image; each parameter layer with its activation and the
 * initializers its weights were drawn with (tfjs's defaults where it does not know them; saveModel then records
 * none). An activation from a user's module has no tfjs-layers name and is saved as linear (see
 * moduleActivationNote). Caller disposes.
 */
export function toLayersModel(model: Model): tf.Sequential {
  // A fixed name: tfjs would number it per process (sequential_1, _2, …), so model.json would differ between runs.
  const sequential = tf.sequential({ name: model instanceof LayerStack ? 'losslab_layer_stack' : 'losslab_mlp' });
  if (model instanceof LayerStack) {
    const features = model.inputShape.reduce((a, b) => a * b, 1);
    sequential.add(tf.layers.reshape({ targetShape: [...model.inputShape], inputShape: [features], name: 'input_image' }));
    for (const { layer, index, parameters } of model.steps) {
      const options = parameters && { activation: parameters.activation.layersName ?? 'linear', initializers: parameters.initializers };
      sequential.add(layerDefinition(layer).toLayer(layer, layerName(model, index), options));
    }
  } else {
    (model as Mlp).layers.forEach((layer, index) => {
      sequential.add(
        tf.layers.dense({
          units: layer.kernel.shape[1],
          activation: layer.activation.layersName ?? 'linear',
          inputShape: index === 0 ? [layer.kernel.shape[0]] : undefined,
          name: `dense_${index}`,
          kernelInitializer: layer.initializers?.kernel,
          biasInitializer: layer.initializers?.bias,
        }),
      );
    });
  }
  sequential.setWeights(model.variables);
  return sequential;
}

/** The saved name of layer `index` of a stack: its type and index, e.g. conv2d_0, dense_7. */
const layerName = (stack: LayerStack, index: number) => `${stack.steps[index].layer.type}_${index}`;

/** The part of a Sequential's modelTopology that names each layer's initializers (parameter layers only have them). */
interface SequentialTopology {
  config: { layers: { config: { kernel_initializer?: unknown; bias_initializer?: unknown } }[] };
}

/**
 * model.json must not claim initializers that did not draw the weights: a parameter layer that does not know how its
 * weights were drawn records null for both (tf.loadLayersModel then builds it with its defaults and loads the weights).
 */
function withoutUnknownInitializers(topology: SequentialTopology, model: Model): SequentialTopology {
  const withParameters = topology.config.layers.filter((entry) => 'kernel_initializer' in entry.config);
  withParameters.forEach((entry, index) => {
    if (model.parameterLayers[index].initializers === undefined) {
      entry.config.kernel_initializer = null;
      entry.config.bias_initializer = null;
    }
  });
  return topology;
}

/** Writes `<dir>/model.json` and `<dir>/weights.bin` (each atomically). */
export async function saveModel(network: Model, dir: string): Promise<void> {
  const model = toLayersModel(network);
  try {
    await model.save(
      tf.io.withSaveHandler((artifacts) => {
        makeFolders(dir);
        const weightsManifest = [{ paths: ['weights.bin'], weights: artifacts.weightSpecs ?? [] }];
        const note = moduleActivationNote(network);
        const modelJson = {
          modelTopology: withoutUnknownInitializers(artifacts.modelTopology as unknown as SequentialTopology, network),
          format: 'layers-model',
          generatedBy: `TensorFlow.js tfjs-layers v${tf.version_layers}`,
          convertedBy: 'losslab',
          weightsManifest,
          ...(note ? { userDefinedMetadata: { losslab: note } } : {}),
        };
        const weights = artifacts.weightData as ArrayBuffer;
        writeFileAtomic(path.join(dir, 'weights.bin'), new Uint8Array(weights));
        writeFileAtomic(path.join(dir, 'model.json'), `${JSON.stringify(modelJson)}\n`);
        return Promise.resolve({ modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' as const } });
      }),
    );
  } finally {
    model.dispose();
  }
}

/**
 * For model.json's userDefinedMetadata, when a layer's activation comes from a user's module: which layer, and what
 * predict() of the loaded model returns. Undefined when every activation is a tfjs-layers one.
 */
export function moduleActivationNote(model: Model): { layers: { layer: string; activation: string }[]; note: string } | undefined {
  const names =
    model instanceof LayerStack
      ? model.steps.flatMap((step) => (step.parameters ? [layerName(model, step.index)] : []))
      : model.parameterLayers.map((_, index) => `dense_${index}`);
  const layers = model.parameterLayers.flatMap((layer, index) =>
    layer.activation.layersName ? [] : [{ layer: names[index], activation: layer.activation.name }],
  );
  if (layers.length === 0) return undefined;
  return {
    layers,
    note: "These layers apply an activation from a module (its path and SHA-256 are in the run config in experiment.json). tfjs-layers cannot name it, so model.json says linear: predict() returns the logits z of those layers, and the outputs are f(z) with the module's f. The predicted class argmax z equals argmax f(z) wherever f keeps the order of the logits, as softmax and sparsemax do.",
  };
}

/**
 * Loads a model saved by saveModel with tf.loadLayersModel, reading its files through the guarded reader (no file://
 * handler needed).
 */
export async function loadSavedModel(dir: string): Promise<tf.LayersModel> {
  const modelFile = path.join(dir, 'model.json');
  const modelJson = parseJson(readTextFile(modelFile, 'resultsJson'), modelFile, (message) => new ResultsError(message)) as {
    modelTopology: tf.io.ModelArtifacts['modelTopology'];
    weightsManifest: tf.io.WeightsManifestConfig;
  };
  const weightData = readFileBytes(path.join(dir, 'weights.bin'), 'checkpoint');
  return tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: modelJson.modelTopology,
      weightSpecs: modelJson.weightsManifest[0].weights,
      weightData: weightData.buffer.slice(weightData.byteOffset, weightData.byteOffset + weightData.byteLength),
    }),
  );
}
