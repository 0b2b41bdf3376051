/**
 * Failures as the scheduled-messages and outbox tables store them (`jsonb`, the instant as ISO
 * text): reading them back, validating one for storage, and the error a lost lease records.
 */
import { parseOrThrow, storedErrorSchema, type StoredError } from '@sdr/core';
import { instant, json, toDate } from './sql-values.js';

/** A stored error as it sits in a `jsonb` column. */
export function toStoredError(value: unknown): StoredError | null {
  if (value === null || value === undefined) return null;
  const stored = value as Omit<StoredError, 'at'> & { readonly at: string };
  return { code: stored.code, message: stored.message, transient: stored.transient, at: toDate(stored.at) };
}

/** The caller's error, validated (`ValidationError` naming `error`), as a `jsonb` parameter. */
export function storedErrorParameter(error: StoredError): string {
  const parsed = parseOrThrow(storedErrorSchema, error, 'error');
  return json({ ...parsed, at: instant(parsed.at) });
}

/**
 * The SQL expression of the error stuck recovery records: the worker whose lease expired while
 * `activity` (`sending`, `processing`). `$2` is the recovery's instant as text.
 */
export function lostLeaseErrorSql(activity: string): string {
  return `jsonb_build_object(
    'code', 'lease_expired',
    'message', 'the lease of worker ' || COALESCE(locked_by, 'unknown') || ' expired while ${activity}',
    'transient', true,
    'at', $2::text)`;
}
