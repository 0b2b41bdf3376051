/**
 * What the sandbox adapters share about SQL: their tables' quoted names in the server schema,
 * and the conversions that make results identical on both drivers (node-postgres returns
 * `bigint` as a string and `timestamptz` as a `Date`; PGlite may differ).
 */
import { SdrError } from '@sdr/core';
import { quoteIdentifier, serverSchema } from '../database/server-database.js';

/** The quoted `schema.table` of a sandbox table. */
export function sandboxTable(schema: string | undefined, table: string): string {
  return `${quoteIdentifier(schema ?? serverSchema)}.${table}`;
}

/** An instant as a parameter (cast to `timestamptz` in the statement). */
export function instant(date: Date): string {
  return date.toISOString();
}

/** A `timestamptz` result as a `Date`. */
export function toDate(value: unknown): Date {
  const date =
    value instanceof Date ? new Date(value.getTime()) : new Date(typeof value === 'string' || typeof value === 'number' ? value : NaN);
  if (Number.isNaN(date.getTime())) throw new SdrError('the sandbox read an instant it cannot understand');
  return date;
}

/** A text result that may be NULL. */
export function textOrNull(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  throw new SdrError('the sandbox read a value it expected as text');
}

/** A `jsonb` result (node-postgres and PGlite both parse it; a string is parsed here). */
export function fromJson(value: unknown): unknown {
  return typeof value === 'string' ? (JSON.parse(value) as unknown) : value;
}

/** True for an id the sandbox could have issued (a positive integer within `bigint`). */
export function isNumericId(value: string): boolean {
  return /^[1-9]\d{0,17}$/.test(value);
}
