// `losslab validate` and `losslab schema`: the expanded runs table, and the JSON Schema on stdout.
import * as path from 'path';
import { loadExperiment } from '../../src/config/experiment';
import { experimentJsonSchema } from '../../src/config/schema';
import { runCli } from '../helpers/cli';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'config');

test('validate prints the experiment line and the expanded runs table, exit 0', async () => {
  const file = path.join(FIXTURES, 'good_two_runs.yaml');
  const { hash } = loadExperiment(file);
  const result = await runCli(['validate', file]);
  expect(result.err).toBe('');
  expect(result.code).toBe(0);
  expect(result.out).toBe(
    [
      `${file}: experiment "two-runs", 2 run(s), dataset mnist (train 1000, validation 0, test 500), hash ${hash}`,
      'id                        name                   seed  net       activations      loss                optimizer  init            batch  epochs  every',
      '------------------------  ---------------------  ----  --------  ---------------  ------------------  ---------  --------------  -----  ------  -----',
      'sigmoid-mse-s3            sigmoid-mse            3     784-8-10  sigmoid/sigmoid  mse(mean)           sgd η=0.5  glorot-uniform  100    2       4',
      'softmax-cross-entropy-s3  softmax-cross-entropy  3     784-8-10  sigmoid/softmax  cross-entropy(sum)  sgd η=0.5  glorot-uniform  100    2       4',
      '',
    ].join('\n'),
  );
});

test('validate lists every run of a grid with its seeds', async () => {
  const result = await runCli(['validate', path.join(FIXTURES, 'good_grid.yaml')]);
  expect(result.code).toBe(0);
  const rows = result.out.trimEnd().split('\n').slice(3);
  expect(rows).toHaveLength(18);
  expect(rows[17]).toBe(
    'mse-learningRate-1-hiddenActivation-tanh-s5       mse[learningRate=1,hiddenActivation=tanh]       5     784-4-10  tanh/softmax     mse(mean)           sgd η=1    glorot-uniform  32     1       100',
  );
});

test('schema prints experimentJsonSchema() as JSON, exit 0', async () => {
  const result = await runCli(['schema']);
  expect(result.code).toBe(0);
  expect(JSON.parse(result.out)).toEqual(experimentJsonSchema());
});
