/**
 * In-memory `SyncStateRepository`, one row per (tenant, lead). `save` inserts when no row
 * exists — stored with version 0 whatever the caller passed — and otherwise updates optimistically:
 * the caller's `version` must be the stored one, and the row is stored with version + 1.
 */
import { VersionConflictError } from '../../errors/index.js';
import { syncStateSchema } from '../../domain/model/outbox.js';
import { parseOrThrow } from '../../domain/model/parse.js';
import type { SyncStateRepository } from '../../ports/repositories/repositories.js';
import { cloneOrNull, cloneValue } from '../../internal/clone.js';
import type { StoreRuntime } from './store-runtime.js';

/** The sync-state repository over `runtime`. */
export function createSyncStateRepository(runtime: StoreRuntime): SyncStateRepository {
  return {
    get: (tenantId, leadId) =>
      runtime.read('syncStates.get', (unit) => cloneOrNull(unit.table('syncStates').get(syncStateKey(tenantId, leadId)))),

    save: (state) =>
      runtime.write('syncStates.save', (unit) => {
        const row = parseOrThrow(syncStateSchema, state, 'syncState');
        const table = unit.table('syncStates');
        const key = syncStateKey(row.tenantId, row.leadId);
        const stored = table.get(key);
        if (stored !== undefined && stored.version !== row.version) {
          throw new VersionConflictError('sync state', row.leadId, row.version);
        }
        const next = { ...row, version: stored === undefined ? 0 : stored.version + 1 };
        table.set(key, next);
        return cloneValue(next);
      }),
  };
}

/** Sync states are keyed by tenant and lead (the lead id alone would do; the tenant keeps rows apart). */
function syncStateKey(tenantId: string, leadId: string): string {
  return `${tenantId}:${leadId}`;
}
