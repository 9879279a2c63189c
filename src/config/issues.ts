// Turns schema issues into messages that name the key path, what was expected, what was received and the fix.
import type { z } from 'zod';
import { ConfigError } from '../errors';
import type { SourceDocument } from './parse-file';
import { ACTIVATIONS } from '../models/activations';
import { closest, didYouMean } from '../util/did-you-mean';
import { keysAt, leafKeys, schemaAt } from './schema-walk';
import { listText, quote } from '../util/quote';

type Path = readonly PropertyKey[];

/** `runs[2].loss.name` from ['runs', 2, 'loss', 'name']. Keys that are not identifiers are quoted: grid["a.b"]. */
export function formatPath(path: Path): string {
  let text = '';
  for (const key of path) {
    if (typeof key === 'number') text += `[${key}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(String(key))) text += text === '' ? String(key) : `.${String(key)}`;
    else text += `[${quote(String(key), 40)}]`;
  }
  return text;
}

/** A short description of a received value: `"abc" (a string)`, `-1`, `a list`, `nothing`. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing (the key is missing)';
  if (value === null) return 'null';
  if (typeof value === 'string') return quote(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `a list of ${value.length} item${value.length === 1 ? '' : 's'}`;
  const keys = Object.keys(value);
  return keys.length === 0 ? 'a mapping with no keys' : `a mapping with keys ${listText(keys)}`;
}

/** What kind of thing a key names, for "unknown loss" rather than "unknown value". */
function nounFor(path: Path): string {
  const last = String(path[path.length - 1] ?? '');
  const parent = String(path[path.length - 2] ?? '');
  if (last === 'name') {
    const nouns: Record<string, string> = {
      loss: 'loss',
      optimizer: 'optimizer',
      dataset: 'dataset',
      kernelInitializer: 'initializer',
      biasInitializer: 'initializer',
    };
    if (nouns[parent]) return nouns[parent];
  }
  if (last === 'kernelInitializer' || last === 'biasInitializer') return 'initializer';
  if (last === 'hiddenActivation') return 'hidden activation';
  // A layer's own activation (model.layers[i].activation) stands where a hidden activation would.
  if (last === 'activation' && typeof path[path.length - 2] === 'number') return 'hidden activation';
  if (last === 'padding') return 'padding';
  if (last === 'outputActivation') return 'output activation';
  if (last === 'gradient') return 'gradient mode';
  if (last === 'interval') return 'interval method';
  if (last === 'metric') return 'summary column';
  return 'value';
}

const TYPE_NAMES: Record<string, string> = {
  int: 'an integer',
  number: 'a number',
  string: 'a string',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping',
  record: 'a mapping',
};

/** One located problem: where (key path), and the message without the path. */
export interface Problem {
  path: PropertyKey[];
  message: string;
}

/**
 * Flattens zod issues of data checked against `schema` into problems with readable messages; `prefix` is where that
 * data sits in the file. An unknown key is matched against the keys valid where it is, then against the keys one or
 * two levels below (`lr` in a run means optimizer.learningRate).
 */
export function problemsFromIssues(issues: readonly z.core.$ZodIssue[], schema: z.ZodType, prefix: PropertyKey[] = []): Problem[] {
  const knownKeys = (path: Path, input?: unknown) => keysAt(schema, path.slice(prefix.length), input).filter((key) => !key.startsWith('$'));
  const problems: Problem[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...issue.path];
    const input = (issue as { input?: unknown }).input;
    switch (issue.code) {
      case 'unrecognized_keys': {
        const known = knownKeys(path, input);
        for (const key of issue.keys) {
          const suggestion = didYouMean(key, known) || nestedSuggestion(key, schemaAt(schema, path.slice(prefix.length))) || '.';
          problems.push({ path: [...path, key], message: `unknown key ${quote(key)}${suggestion} Known keys here: ${known.join(', ')}.` });
        }
        break;
      }
      case 'invalid_value': {
        const values = issue.values.map(String);
        const noun = nounFor(path);
        // An activation that exists but not in this role (softmax as a hidden activation) gets its own message.
        const roles =
          typeof input === 'string' && noun.endsWith(' activation')
            ? (ACTIVATIONS as Record<string, { roles: readonly string[] }>)[input]?.roles
            : undefined;
        problems.push({
          path,
          message: roles
            ? `"${String(input)}" cannot be a ${noun}: it is ${roles.join(' and ')} only. Known ${noun}s: ${values.join(', ')}.`
            : typeof input === 'string'
              ? `unknown ${noun} "${input}"${didYouMean(input, values) || '.'} Known: ${values.join(', ')}.`
              : `expected one of ${values.join(', ')}, received ${describeValue(input)}.`,
        });
        break;
      }
      case 'invalid_union': {
        if (issue.discriminator !== undefined && 'options' in issue && issue.options !== undefined) {
          // A layer of model.layers: its `type` picks the settings, and matched none.
          const options = issue.options.map(String);
          const type = input !== null && typeof input === 'object' ? (input as Record<string, unknown>)[issue.discriminator] : undefined;
          problems.push({
            path,
            message:
              typeof type === 'string'
                ? `unknown layer type "${type}"${didYouMean(type, options) || '.'} Known: ${options.join(', ')}.`
                : `expected a layer type (one of ${options.join(', ')}), received ${describeValue(type)}.`,
          });
          break;
        }
        // The initializer union: a bare name or a block. Report the branch that matches the received shape.
        const branch = typeof input === 'string' || input === undefined ? 0 : 1;
        const chosen = issue.errors[Math.min(branch, issue.errors.length - 1)] ?? [];
        if (typeof input !== 'string' && (input === null || typeof input !== 'object')) {
          problems.push({ path, message: `expected a name or a mapping with a name, received ${describeValue(input)}.` });
        } else {
          problems.push(...problemsFromIssues(chosen, schemaAt(schema, path.slice(prefix.length)) ?? schema, path));
        }
        break;
      }
      case 'invalid_key':
        // A mapping key that fails its own schema (a run id in manifest.json): the key's problems, at the key.
        problems.push(...problemsFromIssues(issue.issues, schema, path));
        break;
      case 'custom':
        // Refinements in the schema (e.g. report.reference) write the whole message, received value included.
        problems.push({ path, message: issue.message });
        break;
      case 'invalid_type': {
        const expected = TYPE_NAMES[issue.expected] ?? issue.expected;
        problems.push({ path, message: `expected ${expected}, received ${describeValue(input)}.` });
        break;
      }
      case 'too_small':
      case 'too_big': {
        const bound = issue.code === 'too_small' ? issue.minimum : issue.maximum;
        const relation =
          issue.code === 'too_small' ? (issue.inclusive ? 'at least' : 'greater than') : issue.inclusive ? 'at most' : 'less than';
        const what = issue.origin === 'array' ? `a list of ${relation} ${String(bound)} item(s)` : `a value ${relation} ${String(bound)}`;
        problems.push({ path, message: `expected ${what}, received ${describeValue(input)}.` });
        break;
      }
      case 'invalid_format':
        problems.push({ path, message: `expected ${issue.message}, received ${describeValue(input)}.` });
        break;
      default:
        problems.push({ path, message: `${issue.message}, received ${describeValue(input)}.` });
    }
  }
  return problems;
}

/**
 * ` — did you mean "learningRate" under "optimizer" (optimizer: {learningRate: …})?` when `key` names a setting one or
 * more levels below `schema` (matched on the setting's own name), else ''.
 */
function nestedSuggestion(key: string, schema: z.ZodType | undefined): string {
  if (!schema) return '';
  const dotted = leafKeys(schema).filter((leaf) => leaf.includes('.'));
  const match = closest(
    key,
    dotted.map((leaf) => leaf.split('.').pop()!),
  );
  if (match === undefined) return '';
  const full = dotted.find((leaf) => leaf.endsWith(`.${match}`))!;
  const parent = full.slice(0, -match.length - 1);
  return ` — did you mean "${match}" under "${parent}" (${parent}: {${match}: …})?`;
}

/** One ConfigError listing every problem once, each as `file:line:col: key.path: message`. */
export function problemsError(source: SourceDocument, problems: Problem[]): ConfigError {
  const seen = new Set<string>();
  const lines: string[] = [];
  for (const problem of problems) {
    const line = `${source.locate(problem.path, isUnknownKey(problem))}: ${formatPath(problem.path)}: ${problem.message}`;
    if (!seen.has(line)) lines.push(line);
    seen.add(line);
  }
  return new ConfigError(lines.join('\n'));
}

const isUnknownKey = (problem: Problem) => problem.message.startsWith('unknown key');
