/**
 * PostgreSQL `SyncStateRepository`, one row per (tenant, lead): inserted at version 0 when none
 * exists, otherwise updated only when the caller's version is the stored one — one upsert.
 */
import { VersionConflictError, parseOrThrow, syncStateSchema, type SyncState, type SyncStateRepository } from '@sdr/core';
import type { Row } from '../database/database.js';
import { instant, isUuid, json, textOrNull, toDate, toInteger } from './sql-values.js';
import type { StoreContext } from './store-context.js';

/** The sync-state repository over `context`. */
export function createSyncStateRepository(context: StoreContext): SyncStateRepository {
  const table = `${context.schema}.sync_states`;
  return {
    async get(tenantId, leadId) {
      if (!isUuid(tenantId) || !isUuid(leadId)) return null;
      const [row] = await context.exec.query('syncStates.get', `SELECT * FROM ${table} WHERE tenant_id = $1 AND lead_id = $2`, [
        tenantId,
        leadId,
      ]);
      return row ? toSyncState(row) : null;
    },

    async save(state) {
      const parsed = parseOrThrow(syncStateSchema, state, 'syncState');
      const [row] = await context.exec.write(
        'syncStates.save',
        `INSERT INTO ${table} AS stored (tenant_id, lead_id, crm_lead_id, state, synced_at, version)
         VALUES ($1, $2, $3, $4::jsonb, $5::timestamptz, 0)
         ON CONFLICT (tenant_id, lead_id) DO UPDATE
           SET crm_lead_id = excluded.crm_lead_id, state = excluded.state, synced_at = excluded.synced_at, version = stored.version + 1
           WHERE stored.version = $6
         RETURNING *`,
        [parsed.tenantId, parsed.leadId, parsed.crmLeadId, json(parsed.state), instant(parsed.syncedAt), parsed.version],
      );
      if (!row) throw new VersionConflictError('sync state', parsed.leadId, parsed.version);
      return toSyncState(row);
    },
  };
}

function toSyncState(row: Row): SyncState {
  return {
    tenantId: String(row['tenant_id']),
    leadId: String(row['lead_id']),
    crmLeadId: textOrNull(row['crm_lead_id']),
    state: row['state'] as SyncState['state'],
    syncedAt: toDate(row['synced_at']),
    version: toInteger(row['version']),
  };
}
