// Saved models: saveMlp writes model.json + weights.bin that tf.loadLayersModel reads back to the same predictions.
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../src/backend/select';
import { loadExperiment } from '../../src/config/experiment';
import { buildMlp } from '../../src/models/mlp';
import { loadSavedModel, saveMlp } from '../../src/models/save';
import { makeTempDir } from '../helpers/tmp';

let tmp: ReturnType<typeof makeTempDir>;
beforeAll(async () => {
  await selectBackend('cpu');
  tmp = makeTempDir('save');
});
afterAll(() => tmp.cleanup());

test.each([
  ['sigmoid', 'softmax', '[7, 5]'],
  ['tanh', 'sigmoid', '[6]'],
  ['relu', 'linear', '[8, 4, 3]'],
  ['linear', 'tanh', '[]'],
])('%s hidden, %s output, hidden %s: the loaded model predicts the forward pass to 1e-6', async (hidden, output, sizes) => {
  const text = `name: s\nruns: [{model: {hidden: ${sizes}, hiddenActivation: ${hidden}, outputActivation: ${output}, biasInitializer: {name: uniform, min: -0.5, max: 0.5}}, loss: {name: mse}}]`;
  const run = loadExperiment('s.yaml', {}, text).runs[0];
  const mlp = buildMlp(run.config.model, 12, 4, 3);
  const dir = path.join(tmp.dir, `${hidden}-${output}`);
  await saveMlp(mlp, dir);
  expect(fs.readdirSync(dir).sort()).toEqual(['model.json', 'weights.bin']);
  const modelJson = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8')) as {
    format: string;
    weightsManifest: { paths: string[] }[];
  };
  expect(modelJson.format).toBe('layers-model');
  expect(modelJson.weightsManifest[0].paths).toEqual(['weights.bin']);
  // float32 kernel and bias of every layer, nothing else.
  const parameters = mlp.variables.reduce((sum, v) => sum + v.size, 0);
  expect(fs.statSync(path.join(dir, 'weights.bin')).size).toBe(parameters * 4);

  const loaded = await loadSavedModel(dir);
  const x = tf.randomUniform([9, 12], 0, 1, 'float32', 5) as tf.Tensor2D;
  const expected = tf.tidy(() => {
    const pass = mlp.forward(x);
    return pass.activations[pass.activations.length - 1];
  });
  const predicted = loaded.predict(x) as tf.Tensor;
  expect(predicted.shape).toEqual([9, 4]);
  const want = expected.dataSync();
  const got = predicted.dataSync();
  for (let i = 0; i < want.length; i++) expect(Math.abs(got[i] - want[i])).toBeLessThanOrEqual(1e-6);
  // The outputs vary across examples, so the comparison is not between constants.
  expect(new Set(Array.from(want).map((v) => v.toFixed(4))).size).toBeGreaterThan(4);
  tf.dispose([x, expected, predicted]);
  loaded.dispose();
  mlp.dispose();
});

test('saving leaves tf.memory() unchanged', async () => {
  const run = loadExperiment('s.yaml', {}, 'name: s\nruns: [{model: {hidden: [3]}}]').runs[0];
  const mlp = buildMlp(run.config.model, 4, 2, 1);
  const before = tf.memory().numTensors;
  await saveMlp(mlp, path.join(tmp.dir, 'memory'));
  expect(tf.memory().numTensors).toBe(before);
  mlp.dispose();
});
