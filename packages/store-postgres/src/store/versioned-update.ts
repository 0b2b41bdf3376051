/**
 * Optimistic updates: a row is replaced only when its stored `version` is the one the caller
 * read, and stored with `version + 1`. When no row was updated, one more look tells a stale
 * version (`VersionConflictError`) from a row that is gone or another tenant's (`NotFoundError`).
 */
import { NotFoundError, VersionConflictError } from '@sdr/core';
import type { Row } from '../database/database.js';
import type { StoreContext } from './store-context.js';

/** Runs `sql` (an `UPDATE … WHERE … AND version = … RETURNING *`) and returns the updated row. */
export async function updateVersioned(
  context: StoreContext,
  input: {
    readonly operation: string;
    readonly sql: string;
    readonly params: readonly unknown[];
    /** The table, for the follow-up look. */
    readonly table: string;
    readonly resource: string;
    readonly tenantId: string | null;
    readonly id: string;
    readonly expectedVersion: number;
  },
): Promise<Row> {
  const [updated] = await context.exec.write(input.operation, input.sql, input.params);
  if (updated) return updated;
  const tenantCondition = input.tenantId === null ? '' : ' AND tenant_id = $2';
  const exists = await context.exec.query(
    input.operation,
    `SELECT 1 FROM ${context.schema}.${input.table} WHERE id = $1${tenantCondition}`,
    input.tenantId === null ? [input.id] : [input.id, input.tenantId],
  );
  if (exists.length === 0) throw new NotFoundError(input.resource, input.id);
  throw new VersionConflictError(input.resource, input.id, input.expectedVersion);
}
