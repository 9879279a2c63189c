// Saves an Mlp in the tf.js LayersModel format (model.json + weights.bin), loadable by tf.loadLayersModel.
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { ACTIVATIONS } from './activations';
import type { Mlp } from './mlp';
import { writeFileAtomic } from '../results/atomic';

/** A tf.layers Sequential with the same weights as `mlp`: Dense layers with their activations. Caller disposes. */
export function toLayersModel(mlp: Mlp): tf.Sequential {
  // A fixed name: tfjs would number it per process (sequential_1, _2, …), so model.json would differ between runs.
  const model = tf.sequential({ name: 'losslab_mlp' });
  mlp.layers.forEach((layer, index) => {
    model.add(
      tf.layers.dense({
        units: layer.kernel.shape[1],
        activation: ACTIVATIONS[layer.activation].layersName,
        inputShape: index === 0 ? [layer.kernel.shape[0]] : undefined,
        name: `dense_${index}`,
      }),
    );
  });
  model.setWeights(mlp.layers.flatMap((l) => [l.kernel, l.bias]));
  return model;
}

/** Writes `<dir>/model.json` and `<dir>/weights.bin` (each atomically). */
export async function saveMlp(mlp: Mlp, dir: string): Promise<void> {
  const model = toLayersModel(mlp);
  try {
    await model.save(
      tf.io.withSaveHandler((artifacts) => {
        fs.mkdirSync(dir, { recursive: true });
        const weightsManifest = [{ paths: ['weights.bin'], weights: artifacts.weightSpecs ?? [] }];
        const modelJson = {
          modelTopology: artifacts.modelTopology,
          format: 'layers-model',
          generatedBy: `TensorFlow.js tfjs-layers v${tf.version_layers}`,
          convertedBy: 'losslab',
          weightsManifest,
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
