/**
 * PostgreSQL `AlertRepository`: at most one **open** alert per (tenant, kind, key) — a unique
 * partial index — so raising is one upsert that either opens an alert or refreshes the open one.
 */
import { randomUUID } from 'node:crypto';
import { alertSchema, parseOrThrow, type Alert, type AlertRepository } from '@sdr/core';
import type { Row } from '../database/database.js';
import { instant, isUuid, json, textOrNull, toDate, toDateOrNull } from './sql-values.js';
import type { StoreContext } from './store-context.js';

const globalTenant = `'00000000-0000-0000-0000-000000000000'::uuid`;

/** The alert repository over `context`. */
export function createAlertRepository(context: StoreContext): AlertRepository {
  const table = `${context.schema}.alerts`;
  return {
    async raise(input) {
      const { now, ...fields } = input;
      const alert = parseOrThrow(alertSchema, { ...fields, id: randomUUID(), raisedAt: now, lastSeenAt: now, resolvedAt: null }, 'alert');
      // `xmax = 0` only on a freshly inserted row version: tells "opened" from "refreshed".
      const [row] = await context.exec.write(
        'alerts.raise',
        `INSERT INTO ${table} AS stored (id, tenant_id, kind, key, severity, message, details, raised_at, last_seen_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8::timestamptz, $8::timestamptz)
         ON CONFLICT (COALESCE(tenant_id, ${globalTenant}), kind, key) WHERE resolved_at IS NULL DO UPDATE
           SET severity = excluded.severity, message = excluded.message, details = excluded.details, last_seen_at = excluded.last_seen_at
         RETURNING *, (xmax = 0) AS opened`,
        [alert.id, alert.tenantId, alert.kind, alert.key, alert.severity, alert.message, json(alert.details), instant(now)],
      );
      return { alert: toAlert(row ?? {}), opened: row?.['opened'] === true };
    },

    async resolve(input) {
      if (input.tenantId !== null && !isUuid(input.tenantId)) return null;
      const [row] = await context.exec.write(
        'alerts.resolve',
        `UPDATE ${table} SET resolved_at = $4::timestamptz
         WHERE tenant_id IS NOT DISTINCT FROM $1::uuid AND kind = $2 AND key = $3 AND resolved_at IS NULL RETURNING *`,
        [input.tenantId, input.kind, input.key, instant(input.now)],
      );
      return row ? toAlert(row) : null;
    },

    async listOpen(input) {
      if (input.tenantId !== null && !isUuid(input.tenantId)) return [];
      const rows = await context.exec.query(
        'alerts.listOpen',
        `SELECT * FROM ${table}
         WHERE resolved_at IS NULL AND (tenant_id IS NOT DISTINCT FROM $1::uuid OR ($2 AND tenant_id IS NULL))
         ORDER BY raised_at DESC, last_seen_at DESC`,
        [input.tenantId, input.includeGlobal === true],
      );
      return rows.map(toAlert);
    },
  };
}

function toAlert(row: Row): Alert {
  return {
    id: String(row['id']),
    tenantId: textOrNull(row['tenant_id']),
    kind: String(row['kind']),
    key: String(row['key']),
    severity: row['severity'] as Alert['severity'],
    message: String(row['message']),
    details: row['details'] as Alert['details'],
    raisedAt: toDate(row['raised_at']),
    lastSeenAt: toDate(row['last_seen_at']),
    resolvedAt: toDateOrNull(row['resolved_at']),
  };
}
