/**
 * Row rules shared by the repositories: tenant-scoped lookups, primary-key uniqueness and the
 * optimistic `version` check of every `update`.
 */
import { DuplicateError, NotFoundError, VersionConflictError } from '../../errors/index.js';
import type { TableOverlay } from './tables.js';

interface TenantRow {
  readonly id: string;
  readonly tenantId: string;
}

interface VersionedRow extends TenantRow {
  readonly version: number;
  readonly createdAt: Date;
}

/** The row with `id` when it belongs to `tenantId`; another tenant's row is "not found". */
export function findScoped<Row extends TenantRow>(table: TableOverlay<Row>, tenantId: string, id: string): Row | undefined {
  const row = table.get(id);
  return row !== undefined && row.tenantId === tenantId ? row : undefined;
}

/** Every row of `tenantId`, in insertion order. */
export function rowsOf<Row extends { readonly tenantId: string | null }>(table: TableOverlay<Row>, tenantId: string | null): Row[] {
  return table.values().filter((row) => row.tenantId === tenantId);
}

/** `DuplicateError` when `id` is taken (by any tenant: ids are primary keys). */
export function assertNewId(table: TableOverlay<{ readonly id: string }>, id: string, resource: string): void {
  if (table.has(id)) throw new DuplicateError(resource, id);
}

/**
 * The stored row an optimistic update replaces: `NotFoundError` when it is gone (or another
 * tenant's), `VersionConflictError` when its version is not the one the caller read.
 */
export function requireCurrentVersion<Row extends VersionedRow>(table: TableOverlay<Row>, row: VersionedRow, resource: string): Row {
  const stored = findScoped(table, row.tenantId, row.id);
  if (stored === undefined) throw new NotFoundError(resource, row.id);
  if (stored.version !== row.version) throw new VersionConflictError(resource, row.id, row.version);
  return stored;
}

/**
 * The row an optimistic update stores: the caller's values with the next version. The id,
 * tenant and creation time are the stored ones — they never change.
 */
export function nextVersionOf<Row extends VersionedRow>(stored: Row, row: Row): Row {
  return { ...row, id: stored.id, tenantId: stored.tenantId, createdAt: stored.createdAt, version: stored.version + 1 };
}
