// Walks the zod schema by key path: which keys are valid where (for "did you mean" and grid keys).
import { z } from 'zod';

/** Strips default/optional/prefault wrappers to the schema underneath. */
export function unwrap(schema: z.ZodType): z.ZodType {
  let current: z.ZodType = schema;
  for (;;) {
    if (current instanceof z.ZodDefault || current instanceof z.ZodOptional || current instanceof z.ZodPrefault) {
      current = current.unwrap() as z.ZodType;
    } else if (current instanceof z.ZodNullable) {
      current = current.unwrap() as z.ZodType;
    } else return current;
  }
}

/** The schema at `path` below `root`, or undefined where the path leaves the schema. */
export function schemaAt(root: z.ZodType, path: readonly PropertyKey[]): z.ZodType | undefined {
  let current: z.ZodType | undefined = root;
  for (const key of path) {
    if (current === undefined) return undefined;
    current = child(unwrap(current), key);
  }
  return current;
}

function child(schema: z.ZodType, key: PropertyKey): z.ZodType | undefined {
  if (schema instanceof z.ZodObject) return (schema.shape as Record<string, z.ZodType>)[String(key)];
  if (schema instanceof z.ZodArray) return typeof key === 'number' ? (schema.element as z.ZodType) : undefined;
  if (schema instanceof z.ZodRecord) return schema.valueType as z.ZodType;
  if (schema instanceof z.ZodUnion) {
    for (const option of schema.options as z.ZodType[]) {
      const found = child(unwrap(option), key);
      if (found) return found;
    }
  }
  return undefined;
}

/**
 * The keys of the mapping at `path` (empty where it is not a mapping). For a discriminated union (a layer), `input`
 * (the mapping there) picks the option by its discriminator.
 */
export function keysAt(root: z.ZodType, path: readonly PropertyKey[], input?: unknown): string[] {
  const schema = schemaAt(root, path);
  if (!schema) return [];
  const inner = unwrap(schema);
  if (inner instanceof z.ZodObject) return Object.keys(inner.shape);
  if (inner instanceof z.ZodDiscriminatedUnion && input !== null && typeof input === 'object') {
    const discriminator = inner.def.discriminator;
    const value = (input as Record<string, unknown>)[discriminator];
    for (const option of inner.options as z.ZodType[]) {
      const o = unwrap(option);
      if (o instanceof z.ZodObject && (o.shape as Record<string, z.ZodType>)[discriminator]?.safeParse(value).success)
        return Object.keys(o.shape);
    }
  }
  if (inner instanceof z.ZodUnion) {
    for (const option of inner.options as z.ZodType[]) {
      const o = unwrap(option);
      if (o instanceof z.ZodObject) return Object.keys(o.shape);
    }
  }
  return [];
}

/** Every dotted key path to a leaf (non-mapping) setting below `root`, e.g. optimizer.learningRate. */
export function leafKeys(root: z.ZodType, prefix = ''): string[] {
  const inner = unwrap(root);
  if (!(inner instanceof z.ZodObject)) return prefix ? [prefix] : [];
  const keys: string[] = prefix ? [prefix] : [];
  for (const [key, value] of Object.entries((inner as z.ZodObject<Record<string, z.ZodType>>).shape)) {
    keys.push(...leafKeys(value, prefix ? `${prefix}.${key}` : key));
  }
  return keys;
}
