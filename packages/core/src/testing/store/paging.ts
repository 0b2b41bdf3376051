/**
 * Keyset paging with opaque cursors. A cursor is base64url JSON naming the list it belongs to
 * and the sort key of the last item returned; the next page starts strictly after that key, so
 * rows inserted meanwhile neither repeat nor shift the pages.
 */
import { Buffer } from 'node:buffer';
import { z } from 'zod';
import { ValidationError } from '../../errors/index.js';
import { storableEpochMsSchema } from '../../domain/model/common.js';
import type { Page, PageRequest } from '../../ports/repositories/repositories.js';

/** A sort key: an instant in epoch milliseconds, then the id as a tie-breaker. */
export type SortKey = readonly [number, string];

const cursorSchema = z.object({ list: z.string(), key: z.tuple([storableEpochMsSchema, z.string()]) });

/** Page size when the request gives none. */
export const defaultPageSize = 50;
/** Largest page a request may ask for. */
export const maxPageSize = 500;

/** The page size a request asks for; `ValidationError` (field `limit`) outside 1–500. */
export function pageLimit(page: PageRequest | undefined): number {
  const limit = page?.limit ?? defaultPageSize;
  if (!Number.isInteger(limit) || limit < 1 || limit > maxPageSize) {
    throw ValidationError.forField('limit', `must be a whole number from 1 to ${maxPageSize}`);
  }
  return limit;
}

/** The opaque cursor of `list` pointing after `key`. */
export function encodeCursor(list: string, key: SortKey): string {
  return Buffer.from(JSON.stringify({ list, key }), 'utf8').toString('base64url');
}

/** The sort key inside `cursor`; `ValidationError` (field `cursor`) when it is not one this list issued. */
export function decodeCursor(list: string, cursor: string): SortKey {
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

function compareKeys(a: SortKey, b: SortKey): number {
  if (a[0] !== b[0]) return a[0] < b[0] ? -1 : 1;
  if (a[1] === b[1]) return 0;
  return a[1] < b[1] ? -1 : 1;
}

/**
 * One page of `rows`, ordered by `keyOf` ascending or descending, starting after the cursor of
 * `page`. `list` names the list, so that a cursor of another list is rejected.
 */
export function paginate<Row>(input: {
  readonly list: string;
  readonly rows: readonly Row[];
  readonly keyOf: (row: Row) => SortKey;
  readonly direction: 'asc' | 'desc';
  readonly page: PageRequest | undefined;
}): Page<Row> {
  const limit = pageLimit(input.page);
  const sign = input.direction === 'asc' ? 1 : -1;
  const after = input.page?.cursor ? decodeCursor(input.list, input.page.cursor) : undefined;
  const sorted = [...input.rows].sort((a, b) => sign * compareKeys(input.keyOf(a), input.keyOf(b)));
  const remaining = after === undefined ? sorted : sorted.filter((row) => sign * compareKeys(input.keyOf(row), after) > 0);
  const items = remaining.slice(0, limit);
  const last = items[items.length - 1];
  const nextCursor = remaining.length > limit && last !== undefined ? encodeCursor(input.list, input.keyOf(last)) : null;
  return { items, nextCursor };
}
