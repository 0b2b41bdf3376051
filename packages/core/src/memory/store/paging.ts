/**
 * Keyset paging with opaque cursors. A cursor is base64url JSON naming the list it belongs to
 * and the sort key of the last item returned; the next page starts strictly after that key, so
 * rows inserted meanwhile neither repeat nor shift the pages.
 */
import { decodePageCursor, encodePageCursor, pageLimit, type PageSortKey } from '../../ports/repositories/page-cursor.js';
import type { Page, PageRequest } from '../../ports/repositories/repositories.js';

/** A sort key: an instant in epoch milliseconds, then the id as a tie-breaker. */
export type SortKey = PageSortKey;

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
  const after = input.page?.cursor ? decodePageCursor(input.list, input.page.cursor) : undefined;
  const sorted = [...input.rows].sort((a, b) => sign * compareKeys(input.keyOf(a), input.keyOf(b)));
  const remaining = after === undefined ? sorted : sorted.filter((row) => sign * compareKeys(input.keyOf(row), after) > 0);
  const items = remaining.slice(0, limit);
  const last = items[items.length - 1];
  const nextCursor = remaining.length > limit && last !== undefined ? encodePageCursor(input.list, input.keyOf(last)) : null;
  return { items, nextCursor };
}
