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
      // The two runs differ in their output activation, so each model is summarised: 784·8 + 8 and 8·10 + 10 values.
      ...['sigmoid-mse', 'softmax-cross-entropy'].flatMap((name) => [
        `model of ${name}:`,
        '  layer      type   output shape  params',
        '  ---------  -----  ------------  ------',
        '  input             784           0',
        '  hidden[0]  dense  8             6,280',
        '  output     dense  10            90',
        '  total                           6,370',
        '',
      ]),
    ].join('\n'),
  );
});

test('validate summarises a layer stack as Keras does: output shape and parameters of every layer', async () => {
  const file = path.join(FIXTURES, 'good_layers.yaml');
  const result = await runCli(['validate', file]);
  expect(result.code).toBe(0);
  const lines = result.out.split('\n');
  expect(lines[3]).toMatch(
    /^stack-s1 +stack +1 +28x28x1-conv4@3x3\/s2x2\/same-maxpool3x3\/s2x2\/same-conv6@3x2:tanh-avgpool2x2\/same-flatten-dropout0.5-12:sigmoid-10 +relu\/softmax /,
  );
  // Hand-computed: same padding gives ceil(in / stride); conv2d has kh·kw·in·filters + filters values, dense in·units + units.
  expect(lines.slice(lines.indexOf('model of stack:'), lines.indexOf('model of stack:') + 14)).toEqual([
    'model of stack:',
    '  layer      type       output shape  params',
    '  ---------  ---------  ------------  ------',
    '  input                 28×28×1       0',
    '  layers[0]  conv2d     14×14×4       40',
    '  layers[1]  maxPool2d  7×7×4         0',
    '  layers[2]  conv2d     5×6×6         150',
    '  layers[3]  avgPool2d  3×3×6         0',
    '  layers[4]  flatten    54            0',
    '  layers[5]  dropout    54            0',
    '  layers[6]  dense      12            660',
    '  output     dense      10            130',
    '  total                               980',
    '',
  ]);
});

test('validate lists every run of a grid with its seeds', async () => {
  const result = await runCli(['validate', path.join(FIXTURES, 'good_grid.yaml')]);
  expect(result.code).toBe(0);
  const rows = result.out.split('\n\n')[0].split('\n').slice(3);
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
