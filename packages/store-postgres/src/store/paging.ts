/**
 * Keyset paging with opaque cursors, as the in-memory store pages: a cursor is base64url JSON
 * naming its list and the sort key (an instant in epoch ms, then the id) of the last item
 * returned, so rows inserted meanwhile neither repeat nor shift the pages.
 */
import { decodePageCursor, encodePageCursor, pageLimit, type Page, type PageRequest, type PageSortKey } from '@sdr/core';

/** A sort key: an instant in epoch milliseconds, then the id as a tie-breaker. */
export type SortKey = PageSortKey;

export { pageLimit };

/** The sort key after which the page starts, or `undefined` for the first page. */
export function pageStart(list: string, page: PageRequest | undefined): SortKey | undefined {
  const cursor = page?.cursor;
  return cursor ? decodePageCursor(list, cursor) : undefined;
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
    nextCursor: more ? encodePageCursor(input.list, input.keyOf(last)) : null,
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
