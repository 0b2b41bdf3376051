/**
 * Keyset paging with opaque cursors, as the in-memory store pages: a cursor is base64url JSON
 * naming its list and the sort key (an instant in epoch ms, then the id) of the last item
 * returned, so rows inserted meanwhile neither repeat nor shift the pages.
 */
import { Buffer } from 'node:buffer';
import { ValidationError, storableEpochMsSchema, type Page, type PageRequest } from '@sdr/core';
import { z } from 'zod';

/** A sort key: an instant in epoch milliseconds, then the id as a tie-breaker. */
export type SortKey = readonly [number, string];

const cursorSchema = z.object({ list: z.string(), key: z.tuple([storableEpochMsSchema, z.string()]) });
const defaultPageSize = 50;
const maxPageSize = 500;

/** The page size a request asks for; `ValidationError` (field `limit`) outside 1–500. */
export function pageLimit(page: PageRequest | undefined): number {
  const limit = page?.limit ?? defaultPageSize;
  if (!Number.isInteger(limit) || limit < 1 || limit > maxPageSize) {
    throw ValidationError.forField('limit', `must be a whole number from 1 to ${maxPageSize}`);
  }
  return limit;
}

/** The sort key after which the page starts, or `undefined` for the first page. */
export function pageStart(list: string, page: PageRequest | undefined): SortKey | undefined {
  const cursor = page?.cursor;
  if (!cursor) return undefined;
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw ValidationError.forField('cursor', 'is not a cursor returned by this list');
  }
  const parsed = cursorSchema.safeParse(decoded);
  if (!parsed.success || parsed.data.list !== list) throw ValidationError.forField('cursor', 'is not a cursor returned by this list');
  return parsed.data.key;
}

/**
 * The page from `rows` fetched with `LIMIT limit + 1`: the extra row only tells that another
 * page exists.
 */
export function toPage<T>(input: {
  readonly list: string;
  readonly rows: readonly T[];
  readonly limit: number;
  readonly keyOf: (item: T) => SortKey;
}): Page<T> {
  const items = input.rows.slice(0, input.limit);
  const last = items[items.length - 1];
  const more = input.rows.length > input.limit && last !== undefined;
  return {
    items,
    nextCursor: more ? Buffer.from(JSON.stringify({ list: input.list, key: input.keyOf(last) }), 'utf8').toString('base64url') : null,
  };
}

/**
 * The keyset condition that starts a page strictly after `after` in the order of `columns`
 * (an instant column, then `id`): `<` for newest-first lists, `>` for oldest-first ones. `null` on
 * the first page.
 */
export function keysetCondition(input: {
  readonly after: SortKey | undefined;
  readonly instantColumn: string;
  readonly direction: '<' | '>';
  readonly push: (value: unknown) => string;
}): string | null {
  if (!input.after) return null;
  const [ms, id] = input.after;
  return `(${input.instantColumn}, id) ${input.direction} (${input.push(new Date(ms).toISOString())}::timestamptz, ${input.push(id)}::uuid)`;
}
