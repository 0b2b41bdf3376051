/**
 * Secret fields of an adapter's configuration schema: `secret(z.string())` marks a field whose
 * value must never be shown, logged or returned — an API token, an OAuth client secret, a
 * refresh token. The mark is zod 4 metadata (`writeOnly: true`, so `z.toJSONSchema` shows
 * `"writeOnly": true` to a form or an OpenAPI reader) plus a registry of its own, which
 * `redactSecrets` and `secretValuesOf` read by walking the schema beside the value — through
 * objects, optional / nullable / default wrappers, unions (discriminated ones by their
 * discriminator), arrays, tuples, records, intersections, pipes and lazy schemas.
 */
import { z } from 'zod';
import { REDACTED } from '../errors/index.js';
import { isPlainObject } from '../internal/plain-object.js';

/** What `redactSecrets` puts in place of a secret value. */
export const secretMarker = REDACTED;

/** The registry of schemas marked with `secret`. */
const secretSchemas = z.registry<{ readonly secret: true }>();

/**
 * Marks `schema` as a secret field: `writeOnly` in its JSON Schema, replaced by `secretMarker` in
 * `redactSecrets`, listed by `secretValuesOf`. Returns a copy of `schema` (zod schemas are
 * immutable), with its other metadata kept.
 */
export function secret<Schema extends z.ZodType>(schema: Schema): Schema {
  const marked = schema.meta({ ...schema.meta(), writeOnly: true });
  secretSchemas.add(marked, { secret: true });
  return marked;
}

/** Whether `schema` itself was marked with `secret` (not what it contains). */
export function isSecretSchema(schema: z.ZodType): boolean {
  return secretSchemas.has(schema);
}

/**
 * A deep copy of `value` with every value at a secret position replaced by `secretMarker` (a
 * `null` or absent secret stays as it is: there is nothing to hide). Where the schema cannot tell
 * which branch of a union the value is, every branch's secrets are redacted.
 */
export function redactSecrets<T>(schema: z.ZodType, value: T): T {
  return walk(schema, value, (found) => (found === null || found === undefined ? found : secretMarker)) as T;
}

/**
 * The secret strings inside `value` (every string at or under a secret position), each once —
 * what log and response scrubbing must never let through.
 */
export function secretValuesOf(schema: z.ZodType, value: unknown): string[] {
  const found = new Set<string>();
  walk(schema, value, (secretValue) => {
    collectStrings(secretValue, found);
    return secretValue;
  });
  return [...found];
}

/** The parts of a zod 4 schema definition the walk reads. */
interface SchemaDef {
  readonly type: string;
  readonly innerType?: z.ZodType;
  readonly shape?: Readonly<Record<string, z.ZodType>>;
  readonly catchall?: z.ZodType;
  readonly options?: readonly z.ZodType[];
  readonly discriminator?: string;
  readonly element?: z.ZodType;
  readonly items?: readonly z.ZodType[];
  readonly rest?: z.ZodType | null;
  readonly valueType?: z.ZodType;
  readonly left?: z.ZodType;
  readonly right?: z.ZodType;
  readonly in?: z.ZodType;
  readonly out?: z.ZodType;
  readonly getter?: () => z.ZodType;
}

function defOf(schema: z.ZodType): SchemaDef {
  return (schema as unknown as { readonly _zod: { readonly def: SchemaDef } })._zod.def;
}

/** Copies `value`, passing every value at a secret position of `schema` through `onSecret`. */
function walk(schema: z.ZodType, value: unknown, onSecret: (value: unknown) => unknown): unknown {
  if (isSecretSchema(schema)) return onSecret(value);
  const def = defOf(schema);
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'catch':
    case 'nonoptional':
      return def.innerType === undefined ? copy(value) : walk(def.innerType, value, onSecret);
    case 'lazy':
      return def.getter === undefined ? copy(value) : walk(def.getter(), value, onSecret);
    case 'pipe':
      // Secrets marked on either side count: the value may be the raw input or the parsed output.
      return [def.in, def.out].reduce<unknown>((current, side) => (side === undefined ? current : walk(side, current, onSecret)), value);
    case 'intersection':
      return [def.left, def.right].reduce<unknown>(
        (current, side) => (side === undefined ? current : walk(side, current, onSecret)),
        value,
      );
    case 'object':
      return walkObject(def, value, onSecret);
    case 'record':
      if (!isPlainObject(value) || def.valueType === undefined) return copy(value);
      return mapValues(value, (item) => walk(def.valueType as z.ZodType, item, onSecret));
    case 'array':
      if (!Array.isArray(value) || def.element === undefined) return copy(value);
      return value.map((item) => walk(def.element as z.ZodType, item, onSecret));
    case 'tuple':
      if (!Array.isArray(value)) return copy(value);
      return value.map((item, index) => {
        const itemSchema = def.items?.[index] ?? def.rest ?? undefined;
        return itemSchema === undefined ? copy(item) : walk(itemSchema, item, onSecret);
      });
    case 'union':
      return unionBranches(def, value).reduce<unknown>((current, option) => walk(option, current, onSecret), copy(value));
    default:
      return copy(value);
  }
}

function walkObject(def: SchemaDef, value: unknown, onSecret: (value: unknown) => unknown): unknown {
  if (!isPlainObject(value)) return copy(value);
  return mapValues(value, (item, key) => {
    const fieldSchema = def.shape?.[key] ?? def.catchall;
    return fieldSchema === undefined ? copy(item) : walk(fieldSchema, item, onSecret);
  });
}

/**
 * The branches of a union `value` belongs to: for a discriminated union the one whose
 * discriminator accepts the value's; otherwise those that accept the value. When none can be
 * told, all of them — redacting too much is safe, too little is not.
 */
function unionBranches(def: SchemaDef, value: unknown): readonly z.ZodType[] {
  const options = def.options ?? [];
  const discriminator = def.discriminator;
  if (discriminator !== undefined && isPlainObject(value)) {
    const matching = options.filter((option) => defOf(option).shape?.[discriminator]?.safeParse(value[discriminator]).success === true);
    if (matching.length > 0) return matching;
  }
  const accepting = options.filter((option) => option.safeParse(value).success);
  return accepting.length > 0 ? accepting : options;
}

function mapValues(value: Record<string, unknown>, map: (item: unknown, key: string) => unknown): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, map(item, key)]));
}

/** A deep copy of plain objects and arrays; anything else as it is. */
function copy(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(copy);
  if (isPlainObject(value)) return mapValues(value, copy);
  return value;
}

function collectStrings(value: unknown, found: Set<string>): void {
  if (typeof value === 'string') {
    if (value !== '') found.add(value);
  } else if (Array.isArray(value)) {
    for (const item of value) collectStrings(item, found);
  } else if (isPlainObject(value)) {
    for (const item of Object.values(value)) collectStrings(item, found);
  }
}
