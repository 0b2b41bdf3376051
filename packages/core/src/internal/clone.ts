/**
 * Deep copies of stored values, so that a caller mutating what a double returned (or what it
 * passed in) can never change the double's state — the way a real database or HTTP API behaves.
 *
 * Plain objects, arrays, `Date`s and byte arrays are copied. Instances of other classes (the
 * `PhoneNumber` value object) are immutable by design and shared.
 */
export function cloneValue<T>(value: T): T {
  return cloneUnknown(value) as T;
}

function cloneUnknown(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Date) return new Date(value.getTime());
  if (value instanceof Uint8Array) return value.slice();
  if (Array.isArray(value)) return (value as readonly unknown[]).map(cloneUnknown);
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return value;
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) copy[key] = cloneUnknown(item);
  return copy;
}

/** `cloneValue` for an optional row: `undefined` becomes `null`, the "not found" of the ports. */
export function cloneOrNull<T>(value: T | undefined): T | null {
  return value === undefined ? null : cloneValue(value);
}
