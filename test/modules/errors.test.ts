// Bad modules (test/fixtures/modules/error_*.yaml): `losslab run` exits 2 before writing anything, with the exact
// message naming the experiment file and key, the module, the check and the numbers, and no stack trace. Run in one
// child process of the built CLI, since some of the modules are ES modules.
import * as fs from 'fs';
import * as path from 'path';
import { runCliInChild } from '../helpers/cli-process';
import { makeTempDir } from '../helpers/tmp';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'modules');
/** As a user would type it from the working folder; messages echo it verbatim. */
const fixture = (name: string) => path.relative(process.cwd(), path.join(FIXTURES, name));
const PROBE = 'ordinary probe (4×10 logits in [−3, 3])';
const OPTIONS = 'gamma (number ≥ 0, default 2), mode (string one of mean, max, default "mean")';

/** [fixture, expected message (after "losslab: "), given the fixture's path]. */
const CASES: [string, (f: string) => string][] = [
  [
    'error_closed_form_twice.yaml',
    (f) =>
      `${f}:6:21: runs[0].loss.module: loss module "./double-gradz.cjs" with outputActivation "softmax": closed form gradZ() against autodiff ∂L/∂z on the ${PROBE}: max |closed form − autodiff| = 0.9988 > 1e-5 × max |autodiff| = 9.988e-6 (the closed form is 2× autodiff everywhere).`,
  ],
  [
    'error_nan_at_extremes.yaml',
    (f) =>
      `${f}:7:21: runs[0].loss.module: loss module "./naive-bce.mjs" with outputActivation "sigmoid": terms() on the extreme probe (logits of ±30) is not finite: 17 of 40 entries; the first is NaN at [0,1] (z = 30, t = 1). Compute from the logits (log softmax, log1p(exp(−|z|))) rather than from probabilities, which round to exactly 0 or 1 in float32.`,
  ],
  [
    'error_wrong_shape.yaml',
    (f) =>
      `${f}:6:21: runs[0].loss.module: loss module "./wrong-shape.cjs" with outputActivation "softmax": terms() on the ${PROBE} returned shape [4,1], expected [4,10] (N examples × K outputs).`,
  ],
  [
    'error_leak.yaml',
    (f) =>
      `${f}:6:21: runs[0].loss.module: loss module "./leaky.cjs" with outputActivation "softmax": terms() leaks 1 tensor(s) per call (tf.memory().numTensors after 3 calls: 16, 17, 18). The harness runs each call in tf.tidy, which frees what a call makes; tf.keep, tf.variable or a tensor stored between calls survives it.`,
  ],
  [
    'error_syntax_esm.yaml',
    (f) =>
      `${f}:6:21: runs[0].loss.module: loss module "./syntax-error.mjs": syntax error: ${fixture('syntax-error.mjs')}:4:44: missing ) after argument list`,
  ],
  [
    'error_syntax_ts.yaml',
    (f) =>
      `${f}:6:21: runs[0].loss.module: loss module "./syntax-error.ts": syntax error: ${fixture('syntax-error.ts')}:7:1: Argument expression expected.`,
  ],
  [
    'error_missing_export.yaml',
    (f) =>
      `${f}:6:21: runs[0].loss.module: loss module "./no-terms.cjs": exports "gradz" — did you mean "gradZ"? A loss module must export terms(z, t, context) returning E[n,k] — missing. It exports: outputs, defaultOutputs, gradz.`,
  ],
  [
    'error_unknown_option.yaml',
    (f) =>
      `${f}:6:53: runs[0].loss.options.gama: unknown option "gama" — did you mean "gamma"? Loss module "./options.cjs" takes ${OPTIONS}.`,
  ],
  [
    'error_option_out_of_range.yaml',
    (f) =>
      [
        `${f}:6:54: runs[0].loss.options.gamma: expected a value at least 0, received -1.`,
        `${f}:6:64: runs[0].loss.options.mode: unknown value "median" — did you mean "mean"? Known: mean, max.`,
      ].join('\n'),
  ],
  [
    'error_url.yaml',
    (f) =>
      `${f}:6:21: runs[0].loss.module: "https://example.com/focal.mjs": a https: URL or specifier is not loaded, only a local file (download it and give its path, e.g. ./losses/my-loss.mjs).`,
  ],
  [
    'error_missing_file.yaml',
    (f) => `${f}:6:21: runs[0].loss.module: "./no-such-loss.mjs": no such file (${fixture('no-such-loss.mjs')}).`,
  ],
  [
    'error_bare_name.yaml',
    (f) =>
      `${f}:6:21: runs[0].loss.module: "focal.mjs" is not a path: write ./focal.mjs for a file beside the experiment file. A module path starts with ./, ../ or /; a file inside a package is named by its path (e.g. ./node_modules/pkg/loss.mjs).`,
  ],
  [
    'error_detached_gradient.yaml',
    (f) =>
      `${f}:6:21: runs[0].loss.module: loss module "./detached.cjs" with outputActivation "softmax": autodiff ∂L/∂z disagrees with central finite differences along the gradient on the ${PROBE}: autodiff gives 2; h = 0.01: finite difference 1.749, off by 0.2512 > tolerance 0.02269; h = 0.001: finite difference 1.749, off by 0.251 > tolerance 0.02892. Autodiff follows tensor operations only: a value read with dataSync()/arraySync() and made into a tensor again is a constant to it, and a tf.customGrad replaces the gradient.`,
  ],
  [
    'error_other_tfjs.yaml',
    (f) =>
      `${f}:6:21: runs[0].loss.module: loss module "./other-tf/loss.cjs": imports "@tensorflow/tfjs", which from ${fixture('other-tf')} resolves to ${fixture('other-tf/node_modules/@tensorflow/tfjs/index.js')}, not to losslab's node_modules/@tensorflow/tfjs/dist/tf.node.js: a second copy of TensorFlow.js keeps its own tensors and kernels, which losslab's cannot use. Use the tf the harness passes in the context (terms(z, t, { tf })) and drop the import.`,
  ],
  [
    'error_throws.yaml',
    (f) =>
      `${f}:6:21: runs[0].loss.module: loss module "./throws-on-probe.cjs" with outputActivation "softmax": ${fixture('throws-on-probe.cjs')}:6:13: terms() threw TypeError: tf.negate is not a function (while checking terms() on the ${PROBE})`,
  ],
  [
    'error_activation_as_loss.yaml',
    (f) =>
      `${f}:6:21: runs[0].loss.module: loss module "../../../experiments/losses/sparsemax.mjs": a loss module must export terms(z, t, context) returning E[n,k]; outputs: the output activations it accepts (a list of names, or 'any'); defaultOutputs: 'mean' or 'sum' — missing. It exports: apply, derivative, elementwise, inverse, name, saturatedBelow, sparsemaxSupport, summary, vjp. It looks like an output activation module: name it under model.outputActivation.module.`,
  ],
  [
    'error_name_and_module.yaml',
    (f) => `${f}:6:32: runs[0].loss.module: give a loss by name or by module, not both (received name "mse" and module "./options.cjs").`,
  ],
  [
    'error_skip_without_grad_o.yaml',
    (f) =>
      `${f}:6:46: runs[0].loss.gradient: skip-activation-derivative needs ∂E/∂o, and loss module "./options.cjs" exports no gradO(o, t, context).`,
  ],
  [
    'error_loss_rejects_output.yaml',
    (f) => `${f}:7:21: runs[0].loss.module: loss module "./options.cjs" does not fit outputActivation "sigmoid": it accepts softmax.`,
  ],
];

let tmp: ReturnType<typeof makeTempDir>;
let results: Map<string, { code: number; out: string; err: string }>;
let debug: { code: number; out: string; err: string };
let ownTfjs: { code: number; out: string; err: string };

beforeAll(() => {
  tmp = makeTempDir('module-errors');
  const argvs = CASES.map(([name]) => ['run', fixture(name), '--out', path.join(tmp.dir, name), '--backend', 'cpu']);
  const extra = [
    ['validate', fixture('error_throws.yaml'), '--backend', 'cpu', '--debug'],
    ['validate', fixture('good_own_tfjs.yaml'), '--backend', 'cpu'],
  ];
  const all = runCliInChild([...argvs, ...extra]);
  results = new Map(all.slice(0, CASES.length).map((result, i) => [CASES[i][0], result]));
  [debug, ownTfjs] = all.slice(CASES.length);
});
afterAll(() => tmp.cleanup());

test('every error_* fixture has a case, and every case a fixture', () => {
  const files = fs.readdirSync(FIXTURES).filter((name) => name.startsWith('error_'));
  expect(CASES.map(([name]) => name).sort()).toEqual(files.sort());
});

test.each(CASES)('%s: exit 2, the exact message, no stack trace, nothing written', (name, expected) => {
  const result = results.get(name)!;
  expect(result.err).toBe(`losslab: ${expected(fixture(name))}\n`);
  expect(result.code).toBe(2);
  expect(result.out).toBe('');
  expect(fs.existsSync(path.join(tmp.dir, name))).toBe(false);
});

test("--debug adds the stacks, down to the module's own frame", () => {
  expect(debug.code).toBe(2);
  expect(debug.err).toContain('\ncaused by: ModuleCallError: ');
  expect(debug.err).toContain(
    `\ncaused by: TypeError: tf.negate is not a function\n    at exports.terms (${path.join(FIXTURES, 'throws-on-probe.cjs')}:6:13)`,
  );
});

test('a module importing @tensorflow/tfjs itself, resolved to losslab’s own copy, is the same instance and passes', () => {
  expect(ownTfjs.err).toBe('');
  expect(ownTfjs.code).toBe(0);
  expect(ownTfjs.out).toContain('✓ no tensor leaks across calls');
});
