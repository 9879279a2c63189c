// Loads a user's loss or output-activation module from a local file (ESM, CommonJS or TypeScript), hashes its
// source, checks its exports against the contract, and wraps its functions so an exception names the file and line.
import { createHash } from 'crypto';
import * as fs from 'fs';
import { createRequire, SourceMap } from 'module';
import * as path from 'path';
import { fileURLToPath, pathToFileURL } from 'url';
import * as vm from 'vm';
import type { LossModule, OutputActivationModule } from './contract';
import { declarationProblems } from './options';
import { LosslabError } from '../errors';
import { decodeText, readFileBytes, readTextFile } from '../files/read-file';
import { closest } from '../util/did-you-mean';
import { packageInfo } from '../util/package-info';

/** What a module is named as in the experiment file. */
export type ModuleRole = 'loss' | 'output activation';

/** File extensions a module may have, and how each is loaded. */
export const MODULE_EXTENSIONS = ['.mjs', '.cjs', '.js', '.ts', '.cts'] as const;

/** A problem with a module (its path, its source or its exports), as a sentence; the caller adds where it is named. */
export class ModuleProblem extends Error {}

/**
 * An exception thrown by a module's own code, with the module's file:line:col. A plain Error, not a LosslabError:
 * during training it fails the run that called the module, and the sweep goes on.
 */
export class ModuleCallError extends Error {
  constructor(
    message: string,
    /** `file:line:col` inside the module, or "a module" when no stack frame points into one. */
    readonly location: string,
    cause: unknown,
  ) {
    super(message, { cause });
    this.name = 'ModuleCallError';
  }
}

/** A module file, read once: the path as written, the file, its text, and SHA-256 hashes of it and its local imports. */
export interface ModuleSource {
  /** The path as written in the experiment file (or on the command line). */
  spec: string;
  /** The absolute path. */
  file: string;
  text: string;
  /** SHA-256 of the file's bytes, hex. */
  sha256: string;
  /** Local files it imports (found by reading its import and require specifiers), relative to it, with their hashes. */
  imports: { path: string; sha256: string }[];
}

/** A loaded module: its source and its definition (contract keys only, functions wrapped). */
export interface LoadedModule<D> {
  role: ModuleRole;
  source: ModuleSource;
  /** The `name` it exports, else its file name without the extension. */
  name: string;
  definition: D;
}

/** The path as shown in messages: relative to the working folder when inside it. */
export function displayPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}

const WINDOWS_ABSOLUTE = /^[A-Za-z]:[\\/]/;
const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;

/**
 * The file a module path names, relative to `baseDir` (the experiment file's folder). Only local files: a path
 * must start with ./, ../ or / (so a package name or URL is never fetched or resolved by accident).
 */
export function resolveModuleFile(spec: string, baseDir: string): string {
  const shown = JSON.stringify(spec.length > 120 ? `${spec.slice(0, 117)}...` : spec);
  if (SCHEME.test(spec) && !WINDOWS_ABSOLUTE.test(spec)) {
    const scheme = spec.slice(0, spec.indexOf(':') + 1);
    throw new ModuleProblem(
      `${shown}: a ${scheme} URL or specifier is not loaded, only a local file (download it and give its path, e.g. ./losses/my-loss.mjs).`,
    );
  }
  if (!/^\.{1,2}[\\/]/.test(spec) && !path.isAbsolute(spec) && !WINDOWS_ABSOLUTE.test(spec)) {
    throw new ModuleProblem(
      `${shown} is not a path: write ./${spec} for a file beside the experiment file. A module path starts with ./, ../ or /; a file inside a package is named by its path (e.g. ./node_modules/pkg/loss.mjs).`,
    );
  }
  const file = path.resolve(baseDir, spec);
  const extension = path.extname(file);
  if (!(MODULE_EXTENSIONS as readonly string[]).includes(extension)) {
    throw new ModuleProblem(
      `${shown}: expected a file ending in ${MODULE_EXTENSIONS.join(', ')}, received "${extension || 'no extension'}".`,
    );
  }
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    throw new ModuleProblem(`${shown}: no such file (${displayPath(file)}).`);
  }
  if (!stat.isFile()) throw new ModuleProblem(`${shown}: not a file (${displayPath(file)}).`);
  return file;
}

const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

/**
 * A module file's bytes through the guarded reader: a regular file within the module cap, UTF-8 text. A problem is
 * a ModuleProblem, located by the caller at the key that names the module.
 */
function readModuleFile(file: string): Buffer {
  try {
    const bytes = readFileBytes(file, 'module');
    decodeText(bytes, file, 'module');
    return bytes;
  } catch (error) {
    if (error instanceof LosslabError) throw new ModuleProblem(error.message);
    throw error;
  }
}

/** Reads a module's file once (what is hashed is what is loaded) and hashes the local files it imports. */
export function readModuleSource(spec: string, baseDir: string): ModuleSource {
  const file = resolveModuleFile(spec, baseDir);
  const bytes = readModuleFile(file);
  const imports = new Map<string, string>();
  collectLocalImports(file, bytes.toString('utf8'), imports, new Set([file]));
  return {
    spec,
    file,
    text: bytes.toString('utf8'),
    sha256: sha256(bytes),
    imports: [...imports.entries()]
      .map(([imported, hash]) => ({ path: path.relative(path.dirname(file), imported).split(path.sep).join('/'), sha256: hash }))
      .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)),
  };
}

/** Relative specifiers of import/export-from/import()/require(), skipping type-only imports (erased by TypeScript). */
function localSpecifiers(text: string): string[] {
  const found: string[] = [];
  const patterns = [
    /\b(?:import|export)\s+(?!type\b)[^'";]*?\bfrom\s*['"](\.{1,2}\/[^'"]+)['"]/g,
    /\bimport\s*['"](\.{1,2}\/[^'"]+)['"]/g,
    /\bimport\s*\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g,
    /\brequire\s*\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g,
  ];
  for (const pattern of patterns) for (const match of text.matchAll(pattern)) found.push(match[1]);
  return found;
}

/** The file a relative specifier names: as written, else with a module extension added (TypeScript style). */
function resolveLocal(fromFile: string, specifier: string): string | undefined {
  const base = path.resolve(path.dirname(fromFile), specifier);
  const candidates = [base, ...MODULE_EXTENSIONS.map((e) => `${base}${e}`), ...MODULE_EXTENSIONS.map((e) => path.join(base, `index${e}`))];
  return candidates.find((c) => fs.existsSync(c) && fs.statSync(c).isFile());
}

function collectLocalImports(file: string, text: string, into: Map<string, string>, seen: Set<string>): void {
  for (const specifier of localSpecifiers(text)) {
    const imported = resolveLocal(file, specifier);
    if (!imported || seen.has(imported)) continue;
    seen.add(imported);
    const bytes = readModuleFile(imported);
    into.set(imported, sha256(bytes));
    collectLocalImports(imported, bytes.toString('utf8'), into, seen);
  }
}

/** Loads a loss module and checks its exports against LossModule. Throws ModuleProblem. */
export async function loadLossModule(source: ModuleSource): Promise<LoadedModule<LossModule>> {
  return load(source, 'loss') as Promise<LoadedModule<LossModule>>;
}

/** Loads an output-activation module and checks its exports against OutputActivationModule. Throws ModuleProblem. */
export async function loadActivationModule(source: ModuleSource): Promise<LoadedModule<OutputActivationModule>> {
  return load(source, 'output activation') as Promise<LoadedModule<OutputActivationModule>>;
}

/** The contract's keys for each role, and which of them are functions. */
const CONTRACT: Record<ModuleRole, { keys: string[]; functions: string[]; required: string[] }> = {
  loss: {
    keys: ['name', 'summary', 'formula', 'outputs', 'instead', 'defaultOutputs', 'options', 'terms', 'gradZ', 'gradO'],
    functions: ['terms', 'gradZ', 'gradO'],
    required: ['terms', 'outputs', 'defaultOutputs'],
  },
  'output activation': {
    keys: ['name', 'summary', 'elementwise', 'options', 'apply', 'derivative', 'vjp', 'saturatedBelow', 'inverse'],
    functions: ['apply', 'derivative', 'vjp', 'inverse'],
    required: ['apply', 'elementwise'],
  },
};

/** How each required export is described in a "missing" message. */
const SIGNATURES: Record<string, string> = {
  terms: 'terms(z, t, context) returning E[n,k]',
  outputs: "outputs: the output activations it accepts (a list of names, or 'any')",
  defaultOutputs: "defaultOutputs: 'mean' or 'sum'",
  apply: 'apply(z, context) returning f(z)',
  elementwise: 'elementwise: true or false',
};

async function load(source: ModuleSource, role: ModuleRole): Promise<LoadedModule<LossModule | OutputActivationModule>> {
  checkTfjsCopies(source);
  const namespace = await importSource(source);
  if (namespace === null || (typeof namespace !== 'object' && typeof namespace !== 'function')) {
    throw new ModuleProblem(`expected the module to export an object of functions and settings, received ${kindOf(namespace)}.`);
  }
  const exported = contractObject(namespace);
  const { keys, functions, required } = CONTRACT[role];
  const problems: string[] = [];
  const present = Object.keys(exported).filter((k) => exported[k] !== undefined);
  for (const key of present) {
    if (keys.includes(key)) continue;
    const typo = closest(key, keys);
    if (typo !== undefined && !present.includes(typo)) problems.push(`exports "${key}" — did you mean "${typo}"?`);
  }
  const missing = required.filter((k) => exported[k] === undefined);
  if (missing.length > 0) {
    const other = role === 'loss' ? 'output activation' : 'loss';
    const looksLikeOther = CONTRACT[other].required.every((k) => exported[k] !== undefined);
    problems.push(
      `${role === 'loss' ? 'a loss' : 'an output activation'} module must export ${missing.map((k) => SIGNATURES[k]).join('; ')} — missing. It exports: ${present.join(', ') || 'nothing'}.` +
        (looksLikeOther
          ? ` It looks like ${other === 'loss' ? 'a loss' : 'an output activation'} module: name it under ${other === 'loss' ? 'loss.module' : 'model.outputActivation.module'}.`
          : ''),
    );
  }
  for (const key of functions) {
    if (exported[key] !== undefined && typeof exported[key] !== 'function')
      problems.push(`export "${key}" must be a function, received ${kindOf(exported[key])}.`);
  }
  problems.push(...typeProblems(exported, role));
  problems.push(...declarationProblems(exported.options).map((p) => `export "options": ${p}.`));
  if (problems.length > 0) throw new ModuleProblem(problems.map((p, i) => (i === 0 ? p : p[0].toUpperCase() + p.slice(1))).join(' '));

  const name = typeof exported.name === 'string' ? exported.name : path.basename(source.file, path.extname(source.file));
  const definition: Record<string, unknown> = {};
  for (const key of keys) {
    const value = exported[key];
    if (value === undefined) continue;
    definition[key] = functions.includes(key) ? guard(value as AnyFunction, exported, key) : value;
  }
  return { role, source, name, definition: definition as unknown as LossModule | OutputActivationModule };
}

function typeProblems(exported: Record<string, unknown>, role: ModuleRole): string[] {
  const problems: string[] = [];
  const expect = (key: string, ok: boolean, what: string) => {
    if (exported[key] !== undefined && !ok) problems.push(`export "${key}": expected ${what}, received ${kindOf(exported[key])}.`);
  };
  expect(
    'name',
    typeof exported.name === 'string' && /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(exported.name),
    'a name of letters, digits, ".", "_" and "-"',
  );
  for (const key of ['summary', 'formula', 'instead']) expect(key, typeof exported[key] === 'string', 'a string');
  if (role === 'loss') {
    const outputs = exported.outputs;
    expect(
      'outputs',
      outputs === 'any' || (Array.isArray(outputs) && outputs.length > 0 && outputs.every((o) => typeof o === 'string')),
      "'any' or a non-empty list of output activation names",
    );
    expect('defaultOutputs', exported.defaultOutputs === 'mean' || exported.defaultOutputs === 'sum', "'mean' or 'sum'");
  } else {
    expect('elementwise', typeof exported.elementwise === 'boolean', 'true or false');
    const threshold = exported.saturatedBelow;
    expect('saturatedBelow', typeof threshold === 'number' && threshold > 0 && Number.isFinite(threshold), 'a number > 0');
    if (threshold !== undefined && exported.derivative === undefined) {
      problems.push('export "saturatedBelow" needs derivative(z, a, context): the threshold applies to the derivative.');
    }
  }
  return problems;
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return `a ${typeof value}`;
}

/**
 * The object holding the contract: the named exports, or the default export when only it is given (ESM
 * `export default {…}`, TypeScript's `export default`); CommonJS `module.exports` is the namespace itself.
 */
function contractObject(namespace: Record<string, unknown>): Record<string, unknown> {
  const named = Object.keys(namespace).filter((k) => k !== 'default' && k !== '__esModule');
  const fallback = namespace.default;
  const known = new Set([...CONTRACT.loss.keys, ...CONTRACT['output activation'].keys]);
  if (!named.some((k) => known.has(k)) && fallback !== null && typeof fallback === 'object') return fallback as Record<string, unknown>;
  return Object.fromEntries(named.map((k) => [k, namespace[k]]));
}

type AnyFunction = (...args: unknown[]) => unknown;

/** Wraps a module function: its `this` is the module's export object; an exception becomes a ModuleCallError. */
function guard(fn: AnyFunction, self: unknown, name: string): AnyFunction {
  return (...args: unknown[]) => {
    try {
      return fn.apply(self, args);
    } catch (error) {
      if (error instanceof ModuleCallError) throw error;
      throw moduleCallError(error, `${name}()`);
    }
  };
}

/** A ModuleCallError for an exception from module code, located at the first stack frame inside a module file. */
export function moduleCallError(error: unknown, what: string): ModuleCallError {
  // Duck-typed, not instanceof Error: the module's errors may come from another realm (a test runner's vm context).
  const err = (error !== null && typeof error === 'object' ? error : {}) as { name?: unknown; message?: unknown; stack?: unknown };
  const message = typeof err.message === 'string' ? err.message : String(error);
  const location = (typeof err.stack === 'string' ? locateInModule(err.stack) : undefined) ?? 'a module';
  const kind = typeof err.name === 'string' && err.name !== 'Error' ? `${err.name}: ` : '';
  return new ModuleCallError(`${location}: ${what} threw ${kind}${message.split('\n')[0]}`, location, error);
}

/** TypeScript files this process compiled, with their source maps (to report the .ts line, not the emitted one). */
const sourceMaps = new Map<string, SourceMap>();

/** `file:line:col` of the first stack frame outside losslab, Node and node_modules (TypeScript lines mapped back). */
export function locateInModule(stack: string): string | undefined {
  const root = packageInfo().root;
  const ownCode = [path.join(root, 'src'), path.join(root, 'dist'), path.join(root, 'bin')];
  for (const line of stack.split('\n')) {
    const frame = /^\s*at (?:.*? \()?((?:file:\/\/)?[^\s()]+?):(\d+):(\d+)\)?\s*$/.exec(line);
    if (!frame) continue;
    let file = frame[1];
    if (file.startsWith('file://')) file = fileURLToPath(file.replace(/\?[^/]*$/, ''));
    if (file.startsWith('node:') || !path.isAbsolute(file) || file.includes(`${path.sep}node_modules${path.sep}`)) continue;
    if (ownCode.some((dir) => file.startsWith(`${dir}${path.sep}`))) continue;
    let [lineNumber, column] = [Number(frame[2]), Number(frame[3])];
    const map = sourceMaps.get(file);
    // findEntry gives {} where the position is unmapped.
    const entry: { originalLine?: number; originalColumn?: number } | undefined = map?.findEntry(lineNumber - 1, column - 1);
    if (entry?.originalLine !== undefined) [lineNumber, column] = [entry.originalLine + 1, (entry.originalColumn ?? 0) + 1];
    return `${displayPath(file)}:${lineNumber}:${column}`;
  }
  return undefined;
}

/**
 * A module must compute with losslab's tf (passed in its context). One that imports @tensorflow/tfjs itself gets
 * the same instance when the import resolves to losslab's copy; a different copy would hold tensors of its own,
 * so it is rejected here, before the module runs.
 */
function checkTfjsCopies(source: ModuleSource): void {
  const specifiers = new Set<string>();
  for (const match of source.text.matchAll(
    /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|\bimport\s+)['"](@tensorflow\/tfjs[^'"]*)['"]/g,
  )) {
    specifiers.add(match[1]);
  }
  const theirs = createRequire(source.file);
  for (const specifier of specifiers) {
    let mine: string;
    let resolved: string;
    try {
      mine = require.resolve(specifier);
    } catch {
      continue;
    }
    try {
      resolved = theirs.resolve(specifier);
    } catch {
      resolved = '(nothing: it does not resolve from there)';
    }
    if (resolved !== mine) {
      throw new ModuleProblem(
        `imports "${specifier}", which from ${displayPath(path.dirname(source.file))} resolves to ${displayPath(resolved)}, not to losslab's ${displayPath(mine)}: a second copy of TensorFlow.js keeps its own tensors and kernels, which losslab's cannot use. Use the tf the harness passes in the context (terms(z, t, { tf })) and drop the import.`,
      );
    }
  }
}

/** Runs the module's code and returns its exports (a namespace object). */
async function importSource(source: ModuleSource): Promise<Record<string, unknown>> {
  const extension = path.extname(source.file);
  if (extension === '.ts' || extension === '.cts')
    return evaluateCommonJs(source.file, transpileTypeScript(source.file, source.text), new Map());
  if (extension === '.cjs' || (extension === '.js' && !isEsmPackage(source.file)))
    return evaluateCommonJs(source.file, source.text, new Map());
  return importEsm(source);
}

/** Whether the nearest package.json above `file` says "type": "module" (then .js files are ES modules). */
function isEsmPackage(file: string): boolean {
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (fs.lstatSync(manifest, { throwIfNoEntry: false })) {
      // Through the guarded reader: a package.json that is a FIFO or huge must not block or exhaust memory here.
      try {
        return (JSON.parse(readTextFile(manifest, 'module')) as { type?: string } | null)?.type === 'module';
      } catch {
        return false;
      }
    }
    if (path.dirname(dir) === dir) return false;
  }
}

// tsc compiles import() to require() under "module": "commonjs"; a Function keeps it a real dynamic import.
// eslint-disable-next-line @typescript-eslint/no-implied-eval
const dynamicImport = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<Record<string, unknown>>;

async function importEsm(source: ModuleSource): Promise<Record<string, unknown>> {
  // The hash in the URL ties the loaded code to the hashed bytes and keeps an edited file from a stale cache entry.
  const url = `${pathToFileURL(source.file).href}?sha256=${source.sha256}`;
  try {
    return await dynamicImport(url);
  } catch (error) {
    const err = error as Error;
    if (err instanceof SyntaxError)
      throw new ModuleProblem(`syntax error: ${syntaxLocation(source) ?? displayPath(source.file)}: ${err.message}`);
    if (/experimental-vm-modules|dynamic import callback/i.test(err.message)) {
      throw new ModuleProblem(`cannot import an ES module in this process (${err.message}); run losslab from the command line.`);
    }
    throw new ModuleProblem(`${moduleCallError(err, 'loading it').message}`);
  }
}

/** The line and column of the first syntax error in a JavaScript source, found with TypeScript's parser. */
function syntaxLocation(source: ModuleSource): string | undefined {
  const ts = typescript();
  if (!ts) return undefined;
  const result = ts.transpileModule(source.text, { fileName: source.file, reportDiagnostics: true, compilerOptions: { allowJs: true } });
  const first = result.diagnostics?.find((d) => d.file && d.start !== undefined);
  if (!first?.file || first.start === undefined) return undefined;
  const { line, character } = first.file.getLineAndCharacterOfPosition(first.start);
  return `${displayPath(source.file)}:${line + 1}:${character + 1}`;
}

type TypeScript = typeof import('typescript');
let typescriptModule: TypeScript | null | undefined;
/** The typescript package (a devDependency, installed by npm ci), loaded on first use; null when absent. */
function typescript(): TypeScript | null {
  if (typescriptModule === undefined) {
    try {
      // Loaded lazily (it is large, and only a .ts module needs it); a static import would load it for every command.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      typescriptModule = require('typescript') as TypeScript;
    } catch {
      typescriptModule = null;
    }
  }
  return typescriptModule;
}

/** TypeScript to CommonJS (types erased, nothing type-checked), with a source map for error lines. */
function transpileTypeScript(file: string, text: string): string {
  const ts = typescript();
  if (!ts) {
    throw new ModuleProblem(
      'loading a TypeScript module needs the typescript package, which is not installed (npm ci installs it; npm ci --omit=dev does not). Install it, or write the module in JavaScript (.mjs).',
    );
  }
  const result = ts.transpileModule(text, {
    fileName: file,
    reportDiagnostics: true,
    compilerOptions: {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2022,
      esModuleInterop: true,
      sourceMap: true,
    },
  });
  const first = result.diagnostics?.find((d) => d.file && d.start !== undefined);
  if (first?.file && first.start !== undefined) {
    const { line, character } = first.file.getLineAndCharacterOfPosition(first.start);
    throw new ModuleProblem(
      `syntax error: ${displayPath(file)}:${line + 1}:${character + 1}: ${ts.flattenDiagnosticMessageText(first.messageText, ' ')}`,
    );
  }
  if (result.sourceMapText)
    sourceMaps.set(file, new SourceMap(JSON.parse(result.sourceMapText) as ConstructorParameters<typeof SourceMap>[0]));
  return result.outputText.replace(/\n\/\/# sourceMappingURL=.*\s*$/, '\n');
}

/**
 * Runs CommonJS code as Node would (module, exports, require, __filename, __dirname), compiled with the file's own
 * name so stack frames point into it. Relative requires of TypeScript files go through the same transpiler.
 */
function evaluateCommonJs(file: string, code: string, loaded: Map<string, Record<string, unknown>>): Record<string, unknown> {
  let compiled: (...args: unknown[]) => void;
  try {
    compiled = vm.compileFunction(code, ['exports', 'require', 'module', '__filename', '__dirname'], { filename: file }) as (
      ...args: unknown[]
    ) => void;
  } catch (error) {
    const err = error as Error;
    const where = /^(.*?):(\d+)\n/.exec(err.stack ?? '');
    const hint = /\b(export|import)\b/.test(err.message)
      ? ' (a .js file is CommonJS unless the nearest package.json says "type": "module"; name an ES module .mjs)'
      : '';
    throw new ModuleProblem(`syntax error: ${where ? `${displayPath(file)}:${where[2]}` : displayPath(file)}: ${err.message}${hint}`);
  }
  const module: { exports: Record<string, unknown> } = { exports: {} };
  loaded.set(file, module.exports);
  const nodeRequire = createRequire(file);
  const moduleRequire = (specifier: string): unknown => {
    const local = /^\.{1,2}\//.test(specifier) ? resolveLocal(file, specifier) : undefined;
    if (local && (local.endsWith('.ts') || local.endsWith('.cts'))) {
      return loaded.get(local) ?? evaluateCommonJs(local, transpileTypeScript(local, readModuleFile(local).toString('utf8')), loaded);
    }
    return nodeRequire(specifier) as unknown;
  };
  try {
    compiled(module.exports, Object.assign(moduleRequire, { resolve: nodeRequire.resolve }), module, file, path.dirname(file));
  } catch (error) {
    if (error instanceof ModuleProblem) throw error;
    throw new ModuleProblem(moduleCallError(error, 'loading it').message);
  }
  loaded.set(file, module.exports);
  return module.exports;
}
