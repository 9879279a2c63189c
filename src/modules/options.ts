// A module's option declarations (plain data) checked, described, and turned into zod for the option values.
import { z } from 'zod';
import type { OptionDeclaration, OptionDeclarations, OptionValues } from './contract';
import { didYouMean } from '../util/did-you-mean';

const description = z.string().optional();
const bound = z.number().refine(Number.isFinite, 'a finite number').optional();

/** The declaration format, to check a module's `options` export. */
const DeclarationSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.enum(['number', 'integer']),
    default: z.number().optional(),
    min: bound,
    max: bound,
    exclusiveMin: bound,
    exclusiveMax: bound,
    description,
  }),
  z.strictObject({ type: z.literal('boolean'), default: z.boolean().optional(), description }),
  z.strictObject({
    type: z.literal('string'),
    default: z.string().optional(),
    choices: z.array(z.string()).min(1).optional(),
    description,
  }),
]);

/** Option names are identifiers, so `loss.options.<name>` reads as a key path and can be a grid key. */
const OPTION_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Checks an `options` export: a mapping of identifiers to declarations whose defaults satisfy their own rules.
 * Returns the problems as sentences (empty when the declarations are valid).
 */
export function declarationProblems(declarations: unknown): string[] {
  if (declarations === undefined) return [];
  if (declarations === null || typeof declarations !== 'object' || Array.isArray(declarations)) {
    return ['expected a mapping of option names to declarations such as { gamma: { type: "number", default: 2, min: 0 } }'];
  }
  const problems: string[] = [];
  for (const [name, declaration] of Object.entries(declarations)) {
    if (!OPTION_NAME.test(name))
      problems.push(`option name "${name}" is not an identifier (letters, digits, _; not starting with a digit)`);
    const parsed = DeclarationSchema.safeParse(declaration);
    if (!parsed.success) {
      problems.push(`option "${name}": ${declarationIssue(parsed.error.issues[0], declaration)}`);
      continue;
    }
    const declared = parsed.data as OptionDeclaration;
    if (declared.default !== undefined) {
      const check = valueSchema(declared).safeParse(declared.default);
      if (!check.success)
        problems.push(
          `option "${name}": the default ${JSON.stringify(declared.default)} breaks its own rule (${describeOption(declared)})`,
        );
    }
  }
  return problems;
}

const DECLARATION_KEYS = ['type', 'default', 'min', 'max', 'exclusiveMin', 'exclusiveMax', 'choices', 'description'];

/** One issue of a declaration as a phrase: an unknown type or key (with did-you-mean), or a wrong value type. */
function declarationIssue(issue: z.core.$ZodIssue, declaration: unknown): string {
  if (issue.code === 'invalid_union' || (issue.path[0] === 'type' && issue.path.length === 1)) {
    const type = (declaration as { type?: unknown } | null)?.type;
    return `type must be "number", "integer", "boolean" or "string", received ${JSON.stringify(type) ?? 'none'}`;
  }
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => `unknown key "${key}"${didYouMean(key, DECLARATION_KEYS) || ''}`).join('; ');
  }
  return `${issue.path.join('.')}: ${issue.message.toLowerCase()}`;
}

/** The zod schema of one option's value. */
function valueSchema(declaration: OptionDeclaration): z.ZodType {
  switch (declaration.type) {
    case 'boolean':
      return z.boolean();
    case 'string':
      return declaration.choices ? z.enum(declaration.choices as [string, ...string[]]) : z.string();
    default: {
      let schema = declaration.type === 'integer' ? z.int() : z.number();
      if (declaration.min !== undefined) schema = schema.min(declaration.min);
      if (declaration.max !== undefined) schema = schema.max(declaration.max);
      if (declaration.exclusiveMin !== undefined) schema = schema.gt(declaration.exclusiveMin);
      if (declaration.exclusiveMax !== undefined) schema = schema.lt(declaration.exclusiveMax);
      return schema;
    }
  }
}

/**
 * The zod schema of a module's option values: a strict mapping (unknown keys are errors), each declared option
 * typed and bounded, defaults filled in, options without a default required.
 */
export function optionsSchema(declarations: OptionDeclarations = {}): z.ZodType<OptionValues> {
  const shape: Record<string, z.ZodType> = {};
  for (const [name, declaration] of Object.entries(declarations)) {
    const value = valueSchema(declaration).describe(describeOption(declaration));
    shape[name] = declaration.default === undefined ? value : value.default(declaration.default);
  }
  return z.strictObject(shape) as unknown as z.ZodType<OptionValues>;
}

/** "number ≥ 0, default 2": the rule of one option, for messages and `validate`. */
export function describeOption(declaration: OptionDeclaration): string {
  const parts: string[] = [declaration.type];
  if (declaration.type === 'number' || declaration.type === 'integer') {
    if (declaration.min !== undefined) parts.push(`≥ ${declaration.min}`);
    if (declaration.exclusiveMin !== undefined) parts.push(`> ${declaration.exclusiveMin}`);
    if (declaration.max !== undefined) parts.push(`≤ ${declaration.max}`);
    if (declaration.exclusiveMax !== undefined) parts.push(`< ${declaration.exclusiveMax}`);
  }
  if (declaration.type === 'string' && declaration.choices) parts.push(`one of ${declaration.choices.join(', ')}`);
  const rule = parts.join(' ');
  return declaration.default === undefined ? `${rule}, required` : `${rule}, default ${JSON.stringify(declaration.default)}`;
}

/** `gamma (number ≥ 0, default 2)`, one per declared option, or "no options". */
export function describeOptions(declarations: OptionDeclarations = {}): string {
  const names = Object.keys(declarations);
  return names.length === 0 ? 'no options' : names.map((n) => `${n} (${describeOption(declarations[n])})`).join(', ');
}
