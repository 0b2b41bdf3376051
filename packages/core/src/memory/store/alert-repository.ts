/**
 * In-memory `AlertRepository`: at most one **open** alert per (tenant, kind, key). Raising it
 * again refreshes the open one (severity, message, details, `lastSeenAt`) instead of opening
 * another; after it is resolved, raising opens a new one.
 */
import { alertSchema, type Alert } from '../../domain/model/outbox.js';
import { parseOrThrow } from '../../domain/model/parse.js';
import type { AlertRepository } from '../../ports/repositories/repositories.js';
import { cloneValue } from '../../internal/clone.js';
import { randomId } from '../../internal/random-id.js';
import type { StoreRuntime } from './store-runtime.js';
import type { TableOverlay } from './tables.js';

/** The alert repository over `runtime`. */
export function createAlertRepository(runtime: StoreRuntime): AlertRepository {
  return {
    raise: (input) =>
      runtime.write('alerts.raise', (unit) => {
        const table = unit.table('alerts');
        const open = findOpen(table, input.tenantId, input.kind, input.key);
        const { now, ...fields } = input;
        const row = parseOrThrow(
          alertSchema,
          open === undefined
            ? { ...fields, id: randomId(), raisedAt: now, lastSeenAt: now, resolvedAt: null }
            : { ...open, severity: fields.severity, message: fields.message, details: fields.details, lastSeenAt: now },
          'alert',
        );
        table.set(row.id, row);
        return { alert: cloneValue(row), opened: open === undefined };
      }),

    resolve: (input) =>
      runtime.write('alerts.resolve', (unit) => {
        const table = unit.table('alerts');
        const open = findOpen(table, input.tenantId, input.kind, input.key);
        if (open === undefined) return null;
        const resolved = { ...open, resolvedAt: new Date(input.now.getTime()) };
        table.set(resolved.id, resolved);
        return cloneValue(resolved);
      }),

    listOpen: (input) =>
      runtime.read('alerts.listOpen', (unit) =>
        unit
          .table('alerts')
          .values()
          .filter(
            (alert) =>
              alert.resolvedAt === null && (alert.tenantId === input.tenantId || (input.includeGlobal === true && alert.tenantId === null)),
          )
          // Newest first; `reverse` first so that alerts raised at the same instant list the latest one first.
          .reverse()
          .sort((a, b) => b.raisedAt.getTime() - a.raisedAt.getTime())
          .map(cloneValue),
      ),
  };
}

function findOpen(table: TableOverlay<Alert>, tenantId: string | null, kind: string, key: string): Alert | undefined {
  return table
    .values()
    .find((alert) => alert.resolvedAt === null && alert.tenantId === tenantId && alert.kind === kind && alert.key === key);
}
