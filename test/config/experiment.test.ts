// Good experiment files: defaults filled in, grid expansion, run names and ids, seeds, hashes, the JSON Schema.
import * as fs from 'fs';
import * as path from 'path';
import { loadExperiment, type Experiment } from '../../src/config/experiment';
import { slug } from '../../src/config/run-ids';
import { matchesGlob } from '../../src/config/only';
import { experimentJsonSchema, type RunConfig } from '../../src/config/schema';
import { DATASET_NAMES } from '../../src/data/datasets';
import { GRADIENT_MODES, LOSS_NAMES } from '../../src/losses/registry';
import { HIDDEN_ACTIVATION_NAMES, OUTPUT_ACTIVATION_NAMES } from '../../src/models/activations';
import { INITIALIZER_NAMES } from '../../src/models/initializers';
import { runCliInChild } from '../helpers/cli-process';
import { OPTIMIZER_NAMES } from '../../src/optimizers/registry';

const ROOT = path.join(__dirname, '..', '..');
const FIXTURES = path.join(__dirname, '..', 'fixtures', 'config');
const fromText = (text: string, overrides = {}): Experiment => loadExperiment('inline.yaml', overrides, text);
const SAFE_ID = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

describe('defaults', () => {
  test('a file with one named run resolves to every default filled in', () => {
    const experiment = loadExperiment(path.join(FIXTURES, 'good_minimal.yaml'));
    const expected: RunConfig = {
      model: {
        hidden: [100],
        hiddenActivation: 'sigmoid',
        outputActivation: 'softmax',
        kernelInitializer: { name: 'glorot-uniform' },
        biasInitializer: { name: 'zeros' },
      },
      loss: { name: 'cross-entropy', outputs: 'sum', scale: 1, gradient: 'autodiff', labelSmoothing: 0 },
      optimizer: { name: 'sgd', learningRate: 0.1 },
      l2: 0,
      batchSize: 32,
      epochs: 1,
      hooks: { every: 100 },
    };
    expect(experiment.runs.map((r) => [r.id, r.name, r.seed])).toEqual([['only-s1', 'only', 1]]);
    expect(experiment.runs[0].config).toEqual(expected);
    expect(experiment.dataset).toEqual({ name: 'mnist', train: 60000, validation: 0, test: 10000, shuffle: true });
    expect(experiment.description).toBe('');
    expect(experiment.gridKeys).toEqual([]);
  });

  test('elementwise losses default to the mean over outputs; an initializer block keeps its parameters', () => {
    const experiment = fromText(`
name: x
runs:
  - loss: {name: mse}
    model: {kernelInitializer: {name: normal, stddev: 0.5}}
    optimizer: {name: momentum, learningRate: 0.2}
`);
    const { config } = experiment.runs[0];
    expect(config.loss.outputs).toBe('mean');
    expect(config.model.kernelInitializer).toEqual({ name: 'normal', mean: 0, stddev: 0.5 });
    // Only the options the optimizer uses are kept, so unused defaults never change the hash.
    expect(config.optimizer).toEqual({ name: 'momentum', learningRate: 0.2, momentum: 0.9, nesterov: false });
  });

  test('without runs, the file is one run named after the experiment; runs without names are run1, run2, …', () => {
    expect(fromText('name: solo\ndefaults: {epochs: 3}').runs.map((r) => [r.id, r.config.epochs])).toEqual([['solo-s1', 3]]);
    expect(fromText('name: x\nruns: [{}, {epochs: 2}]').runs.map((r) => r.id)).toEqual(['run1-s1', 'run2-s1']);
  });

  test('a run overrides defaults key by key; lists replace', () => {
    const experiment = fromText(`
name: x
defaults: {model: {hidden: [30, 20], hiddenActivation: tanh}, optimizer: {learningRate: 3}}
runs:
  - {name: a, model: {hidden: [5]}}
`);
    const { model, optimizer } = experiment.runs[0].config;
    expect([model, optimizer.learningRate]).toMatchObject([{ hidden: [5], hiddenActivation: 'tanh' }, 3]);
  });
});

describe('grid', () => {
  const experiment = loadExperiment(path.join(FIXTURES, 'good_grid.yaml'));

  test('runs × the Cartesian product × seeds, in file order with the first grid key outermost', () => {
    // ce: 2 learning rates × 3 activations × seeds [1, 2]; mse: the same 6 points × its own seed [5].
    expect(experiment.runs).toHaveLength(2 * 3 * 2 + 2 * 3 * 1);
    expect(experiment.gridKeys).toEqual(['optimizer.learningRate', 'model.hiddenActivation']);
    expect(experiment.runs.slice(0, 4).map((r) => [r.name, r.seed])).toEqual([
      ['ce[learningRate=0.1,hiddenActivation=sigmoid]', 1],
      ['ce[learningRate=0.1,hiddenActivation=sigmoid]', 2],
      ['ce[learningRate=0.1,hiddenActivation=relu]', 1],
      ['ce[learningRate=0.1,hiddenActivation=relu]', 2],
    ]);
    expect(experiment.runs[12]).toMatchObject({
      id: 'mse-learningRate-0.1-hiddenActivation-sigmoid-s5',
      name: 'mse[learningRate=0.1,hiddenActivation=sigmoid]',
      seed: 5,
      gridValues: { 'optimizer.learningRate': 0.1, 'model.hiddenActivation': 'sigmoid' },
    });
    const last = experiment.runs[experiment.runs.length - 1];
    expect([last.config.optimizer.learningRate, last.config.model.hiddenActivation, last.config.loss.name]).toEqual([1, 'tanh', 'mse']);
  });

  test('ids are unique, filesystem-safe and the same on every load', () => {
    const ids = experiment.runs.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(SAFE_ID);
    expect(loadExperiment(path.join(FIXTURES, 'good_grid.yaml')).runs.map((r) => r.id)).toEqual(ids);
  });

  test('long grid names get a short hash of the grid values instead of the whole name', () => {
    const long = fromText(`
name: x
grid:
  model.hidden: [[100, 100, 100], [300, 300, 300]]
  model.kernelInitializer: [glorot-uniform, lecun-normal]
`);
    const ids = long.runs.map((r) => r.id);
    expect(long.runs[0].name).toBe('x[hidden=100-100-100,kernelInitializer=glorot-uniform]');
    expect(new Set(ids).size).toBe(4);
    for (const id of ids) {
      expect(id).toMatch(/^x-[0-9a-f]{6}-s1$/);
    }
  });
});

describe('run ids from hostile names', () => {
  test.each([
    ['"../../etc/passwd"', 'etc-passwd-s1'],
    ['"a\\0b"', 'a-b-s1'],
    ['"..."', 'run-s1'],
    ['"/"', 'run-s1'],
    ['"résumé run"', 'r-sum-run-s1'],
  ])('name %s gets the id %s', (quoted, id) => {
    const experiment = fromText(`name: x\nruns:\n  - name: ${quoted}\n`);
    expect(experiment.runs[0].id).toBe(id);
    expect(experiment.runs[0].id).toMatch(SAFE_ID);
  });

  test('names that slug to the same id are told apart by a hash of the name', () => {
    const experiment = fromText('name: x\nruns:\n  - name: "a/b"\n  - name: "a b"\n');
    const [first, second] = experiment.runs.map((r) => r.id);
    expect(first).toMatch(/^a-b-[0-9a-f]{6}-s1$/);
    expect(second).toMatch(/^a-b-[0-9a-f]{6}-s1$/);
    expect(first).not.toBe(second);
  });

  test('slug never leaves "..", a leading dot or an empty name', () => {
    expect(['..', '.hidden', '', 'a..b', '-x-'].map(slug)).toEqual(['run', 'hidden', 'run', 'a.b', 'x']);
  });
});

describe('seeds', () => {
  const text = `
name: x
seeds: [1, 2]
runs:
  - name: a
  - name: b
    seeds: [7]
`;
  test('file-level seeds apply to runs without their own; run-level seeds win', () => {
    expect(fromText(text).runs.map((r) => r.id)).toEqual(['a-s1', 'a-s2', 'b-s7']);
  });
  test('--seeds replaces both', () => {
    expect(fromText(text, { seeds: [4, 5] }).runs.map((r) => r.id)).toEqual(['a-s4', 'a-s5', 'b-s4', 'b-s5']);
  });
  test('a run at a different seed has a different config hash, the same config', () => {
    const [one, two] = fromText(text).runs;
    expect(one.config).toEqual(two.config);
    expect(one.configHash).not.toBe(two.configHash);
  });
});

describe('overrides', () => {
  test('--epochs sets every run and changes the hash; --only keeps matching names', () => {
    const file = path.join(FIXTURES, 'good_two_runs.yaml');
    const plain = loadExperiment(file);
    const short = loadExperiment(file, { epochs: 0 });
    expect(short.runs.map((r) => r.config.epochs)).toEqual([0, 0]);
    expect(short.hash).not.toBe(plain.hash);
    expect(loadExperiment(file, { only: 'softmax-*' }).runs.map((r) => r.id)).toEqual(['softmax-cross-entropy-s3']);
    expect(loadExperiment(file, { only: 'x,sigmoid-ms?' }).runs.map((r) => r.id)).toEqual(['sigmoid-mse-s3']);
  });
});

describe('experiment hash', () => {
  const base = `
name: h
dataset: {train: 100, test: 50}
seeds: [1]
defaults:
  model: {hidden: [4], hiddenActivation: tanh}
  optimizer: {name: sgd, learningRate: 0.1}
  batchSize: 10
runs:
  - name: a
    loss: {name: mse, outputs: sum}
`;
  const reordered = `
runs:
  - loss: {outputs: sum, name: mse}
    name: a
defaults:
  batchSize: 10
  optimizer: {learningRate: 0.1, name: sgd}
  model: {hiddenActivation: tanh, hidden: [4]}
seeds: [1]
dataset: {test: 50, train: 100}
name: h
`;
  const hash = fromText(base).hash;

  test('is stable under key reordering and whitespace', () => {
    expect(fromText(reordered).hash).toBe(hash);
    expect(fromText(reordered).runs[0].configHash).toBe(fromText(base).runs[0].configHash);
  });

  test('spelling out a default does not change it', () => {
    expect(fromText(base.replace('batchSize: 10', 'batchSize: 10\n  epochs: 1\n  l2: 0')).hash).toBe(hash);
  });

  test.each([
    ['dataset.train', 'train: 100', 'train: 101'],
    ['dataset.test', 'test: 50', 'test: 51'],
    ['seed', 'seeds: [1]', 'seeds: [2]'],
    ['hidden sizes', 'hidden: [4]', 'hidden: [5]'],
    ['hidden activation', 'hiddenActivation: tanh', 'hiddenActivation: relu'],
    ['learning rate', 'learningRate: 0.1', 'learningRate: 0.10001'],
    ['batch size', 'batchSize: 10', 'batchSize: 11'],
    ['loss reduction', 'outputs: sum', 'outputs: mean'],
    ['run name', 'name: a', 'name: b'],
    ['epochs', 'batchSize: 10', 'batchSize: 10\n  epochs: 2'],
    ['hooks', 'batchSize: 10', 'batchSize: 10\n  hooks: {every: 5}'],
    ['initializer', 'hiddenActivation: tanh}', 'hiddenActivation: tanh, kernelInitializer: he-normal}'],
    ['shuffle', 'test: 50}', 'test: 50, shuffle: false}'],
  ])('changes with %s', (_what, from, to) => {
    const changed = base.replace(from, to);
    expect(changed).not.toBe(base);
    expect(fromText(changed).hash).not.toBe(hash);
  });
});

describe('JSON Schema', () => {
  test('losslab.schema.json at the repo root is experimentJsonSchema() (regenerate: npm run losslab -- schema > losslab.schema.json)', () => {
    const committed = JSON.parse(fs.readFileSync(path.join(ROOT, 'losslab.schema.json'), 'utf8')) as unknown;
    expect(committed).toEqual(experimentJsonSchema());
  });

  test.each([
    ['defaults', 'losses', LOSS_NAMES],
    ['defaults', 'gradient modes', GRADIENT_MODES],
    ['defaults', 'optimisers', OPTIMIZER_NAMES],
    ['defaults', 'initialisers', INITIALIZER_NAMES],
    ['defaults', 'hidden activations', HIDDEN_ACTIVATION_NAMES],
    ['defaults', 'output activations', OUTPUT_ACTIVATION_NAMES],
    ['dataset', 'datasets', DATASET_NAMES],
  ] as const)('%s lists the registry of %s, so editors complete names', (key, _what, names) => {
    const schema = experimentJsonSchema() as { properties: Record<string, unknown> };
    expect(JSON.stringify(schema.properties[key])).toContain(`"enum":${JSON.stringify(names)}`);
  });

  const experiments = fs.readdirSync(path.join(ROOT, 'experiments')).filter((f) => /\.(ya?ml|json)$/.test(f));
  test('there are experiment files to check', () => expect(experiments).toContain('quickstart.yaml'));
  // A file that names loss or activation modules loads them (ES modules need a real import: a child process).
  const namesModules = (name: string) => /\bmodule:/.test(fs.readFileSync(path.join(ROOT, 'experiments', name), 'utf8'));
  test.each(experiments.filter((name) => !namesModules(name)))('experiments/%s validates', (name) => {
    const experiment = loadExperiment(path.join(ROOT, 'experiments', name));
    expect(experiment.runs.length).toBeGreaterThan(0);
  });
  test('the experiments that name modules validate, modules checked (losslab validate in a child process)', () => {
    const files = experiments.filter(namesModules).map((name) => path.join('experiments', name));
    expect(files).toContain(path.join('experiments', 'own-losses.yaml'));
    for (const result of runCliInChild(
      files.map((file) => ['validate', file, '--backend', 'cpu']),
      ROOT,
    )) {
      expect(result.err).toBe('');
      expect(result.code).toBe(0);
    }
  });

  // .ci/run compares a fresh run of experiments/<name>.yaml with results/baselines/<name>: both must be one experiment.
  const baselines = fs.readdirSync(path.join(ROOT, 'results', 'baselines'));
  test('there are CI baselines, the MLP smoke and the CNN smoke', () =>
    expect(baselines).toEqual(expect.arrayContaining(['smoke', 'smoke-cnn'])));
  test.each(baselines)(
    'results/baselines/%s was made from the experiment file of that name as it is now (same experiment hash)',
    (name) => {
      const record = JSON.parse(fs.readFileSync(path.join(ROOT, 'results', 'baselines', name, 'experiment.json'), 'utf8')) as {
        hash: string;
      };
      expect(record.hash).toBe(loadExperiment(path.join(ROOT, 'experiments', `${name}.yaml`)).hash);
    },
  );
});

test('run names that differ only by case get ids that differ case-insensitively too', () => {
  const text = 'name: x\ndataset: {train: 100, test: 100}\nruns:\n  - name: A\n  - name: a\n';
  const ids = loadExperiment('case.yaml', {}, text).runs.map((r) => r.id);
  expect(ids).toHaveLength(2);
  expect(new Set(ids.map((id) => id.toLowerCase())).size).toBe(2);
  expect(ids[0]).toMatch(/^A-[0-9a-f]{6}-s1$/);
});

describe('--only globs (picomatch)', () => {
  test.each([
    ['softmax-*', 'softmax-cross-entropy', true],
    ['sigmoid-ms?', 'sigmoid-mse', true],
    ['sigmoid-ms?', 'sigmoid-msex', false],
    ['[cm]se', 'mse', true],
    ['ce[lr=0.1]', 'ce[lr=0.1]', true],
    ['ce\\[lr=*', 'ce[lr=0.5]', true],
    ['a/*', 'a/b/c', true],
    ['x, y ,z', 'y', true],
    ['', 'anything', false],
  ])('%j matches %j: %s', (glob, name, expected) => {
    expect(matchesGlob(name, glob)).toBe(expected);
  });
});
