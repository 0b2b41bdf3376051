/**
 * The input checks every `CredentialStore` shares (its contract's key, value and version rules),
 * so that implementations refuse the same things with the same field names.
 */
import { ValidationError } from '../../errors/index.js';
import { isPlainObject } from '../../internal/plain-object.js';

const maxKeyLength = 200;

/** `ValidationError` naming `key` unless it is 1 to 200 characters. */
export function assertCredentialKey(key: unknown): asserts key is string {
  if (typeof key !== 'string' || key.length === 0 || key.length > maxKeyLength) {
    throw ValidationError.forField('key', `must be 1 to ${maxKeyLength} characters`);
  }
}

/** `ValidationError` naming `expectedVersion` unless it is `null` or a whole number of 1 or more. */
export function assertExpectedVersion(expectedVersion: unknown): asserts expectedVersion is number | null {
  if (expectedVersion === null) return;
  if (typeof expectedVersion !== 'number' || !Number.isInteger(expectedVersion) || expectedVersion < 1) {
    throw ValidationError.forField('expectedVersion', 'must be null (nothing stored yet) or a whole number, 1 or more');
  }
}

/**
 * A deep copy of `value` through JSON, refusing (with a `ValidationError` naming `value` or the
 * path inside it) what would not round-trip: a non-object, `undefined`, functions, symbols,
 * bigints, non-finite numbers, dates and other class instances.
 */
export function credentialValueCopy(value: unknown): Record<string, unknown> {
  if (!isPlainObject(value)) throw ValidationError.forField('value', 'must be a plain JSON object');
  assertJson(value, 'value');
  return JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
}

function assertJson(value: unknown, path: string): void {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw ValidationError.forField(path, 'must be a finite number');
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, index) => assertJson(item, `${path}.${index}`));
    return;
  }
  if (isPlainObject(value)) {
    for (const [key, item] of Object.entries(value)) assertJson(item, `${path}.${key}`);
    return;
  }
  throw ValidationError.forField(path, 'must be a JSON value (string, number, boolean, null, array or plain object)');
}
