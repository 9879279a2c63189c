// Loading a module: local paths only, the source read once and hashed (with its local imports), CommonJS and
// TypeScript evaluated in-process, exports checked against the contract, and errors located in the module's file.
// (ES modules need a real dynamic import, which Jest cannot do: test/modules/errors.test.ts runs them in a child.)
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import {
  loadActivationModule,
  loadLossModule,
  ModuleCallError,
  ModuleProblem,
  readModuleSource,
  resolveModuleFile,
} from '../../src/modules/load';
import type { LossContext } from '../../src/modules/contract';
import { activation } from '../../src/models/activations';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'modules');
const EXPERIMENTS = path.join(__dirname, '..', '..', 'experiments', 'losses');
const shown = (file: string) => path.relative(process.cwd(), file);
const sha256 = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

function problemOf(f: () => unknown): string {
  try {
    f();
  } catch (error) {
    expect(error).toBeInstanceOf(ModuleProblem);
    return (error as Error).message;
  }
  throw new Error('expected a ModuleProblem');
}

async function asyncProblemOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ModuleProblem);
    return (error as Error).message;
  }
  throw new Error('expected a ModuleProblem');
}

const load = (name: string) => loadLossModule(readModuleSource(`./${name}`, FIXTURES));

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('resolveModuleFile: only local files, named by a path', () => {
  test.each([
    [
      'https://example.com/loss.mjs',
      '"https://example.com/loss.mjs": a https: URL or specifier is not loaded, only a local file (download it and give its path, e.g. ./losses/my-loss.mjs).',
    ],
    [
      'node:fs',
      '"node:fs": a node: URL or specifier is not loaded, only a local file (download it and give its path, e.g. ./losses/my-loss.mjs).',
    ],
    [
      'data:text/javascript,export default 1',
      '"data:text/javascript,export default 1": a data: URL or specifier is not loaded, only a local file (download it and give its path, e.g. ./losses/my-loss.mjs).',
    ],
    [
      'focal.mjs',
      '"focal.mjs" is not a path: write ./focal.mjs for a file beside the experiment file. A module path starts with ./, ../ or /; a file inside a package is named by its path (e.g. ./node_modules/pkg/loss.mjs).',
    ],
    [
      'some-package/loss',
      '"some-package/loss" is not a path: write ./some-package/loss for a file beside the experiment file. A module path starts with ./, ../ or /; a file inside a package is named by its path (e.g. ./node_modules/pkg/loss.mjs).',
    ],
    ['./loss.py', '"./loss.py": expected a file ending in .mjs, .cjs, .js, .ts, .cts, received ".py".'],
    ['./no-such.mjs', `"./no-such.mjs": no such file (${shown(path.join(FIXTURES, 'no-such.mjs'))}).`],
  ])('%s', (spec, message) => {
    expect(problemOf(() => resolveModuleFile(spec, FIXTURES))).toBe(message);
  });

  test('./, ../ and absolute paths resolve against the base folder', () => {
    expect(resolveModuleFile('./options.cjs', FIXTURES)).toBe(path.join(FIXTURES, 'options.cjs'));
    expect(resolveModuleFile('../modules/options.cjs', FIXTURES)).toBe(path.join(FIXTURES, 'options.cjs'));
    expect(resolveModuleFile(path.join(FIXTURES, 'options.cjs'), '/')).toBe(path.join(FIXTURES, 'options.cjs'));
  });
});

describe('readModuleSource: what is hashed is what is loaded', () => {
  test('the SHA-256 of the bytes, and of each local file it imports', () => {
    const source = readModuleSource('./sparsemax-loss.mjs', EXPERIMENTS);
    expect(source.sha256).toBe(sha256(path.join(EXPERIMENTS, 'sparsemax-loss.mjs')));
    expect(source.text).toBe(fs.readFileSync(path.join(EXPERIMENTS, 'sparsemax-loss.mjs'), 'utf8'));
    expect(source.imports).toEqual([{ path: 'sparsemax.mjs', sha256: sha256(path.join(EXPERIMENTS, 'sparsemax.mjs')) }]);
  });

  test('a type-only import (erased by TypeScript) is not a local import', () => {
    expect(readModuleSource('./log-cosh.ts', EXPERIMENTS).imports).toEqual([]);
  });
});

describe('loading CommonJS and TypeScript', () => {
  test('CommonJS: the exports become the definition, named after the file, options declared', async () => {
    const loaded = await load('options.cjs');
    expect(loaded.role).toBe('loss');
    expect(loaded.name).toBe('options');
    expect(Object.keys(loaded.definition).sort()).toEqual(['defaultOutputs', 'options', 'outputs', 'terms']);
    expect(loaded.definition.options!.gamma).toEqual({ type: 'number', default: 2, min: 0 });
  });

  test('TypeScript: transpiled (types erased), the default export is the definition, and it computes', async () => {
    const loaded = await load('log-cosh-copy.ts');
    expect(Object.keys(loaded.definition).sort()).toEqual(['defaultOutputs', 'gradO', 'options', 'outputs', 'terms']);
    const context: LossContext = { tf, options: { weight: 2 }, output: activation('linear') };
    const terms = tf.tidy(() => loaded.definition.terms(tf.tensor2d([[0, 3]]), tf.tensor2d([[0, 1]]), context));
    const expected = [0, 2 * Math.log(Math.cosh(2))];
    (terms.arraySync() as number[][])[0].forEach((value, i) => expect(value).toBeCloseTo(expected[i], 5));
    terms.dispose();
  });

  test("an exception in TypeScript code names the .ts file's own line, not the emitted JavaScript's", async () => {
    const loaded = await load('throws.ts');
    const context: LossContext = { tf, options: {}, output: activation('softmax') };
    const z = tf.zeros([2, 10]) as tf.Tensor2D;
    let caught: unknown;
    try {
      loaded.definition.terms(z, z, context);
    } catch (error) {
      caught = error;
    }
    z.dispose();
    expect(caught).toBeInstanceOf(ModuleCallError);
    const where = `${shown(path.join(FIXTURES, 'throws.ts'))}:13:27`;
    expect((caught as ModuleCallError).message).toBe(`${where}: terms() threw RangeError: too many outputs: 10`);
    expect((caught as ModuleCallError).location).toBe(where);
  });

  test('an output-activation module loads as one', async () => {
    const loaded = await loadActivationModule(readModuleSource('./log-cosh-copy.ts', FIXTURES)).catch((e: Error) => e.message);
    expect(loaded).toBe(
      'an output activation module must export apply(z, context) returning f(z); elementwise: true or false — missing. It exports: outputs, defaultOutputs, options, terms, gradO. It looks like a loss module: name it under loss.module.',
    );
  });
});

describe('what is refused, before or while loading', () => {
  test.each([
    ['syntax-error.cjs', `syntax error: ${shown(path.join(FIXTURES, 'syntax-error.cjs'))}:4: missing ) after argument list`],
    ['syntax-error.ts', `syntax error: ${shown(path.join(FIXTURES, 'syntax-error.ts'))}:7:1: Argument expression expected.`],
    [
      'no-terms.cjs',
      'exports "gradz" — did you mean "gradZ"? A loss module must export terms(z, t, context) returning E[n,k] — missing. It exports: outputs, defaultOutputs, gradz.',
    ],
    [
      'other-tf/loss.cjs',
      `imports "@tensorflow/tfjs", which from ${shown(path.join(FIXTURES, 'other-tf'))} resolves to ${shown(path.join(FIXTURES, 'other-tf/node_modules/@tensorflow/tfjs/index.js'))}, not to losslab's node_modules/@tensorflow/tfjs/dist/tf.node.js: a second copy of TensorFlow.js keeps its own tensors and kernels, which losslab's cannot use. Use the tf the harness passes in the context (terms(z, t, { tf })) and drop the import.`,
    ],
  ])('%s', async (name, message) => {
    expect(await asyncProblemOf(load(name))).toBe(message);
  });

  test('a module importing @tensorflow/tfjs that resolves to losslab’s own copy is accepted', async () => {
    const loaded = await load('own-tf.cjs');
    expect(typeof loaded.definition.terms).toBe('function');
  });
});
