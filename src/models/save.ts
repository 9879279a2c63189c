// Saves an Mlp in the tf.js LayersModel format (model.json + weights.bin), loadable by tf.loadLayersModel.
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import type { Mlp } from './mlp';
import { writeFileAtomic } from '../results/atomic';

/**
 * A tf.layers Sequential with the same weights as `mlp`: Dense layers with their activations and the initializers
 * their weights were drawn with (tfjs's defaults where the layer does not know them; saveMlp then records none). An
 * activation from a user's module has no tfjs-layers name and is saved as linear (see moduleActivationNote).
 * Caller disposes.
 */
export function toLayersModel(mlp: Mlp): tf.Sequential {
  // A fixed name: tfjs would number it per process (sequential_1, _2, …), so model.json would differ between runs.
  const model = tf.sequential({ name: 'losslab_mlp' });
  mlp.layers.forEach((layer, index) => {
    model.add(
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
  model.setWeights(mlp.layers.flatMap((l) => [l.kernel, l.bias]));
  return model;
}

/** The part of a Sequential's modelTopology that names each layer's initializers. */
interface SequentialTopology {
  config: { layers: { config: { kernel_initializer: unknown; bias_initializer: unknown } }[] };
}

/**
 * model.json must not claim initializers that did not draw the weights: a layer that does not know how its weights
 * were drawn records null for both (tf.loadLayersModel then builds it with its defaults and loads the weights).
 */
function withoutUnknownInitializers(topology: SequentialTopology, mlp: Mlp): SequentialTopology {
  topology.config.layers.forEach((entry, index) => {
    if (mlp.layers[index].initializers === undefined) {
      entry.config.kernel_initializer = null;
      entry.config.bias_initializer = null;
    }
  });
  return topology;
}

/** Writes `<dir>/model.json` and `<dir>/weights.bin` (each atomically). */
export async function saveMlp(mlp: Mlp, dir: string): Promise<void> {
  const model = toLayersModel(mlp);
  try {
    await model.save(
      tf.io.withSaveHandler((artifacts) => {
        fs.mkdirSync(dir, { recursive: true });
        const weightsManifest = [{ paths: ['weights.bin'], weights: artifacts.weightSpecs ?? [] }];
        const note = moduleActivationNote(mlp);
        const modelJson = {
          modelTopology: withoutUnknownInitializers(artifacts.modelTopology as unknown as SequentialTopology, mlp),
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
export function moduleActivationNote(mlp: Mlp): { layers: { layer: string; activation: string }[]; note: string } | undefined {
  const layers = mlp.layers.flatMap((layer, index) =>
    layer.activation.layersName ? [] : [{ layer: `dense_${index}`, activation: layer.activation.name }],
  );
  if (layers.length === 0) return undefined;
  return {
    layers,
    note: "These layers apply an activation from a module (its path and SHA-256 are in the run config in experiment.json). tfjs-layers cannot name it, so model.json says linear: predict() returns the logits z of those layers, and the outputs are f(z) with the module's f. The predicted class argmax z equals argmax f(z) wherever f keeps the order of the logits, as softmax and sparsemax do.",
  };
}

/** Loads a model saved by saveMlp with tf.loadLayersModel, reading the files directly (no file:// handler needed). */
export async function loadSavedModel(dir: string): Promise<tf.LayersModel> {
  const modelJson = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8')) as {
    modelTopology: tf.io.ModelArtifacts['modelTopology'];
    weightsManifest: tf.io.WeightsManifestConfig;
  };
  const weightData = fs.readFileSync(path.join(dir, 'weights.bin'));
  return tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: modelJson.modelTopology,
      weightSpecs: modelJson.weightsManifest[0].weights,
      weightData: weightData.buffer.slice(weightData.byteOffset, weightData.byteOffset + weightData.byteLength),
    }),
  );
}
