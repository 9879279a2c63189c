// Bad experiment files (test/fixtures/config/error_*.yaml): the exact message with file:line:col, and exit 2 from
// `losslab validate` with no stack trace.
import * as fs from 'fs';
import * as path from 'path';
import { loadExperiment } from '../../src/config/experiment';
import { OptimizerSchema, RunSchema } from '../../src/config/schema';
import { DATASET_NAMES } from '../../src/data/datasets';
import { ConfigError } from '../../src/errors';
import type { LossModule } from '../../src/modules/contract';
import { LOSSES, LOSS_NAMES } from '../../src/losses/registry';
import { HIDDEN_ACTIVATION_NAMES, OUTPUT_ACTIVATION_NAMES } from '../../src/models/activations';
import { INITIALIZER_NAMES } from '../../src/models/initializers';
import { OPTIMIZERS, OPTIMIZER_NAMES } from '../../src/optimizers/registry';
import { LAYERS } from '../../src/models/layers';
import { RUN_LIMIT } from '../../src/config/expand';
import { SUMMARY_METRIC_COLUMNS } from '../../src/results/contract';
import { runCli } from '../helpers/cli';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'config');
/** The path as a user would type it from the working directory; messages echo it verbatim. */
const fixture = (name: string) => path.relative(process.cwd(), path.join(FIXTURES, name));

// The lists messages quote, built from the registries and the schema (never typed here) so that adding a loss,
// an optimiser or a key changes no expected message by hand.
const list = (names: readonly string[]) => names.join(', ');
const INITIALIZERS = list(INITIALIZER_NAMES);
const LOSS_LIST = list(LOSS_NAMES);
const HIDDEN = list(HIDDEN_ACTIVATION_NAMES);
const OUTPUT = list(OUTPUT_ACTIVATION_NAMES);
const RUN_KEYS = list(Object.keys(RunSchema.shape));
const OPTIMIZER_KEYS = list(Object.keys(OptimizerSchema.shape));
const lossesWhere = (test: (name: (typeof LOSS_NAMES)[number]) => boolean) => list(LOSS_NAMES.filter(test));
/** The optimisers whose `uses` include momentum, as the "does not use" message names them. */
const MOMENTUM_USERS = OPTIMIZER_NAMES.filter((name) => (OPTIMIZERS[name].uses as readonly string[]).includes('momentum'));
const LAYER_TYPES = list(Object.keys(LAYERS));

/** [fixture, expected message lines, each prefixed by the file and (where known) line:col]. */
const CASES: [string, (file: string) => string][] = [
  [
    'error_malformed_yaml.yaml',
    (f) => `${f}:3:22: malformed YAML: Flow sequence in block collection must be sufficiently indented and end with a ]`,
  ],
  ['error_malformed_json.json', (f) => `${f}:3:30: malformed JSON: Expected double-quoted property name`],
  [
    'error_empty.yaml',
    (f) =>
      `${f}: the file is empty — expected an experiment: a mapping with name, dataset, defaults and runs or grid (see experiments/quickstart.yaml).`,
  ],
  [
    'error_not_experiment_list.yaml',
    (f) =>
      `${f}: not an experiment file: expected a mapping with keys name, dataset, defaults and runs or grid, received a list of 2 items.`,
  ],
  [
    'error_not_experiment_unrelated.yaml',
    (f) =>
      `${f}: not an experiment file: none of the keys name, description, dataset, seeds, defaults, runs, grid, reference, report is present (received keys: version, services).`,
  ],
  [
    'error_unknown_top_level_key.yaml',
    (f) =>
      `${f}:3:1: default: unknown key "default" — did you mean "defaults"? Known keys here: name, description, dataset, seeds, defaults, runs, grid, reference, report.`,
  ],
  [
    'error_unknown_nested_key.yaml',
    (f) =>
      `${f}:7:7: runs[0].optimizer.learningrate: unknown key "learningrate" — did you mean "learningRate"? Known keys here: ${OPTIMIZER_KEYS}.`,
  ],
  ['error_unknown_key_no_suggestion.yaml', (f) => `${f}:5:5: runs[0].dropout: unknown key "dropout". Known keys here: ${RUN_KEYS}.`],
  [
    'error_unknown_loss.yaml',
    (f) => `${f}:5:18: runs[0].loss.name: unknown loss "cross-entropi" — did you mean "cross-entropy"? Known: ${LOSS_LIST}.`,
  ],
  [
    'error_report_unknown_reference.yaml',
    (f) =>
      `${f}:9:14: report.reference: unknown run "softmax-crossentropy" — did you mean "softmax-cross-entropy"? Runs: softmax-cross-entropy, sigmoid-mse.`,
  ],
  [
    'error_report_unknown_interval.yaml',
    (f) => `${f}:3:20: report.interval: unknown interval method "bootstrapp" — did you mean "bootstrap"? Known: auto, welch, bootstrap.`,
  ],
  [
    'error_unknown_hidden_activation.yaml',
    (f) => `${f}:5:23: defaults.model.hiddenActivation: unknown hidden activation "sigmod" — did you mean "sigmoid"? Known: ${HIDDEN}.`,
  ],
  [
    'error_hidden_activation_softmax.yaml',
    (f) =>
      `${f}:5:31: runs[0].model.hiddenActivation: "softmax" cannot be a hidden activation: it is output only. Known hidden activations: ${HIDDEN}.`,
  ],
  [
    'error_unknown_output_activation.yaml',
    (f) => `${f}:5:31: runs[0].model.outputActivation: unknown output activation "softmx" — did you mean "softmax"? Known: ${OUTPUT}.`,
  ],
  [
    'error_unknown_optimizer.yaml',
    (f) => `${f}:4:21: defaults.optimizer.name: unknown optimizer "adma" — did you mean "adam"? Known: ${list(OPTIMIZER_NAMES)}.`,
  ],
  [
    'error_unknown_initializer.yaml',
    (f) =>
      [
        `${f}:6:26: runs[0].model.kernelInitializer: unknown initializer "glorot-unifrom" — did you mean "glorot-uniform"? Known: ${INITIALIZERS}.`,
        `${f}:9:31: runs[1].model.biasInitializer.name: unknown initializer "constnat" — did you mean "constant"? Known: ${INITIALIZERS}.`,
      ].join('\n'),
  ],
  [
    'error_unknown_dataset.yaml',
    (f) => `${f}:3:9: dataset.name: unknown dataset "mnsit" — did you mean "mnist"? Known: ${list(DATASET_NAMES)}.`,
  ],
  [
    'error_negative_learning_rate.yaml',
    (f) => `${f}:5:31: runs[0].optimizer.learningRate: expected a value greater than 0, received -0.5.`,
  ],
  ['error_zero_learning_rate.yaml', (f) => `${f}:5:19: defaults.optimizer.learningRate: expected a value greater than 0, received 0.`],
  ['error_batch_size_zero.yaml', (f) => `${f}:5:16: runs[0].batchSize: expected a value at least 1, received 0.`],
  ['error_batch_size_non_integer.yaml', (f) => `${f}:5:16: runs[0].batchSize: expected an integer, received 12.5.`],
  ['error_batch_size_above_train.yaml', (f) => `${f}:8:16: runs[1].batchSize: expected at most dataset.train (100), received 128.`],
  ['error_epochs_negative.yaml', (f) => `${f}:4:11: defaults.epochs: expected a value at least 0, received -1.`],
  ['error_hidden_size_zero.yaml', (f) => `${f}:5:26: runs[0].model.hidden[1]: expected a value at least 1, received 0.`],
  [
    'error_grid_unknown_key.yaml',
    (f) =>
      `${f}:5:3: grid["optimizer.learnignRate"]: unknown key "optimizer.learnignRate" — did you mean "optimizer.learningRate"? A grid varies run keys such as optimizer.learningRate, loss.name or model.hidden.`,
  ],
  [
    'error_grid_bad_value.yaml',
    (f) =>
      [
        `${f}:5:34: grid["model.hiddenActivation"][1]: unknown hidden activation "sigmod" — did you mean "sigmoid"? Known: ${HIDDEN}.`,
        `${f}:4:33: grid["optimizer.learningRate"][1]: expected a value greater than 0, received -1.`,
      ].join('\n'),
  ],
  [
    'error_seeds_non_integer.yaml',
    (f) =>
      [`${f}:3:12: seeds[1]: expected an integer, received 2.5.`, `${f}:6:13: runs[0].seeds[0]: expected a number, received "one".`].join(
        '\n',
      ),
  ],
  [
    'error_cross_entropy_sigmoid.yaml',
    (f) =>
      `${f}:6:18: runs[0].loss.name: loss "cross-entropy" does not fit outputActivation "sigmoid": use outputActivation: softmax, or binary-cross-entropy for sigmoid outputs.`,
  ],
  [
    'error_bce_softmax.yaml',
    (f) =>
      `${f}:5:18: runs[0].loss.name: loss "binary-cross-entropy" does not fit outputActivation "softmax": use outputActivation: sigmoid, or cross-entropy for softmax outputs.`,
  ],
  [
    'error_hinge_softmax.yaml',
    (f) =>
      `${f}:4:16: defaults.loss.name: loss "hinge" does not fit outputActivation "softmax": hinge scores outputs on a ±1 scale: use outputActivation: linear or tanh.`,
  ],
  [
    'error_skip_derivative_cross_entropy.yaml',
    (f) =>
      `${f}:7:17: runs[0].loss.gradient: skip-activation-derivative needs a loss of the outputs o (${lossesWhere((name) => (LOSSES[name] as LossModule).gradO !== undefined)}); "cross-entropy" is computed from the logits z, with no ∂E/∂o apart from the activation: use gradient: closed-form or autodiff.`,
  ],
  [
    'error_label_smoothing_mse.yaml',
    (f) =>
      `${f}:5:40: runs[0].loss.labelSmoothing: labelSmoothing applies to ${lossesWhere((name) => (LOSSES[name] as LossModule).options?.labelSmoothing !== undefined)} only, received it with "mse".`,
  ],
  [
    'error_optimizer_option_unused.yaml',
    (f) =>
      `${f}:4:37: defaults.optimizer.momentum: optimizer "sgd" does not use momentum (${list(MOMENTUM_USERS)} do${MOMENTUM_USERS.length === 1 ? 'es' : ''}).`,
  ],
  ['error_duplicate_run_names.yaml', (f) => `${f}:6:11: runs[2].name: duplicate run name "a" (also runs[0]); names must be unique.`],
  // Layer stacks: the failing layer is named by its key path and type, with the shape it receives.
  [
    'error_layers_kernel_larger_than_input.yaml',
    (f) =>
      `${f}:9:11: runs[0].model.layers[2]: conv2d: kernelSize 7×7 is larger than its 6×6×6 input, so padding: valid leaves 0×0 outputs: use padding: same, or a kernelSize of at most 6×6.`,
  ],
  [
    'error_layers_pool_to_zero.yaml',
    (f) =>
      `${f}:8:9: defaults.model.layers[2]: avgPool2d: poolSize 4×4 is larger than its 3×3×4 input, so padding: valid leaves 0×0 outputs: use padding: same, or a poolSize of at most 3×3.`,
  ],
  [
    'error_layers_dense_before_flatten.yaml',
    (f) => `${f}:9:11: runs[0].model.layers[2]: dense: needs a flat input but receives a 14×14×6 image: add { type: flatten } before it.`,
  ],
  [
    'error_layers_conv_after_flatten.yaml',
    (f) =>
      `${f}:8:11: runs[0].model.layers[1]: conv2d: needs an image input (height×width×channels) but receives a flat 784: put it before the flatten layer, or remove the flatten before it.`,
  ],
  [
    'error_layers_no_flatten_before_output.yaml',
    (f) =>
      `${f}:7:9: runs[0].model.layers: the output layer (dense, 10 units) needs a flat input but the stack ends in a 12×12×6 image: add { type: flatten } as the last layer.`,
  ],
  [
    'error_layers_unknown_type.yaml',
    (f) =>
      [
        `${f}:7:18: runs[0].model.layers[0].type: unknown layer type "conv2" — did you mean "conv2d"? Known: ${LAYER_TYPES}.`,
        `${f}:12:11: runs[1].model.layers[0].type: expected a layer type (one of ${LAYER_TYPES}), received nothing (the key is missing).`,
      ].join('\n'),
  ],
  [
    'error_layers_bad_settings.yaml',
    (f) =>
      [
        `${f}:7:11: runs[0].model.layers[0].filters: expected a number, received nothing (the key is missing).`,
        `${f}:7:62: runs[0].model.layers[0].padding: unknown padding "sam" — did you mean "same"? Known: valid, same.`,
        `${f}:7:79: runs[0].model.layers[0].activation: "softmax" cannot be a hidden activation: it is output only. Known hidden activations: ${HIDDEN}.`,
        `${f}:7:26: runs[0].model.layers[0].filtres: unknown key "filtres" — did you mean "filters"? Known keys here: type, filters, kernelSize, strides, padding, activation, kernelInitializer, biasInitializer.`,
        `${f}:8:39: runs[0].model.layers[1].poolSize: expected a value at least 1, received 0.`,
        `${f}:9:33: runs[0].model.layers[2].rate: expected a value less than 1, received 1.`,
        `${f}:10:27: runs[0].model.layers[3].units: unknown key "units". Known keys here: type.`,
      ].join('\n'),
  ],
  [
    'error_layers_and_hidden.yaml',
    (f) =>
      `${f}:6:15: runs[0].model.hidden: set together with model.layers: an MLP has hidden sizes, a layer stack has layers; keep one of them.`,
  ],
  // Issue 13: every class the outside tester broke, with cases beyond the examples.
  ['error_runs_empty.yaml', (f) => `${f}:4:7: runs: expected a list of at least 1 item(s), received a list of 0 items.`],
  [
    'error_seeds_duplicate.yaml',
    (f) =>
      [
        `${f}:4:15: seeds[2]: seed 1 is already seeds[0]; each seed gives one run, so a repeat would train the same run twice`,
        `${f}:7:16: runs[0].seeds[1]: seed 7 is already seeds[0]; each seed gives one run, so a repeat would train the same run twice`,
      ].join('\n'),
  ],
  [
    'error_hidden_too_large.yaml',
    (f) =>
      [
        `${f}:6:22: runs[0].model.hidden[0]: layer 0 (dense 784 → 1000000000) has 785,000,000,000 parameters and needs 6.2 TiB to train ` +
          '(float32 values, gradients and activations of a batch of 32), over the limit of 3 GiB for one model — use fewer units.',
        `${f}:8:29: runs[1].model.hidden[1]: layer 1 (dense 60000 → 60000) has 3,600,060,000 parameters and needs 53.7 GiB to train ` +
          "(float32 values, gradients, adam's state and activations of a batch of 32), over the limit of 3 GiB for one model — use fewer units.",
      ].join('\n'),
  ],
  [
    'error_layers_too_large.yaml',
    (f) =>
      [
        `${f}:8:11: runs[0].model.layers[0]: layers[0] (conv2d 28×28×1 → 28×28×100000) has 1,000,000 parameters and needs 37.4 GiB to train ` +
          '(float32 values, gradients and activations of a batch of 32), over the limit of 3 GiB for one model — use fewer filters, larger strides, or pooling before it.',
        `${f}:16:11: runs[1].model.layers[2]: layers[2] (dense 401408 → 4096) has 1,644,171,264 parameters and needs 24.5 GiB to train ` +
          "(float32 values, gradients, adam's state and activations of a batch of 32), over the limit of 3 GiB for one model — use fewer units, or shrink its input: fewer filters or more pooling before it.",
        `${f}:22:11: runs[2].model.layers[1]: layers[1] (conv2d 28×28×2000 → 28×28×2000) has 36,002,000 parameters and needs 1 GiB to train ` +
          '(float32 values, gradients and activations of a batch of 32); the whole model needs 3.8 GiB, over the limit of 3 GiB for one model — use fewer filters, larger strides, or pooling before it.',
      ].join('\n'),
  ],
  [
    'error_hidden_grid_too_large.yaml',
    (f) =>
      `${f}:5:34: grid["model.hidden"][1][1]: layer 1 (dense 200000 → 20000) has 4,000,020,000 parameters and needs 29.8 GiB to train ` +
      '(float32 values, gradients and activations of a batch of 32), over the limit of 3 GiB for one model — use fewer units.',
  ],
  [
    'error_uniform_min_above_max.yaml',
    (f) =>
      [
        `${f}:6:53: runs[0].model.kernelInitializer.min: initializer "uniform" needs min <= max, received min 0.5 and max -0.5.`,
        `${f}:8:51: runs[1].model.biasInitializer.min: initializer "uniform" needs min <= max, received min 0.1 and max 0.05 (the default).`,
        `${f}:12:93: runs[2].model.layers[0].kernelInitializer.max: initializer "uniform" needs min <= max, received min -0.05 (the default) and max -0.1.`,
      ].join('\n'),
  ],
  [
    'error_dataset_sizes.yaml',
    (f) =>
      [
        `${f}:3:37: dataset.validation: expected train + validation at most 60000 (the mnist training file holds 60000 images; ` +
          'validation is its last images and train its first, without overlap), received 50000 + 20000 = 70000.',
        `${f}:3:50: dataset.test: expected at most 10000 (the mnist test file holds 10000 images), received 12000.`,
      ].join('\n'),
  ],
  [
    'error_dataset_train_too_large.yaml',
    (f) => `${f}:3:18: dataset.train: expected at most 60000 (the mnist training file holds 60000 images), received 70000.`,
  ],
  ['error_idx_without_path.yaml', (f) => `${f}:3:17: dataset.name: dataset "idx" needs dataset.path: the folder holding its IDX files.`],
  [
    'error_grid_duplicate_value.yaml',
    (f) =>
      `${f}:5:38: grid["optimizer.learningRate"][2]: 0.1 is already grid["optimizer.learningRate"][0]; two grid points would be one run.`,
  ],
  [
    'error_reference_unknown_run.yaml',
    (f) => `${f}:9:13: reference.values[0].run: unknown run "sigmoid-mes" — did you mean "sigmoid-mse"? Run names: sigmoid-mse.`,
  ],
  [
    'error_reference_unknown_metric.yaml',
    (f) =>
      `${f}:9:24: reference.values[0].metric: unknown summary column "test_accuracy" — did you mean "final_test_accuracy"? ` +
      `Known: ${SUMMARY_METRIC_COLUMNS.join(', ')}.`,
  ],
  [
    'error_run_count.yaml',
    (f) =>
      `${f}: the experiment expands to 10,000,000,000 runs (1 run × 10,000,000,000 grid points × their seeds), over the limit of ` +
      `${RUN_LIMIT.toLocaleString('en-US')} — shrink the grid or the seeds, or split the sweep into several files.`,
  ],
  ['error_nul_byte.yaml', (f) => `${f}:4:12: a NUL byte (U+0000): YAML and JSON do not allow one in text; remove it.`],
  ['error_utf16.yaml', (f) => `${f}: the experiment file is UTF-16 text (little-endian); losslab reads UTF-8 — save it as UTF-8.`],
  [
    'error_key_abbreviations.yaml',
    (f) =>
      [
        `${f}:6:5: runs[0].lr: unknown key "lr" — did you mean "learningRate" under "optimizer" (optimizer: {learningRate: …})? Known keys here: ${RUN_KEYS}.`,
        `${f}:7:5: runs[0].bs: unknown key "bs" — did you mean "batchSize"? Known keys here: ${RUN_KEYS}.`,
        `${f}:9:28: runs[1].optimizer.lr: unknown key "lr" — did you mean "learningRate"? Known keys here: name, learningRate, momentum, nesterov, beta1, beta2, epsilon, rho.`,
        `${f}:10:5: runs[1].batch_size: unknown key "batch_size" — did you mean "batchSize"? Known keys here: ${RUN_KEYS}.`,
      ].join('\n'),
  ],
  ['error_json_second_value.json', (f) => `${f}:5:1: malformed JSON: Unexpected non-whitespace character after the JSON value`],
  ['error_json_misspelt_literal.json', (f) => `${f}:3:26: malformed JSON: Unexpected token '}'`],
];

test('every error_* fixture has a case, and every case a fixture', () => {
  const files = fs.readdirSync(FIXTURES).filter((name) => name.startsWith('error_'));
  expect(CASES.map(([name]) => name).sort()).toEqual(files.sort());
});

describe.each(CASES)('%s', (name, expected) => {
  const file = fixture(name);

  test('loadExperiment throws a ConfigError with the exact message', () => {
    let caught: unknown;
    try {
      loadExperiment(file);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).message).toBe(expected(file));
  });

  test('`losslab validate` prints it and exits 2, without a stack trace', async () => {
    const result = await runCli(['validate', file]);
    expect(result).toEqual({ code: 2, out: '', err: `losslab: ${expected(file)}\n` });
  });
});

describe('--only matching nothing', () => {
  const file = fixture('good_two_runs.yaml');
  const runNames = 'Run names: sigmoid-mse, softmax-cross-entropy.';

  test.each([
    ['softmax-cross-entropi', ` — did you mean "softmax-cross-entropy"? ${runNames}`],
    ['relu-*', `. ${runNames}`],
  ])('--only %s', async (only, tail) => {
    const message = `--only: no run name matches "${only}"${tail}`;
    expect(() => loadExperiment(file, { only })).toThrow(new ConfigError(message));
    // `run` checks the file before it loads a backend or data, so this costs no training.
    const result = await runCli(['run', file, '--only', only, '--out', path.join(FIXTURES, 'never-written')]);
    expect(result).toEqual({ code: 2, out: '', err: `losslab: ${message}\n` });
    expect(fs.existsSync(path.join(FIXTURES, 'never-written'))).toBe(false);
  });
});

test('a missing file is exit 2 naming the file', async () => {
  const file = fixture('no-such-file.yaml');
  expect(await runCli(['validate', file])).toEqual({
    code: 2,
    out: '',
    err: `losslab: ${file}: cannot read the experiment file: no such file.\n`,
  });
});
