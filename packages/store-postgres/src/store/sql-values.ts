/**
 * Conversions between JavaScript values and SQL parameters and results, identical for both
 * drivers: instants travel as ISO-8601 strings (cast to timestamptz), JSON as text (cast to
 * jsonb), and results are normalised whatever the driver's own parsing (node-postgres returns
 * bigints as strings, PGlite as numbers).
 */
import { SdrError, ValidationError } from '@sdr/core';

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True for a UUID: ids that are not cannot exist in the store (and must not reach a `uuid` cast). */
export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && uuidPattern.test(value);
}

/** An instant as a parameter. */
export function instant(date: Date): string {
  return date.toISOString();
}

/** An optional instant as a parameter. */
export function instantOrNull(date: Date | null | undefined): string | null {
  return date ? date.toISOString() : null;
}

/** A JSON value as a `jsonb` parameter (always text: node-postgres would turn arrays into SQL arrays). */
export function json(value: unknown): string {
  return JSON.stringify(value);
}

/** A JSON value or SQL NULL. */
export function jsonOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(value);
}

/** A `timestamptz` result as a `Date`. */
export function toDate(value: unknown): Date {
  if (value instanceof Date) return new Date(value.getTime());
  if (typeof value === 'string' || typeof value === 'number') {
    const date = new Date(value);
    if (!Number.isNaN(date.getTime())) return date;
  }
  throw new SdrError('the store returned an instant it cannot read');
}

/** An optional `timestamptz` result. */
export function toDateOrNull(value: unknown): Date | null {
  return value === null || value === undefined ? null : toDate(value);
}

/** An integer result (`int8` arrives as a string from node-postgres). */
export function toInteger(value: unknown): number {
  const number = typeof value === 'bigint' ? Number(value) : typeof value === 'string' ? Number(value) : (value as number);
  if (!Number.isSafeInteger(number)) throw new SdrError('the store returned a number it cannot read');
  return number;
}

/** A text result that may be NULL. */
export function textOrNull(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'string') throw new SdrError('the store returned a text it cannot read');
  return value;
}

/** `ValidationError` unless `value` is a whole number ≥ 0. */
export function assertCount(field: string, value: number): void {
  if (!Number.isInteger(value) || value < 0) throw ValidationError.forField(field, 'must be a whole number, 0 or more');
}

/** Collects `$n` parameters while a statement is assembled: `push(value)` returns its placeholder. */
export class Parameters {
  readonly values: unknown[] = [];

  push(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}
