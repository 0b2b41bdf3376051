/**
 * Canonical JSON and its SHA-256: the fingerprint of a billing plan. Object keys are sorted at
 * every level and values go through their `toJSON` (dates become ISO strings, phone numbers
 * E.164), so two equal plans always serialise — and hash — identically.
 */
import { createHash } from 'node:crypto';

/** JSON text of `value` with object keys sorted at every depth; `undefined` members are dropped, as JSON does. */
export function canonicalJson(value: unknown): string {
  // `JSON.stringify` is typed `string`, but gives `undefined` for `undefined`, a function or a symbol.
  const text = JSON.stringify(value) as string | undefined;
  const plain: unknown = JSON.parse(text ?? 'null');
  return JSON.stringify(sortKeys(plain));
}

/** Lower-case hex SHA-256 of the canonical JSON of `value`. */
export function canonicalHash(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value), 'utf8').digest('hex');
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value !== 'object' || value === null) return value;
  const record = value as Record<string, unknown>;
  return Object.fromEntries(
    Object.keys(record)
      .sort()
      .map((key) => [key, sortKeys(record[key])]),
  );
}
