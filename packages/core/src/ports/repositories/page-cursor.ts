/**
 * The paging every store implements (`Page`, `PageRequest`): keyset pages with opaque cursors. A
 * cursor is base64url JSON naming the list it belongs to and the sort key of the last item
 * returned; the next page starts strictly after that key, so rows inserted meanwhile neither
 * repeat nor shift the pages. One codec for every store, so that their cursors agree.
 */
import { Buffer } from 'node:buffer';
import { z } from 'zod';
import { ValidationError } from '../../errors/index.js';
import { storableEpochMsSchema } from '../../domain/model/common.js';
import type { PageRequest } from './repositories.js';

/** A sort key: an instant in epoch milliseconds, then the id as a tie-breaker. */
export type PageSortKey = readonly [number, string];

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
export function encodePageCursor(list: string, key: PageSortKey): string {
  return Buffer.from(JSON.stringify({ list, key }), 'utf8').toString('base64url');
}

/**
 * The sort key inside `cursor`; `ValidationError` (field `cursor`) when it is not one this list
 * issued — malformed, of another list, or holding an instant outside what a store can hold.
 */
export function decodePageCursor(list: string, cursor: string): PageSortKey {
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
