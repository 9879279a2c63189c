// Tensors are owned: tf.memory() is the same at the end of epoch 1 and epoch 3 of a run, and back to the start after it.
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../src/backend/select';
import { loadExperiment } from '../../src/config/experiment';
import { trainRun } from '../../src/train/trainer';
import { tinyDataset } from '../helpers/dataset';
import { makeTempDir } from '../helpers/tmp';

const tmp = makeTempDir('leaks');
afterAll(tmp.cleanup);
beforeAll(async () => {
  await selectBackend('cpu');
});

const EXPERIMENT = `
name: leaks
dataset: {train: 200, test: 50}
seeds: [2]
defaults:
  model: {hidden: [8, 6], hiddenActivation: tanh}
  batchSize: 20
  epochs: 3
  hooks: {every: 3}
runs:
  - name: momentum-cross-entropy
    loss: {name: cross-entropy}
    optimizer: {name: momentum, learningRate: 0.1}
  - name: adam-mse
    model: {outputActivation: sigmoid}
    loss: {name: mse}
    optimizer: {name: adam, learningRate: 0.01}
`;

test.each(loadExperiment('leaks.yaml', {}, EXPERIMENT).runs.map((run) => [run.name, run] as const))(
  '%s: numTensors and numBytes flat across epochs',
  async (_name, run) => {
    const dataset = tinyDataset({ train: 200, test: 50 });
    const before = tf.memory();
    const atEpochEnd = new Map<number, { numTensors: number; numBytes: number }>();
    const outcome = await trainRun(run, dataset, {
      runDir: `${tmp.dir}/${run.id}`,
      onProgress: (p) => {
        if (p.stepInEpoch === p.stepsPerEpoch)
          atEpochEnd.set(p.epoch, { numTensors: tf.memory().numTensors, numBytes: tf.memory().numBytes });
      },
    });
    expect(outcome.status).toBe('complete');
    expect([...atEpochEnd.keys()]).toEqual([1, 2, 3]);
    expect(atEpochEnd.get(3)).toEqual(atEpochEnd.get(1));
    expect(atEpochEnd.get(2)).toEqual(atEpochEnd.get(1));
    const after = tf.memory();
    expect({ numTensors: after.numTensors, numBytes: after.numBytes }).toEqual({
      numTensors: before.numTensors,
      numBytes: before.numBytes,
    });
  },
);
