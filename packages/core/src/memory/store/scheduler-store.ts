/**
 * In-memory `SchedulerStore`, following `scheduler-store.ts` to the letter: dedupe on
 * (tenant, dedupeKey) across every status, claims of due `pending` rows oldest `dueAt` first,
 * ownership checks on everything a worker does to a claimed row, stuck recovery.
 *
 * Each call runs atomically (one synchronous step under the store's write path), so concurrent
 * claimers never receive the same row — the in-memory counterpart of `FOR UPDATE SKIP LOCKED`.
 */
import { DuplicateError, ValidationError } from '../../errors/index.js';
import { parseOrThrow } from '../../domain/model/parse.js';
import {
  newScheduledMessageSchema,
  scheduledMessageSchema,
  skipReasonSchema,
  storedErrorSchema,
  type ScheduledMessage,
} from '../../domain/model/scheduled-message.js';
import type { ScheduledMessageFilter, SchedulerStore } from '../../ports/scheduler/scheduler-store.js';
import { cloneOrNull, cloneValue } from '../../internal/clone.js';
import { randomId } from '../../internal/random-id.js';
import { findScoped, rowsOf } from './rows.js';
import type { StoreRuntime } from './store-runtime.js';
import type { TableOverlay } from './tables.js';

/** Rows `list` returns when the caller gives no `limit`. */
const defaultScheduledListLimit = 1000;

/** The scheduler store over `runtime`. */
export function createSchedulerStore(runtime: StoreRuntime): SchedulerStore {
  /**
   * Applies a change to the row `id` when it is `sending` and held by `workerId`. `prepare`
   * validates the caller's input first (so that bad input fails even for a row not held) and
   * returns the change.
   */
  const whileHeld = (
    operation: string,
    input: { readonly id: string; readonly workerId: string },
    prepare: () => (row: ScheduledMessage) => ScheduledMessage,
  ): Promise<boolean> =>
    runtime.write(operation, (unit) => {
      const change = prepare();
      const table = unit.table('scheduledMessages');
      const row = table.get(input.id);
      if (row === undefined || !isHeldBy(row, input.workerId)) return false;
      table.set(row.id, change(row));
      return true;
    });

  return {
    contractVersion: 'v1',

    schedule: (input) =>
      runtime.write('scheduledMessages.schedule', (unit) => {
        const request = parseOrThrow(newScheduledMessageSchema, input, 'scheduledMessage');
        const table = unit.table('scheduledMessages');
        const existing = rowsOf(table, request.tenantId).find((row) => row.dedupeKey === request.dedupeKey);
        if (existing !== undefined) return { message: cloneValue(existing), created: false };
        const now = runtime.clock.now();
        const row = parseOrThrow(
          scheduledMessageSchema,
          {
            ...request,
            id: request.id ?? randomId(),
            status: 'pending',
            attempts: 0,
            lastError: null,
            lockedBy: null,
            lockedAt: null,
            leaseExpiresAt: null,
            sentAt: null,
            providerMessageId: null,
            skipReason: null,
            cancelReason: null,
            createdAt: now,
            updatedAt: now,
          },
          'scheduledMessage',
        );
        if (table.has(row.id)) throw new DuplicateError('scheduled message', row.id);
        table.set(row.id, row);
        return { message: cloneValue(row), created: true };
      }),

    get: (tenantId, id) =>
      runtime.read('scheduledMessages.get', (unit) => cloneOrNull(findScoped(unit.table('scheduledMessages'), tenantId, id))),

    list: (filter) =>
      runtime.read('scheduledMessages.list', (unit) => {
        const limit = filter.limit ?? defaultScheduledListLimit;
        assertCount('limit', limit);
        return byDueAt(matching(unit.table('scheduledMessages'), filter))
          .slice(0, limit)
          .map(cloneValue);
      }),

    cancel: (filter, input) =>
      runtime.write('scheduledMessages.cancel', (unit) => {
        const table = unit.table('scheduledMessages');
        const reason = input.reason;
        if (reason.length === 0 || reason.length > 200) throw ValidationError.forField('reason', 'must be 1 to 200 characters');
        const cancelled = byDueAt(matching(table, { ...filter, statuses: ['pending'] })).map((row) => ({
          ...row,
          status: 'cancelled' as const,
          cancelReason: reason,
          updatedAt: new Date(input.now.getTime()),
        }));
        for (const row of cancelled) table.set(row.id, row);
        return cancelled.map(cloneValue);
      }),

    claimDue: (input) =>
      runtime.write('scheduledMessages.claimDue', (unit) => {
        assertCount('limit', input.limit);
        assertCount('leaseMs', input.leaseMs);
        const table = unit.table('scheduledMessages');
        const now = input.now.getTime();
        const kinds = input.kinds === undefined ? undefined : new Set(input.kinds);
        const due = byDueAt(
          table
            .values()
            .filter((row) => row.status === 'pending' && row.dueAt.getTime() <= now && (kinds === undefined || kinds.has(row.kind))),
        );
        const claimed = due.slice(0, input.limit).map((row) => ({
          ...row,
          status: 'sending' as const,
          lockedBy: input.workerId,
          lockedAt: new Date(now),
          leaseExpiresAt: new Date(now + input.leaseMs),
          updatedAt: new Date(now),
        }));
        for (const row of claimed) table.set(row.id, row);
        return claimed.map(cloneValue);
      }),

    heartbeat: (input) =>
      runtime.write('scheduledMessages.heartbeat', (unit) => {
        assertCount('leaseMs', input.leaseMs);
        const table = unit.table('scheduledMessages');
        let extended = 0;
        for (const id of new Set(input.ids)) {
          const row = table.get(id);
          if (row === undefined || !isHeldBy(row, input.workerId)) continue;
          table.set(id, {
            ...row,
            leaseExpiresAt: new Date(input.now.getTime() + input.leaseMs),
            updatedAt: new Date(input.now.getTime()),
          });
          extended += 1;
        }
        return extended;
      }),

    markSent: (input) =>
      whileHeld('scheduledMessages.markSent', input, () => (row) => ({
        ...finished(row, input.now),
        status: 'sent',
        sentAt: new Date(input.now.getTime()),
        providerMessageId: input.providerMessageId,
      })),

    markSkipped: (input) =>
      whileHeld('scheduledMessages.markSkipped', input, () => {
        const reason = parseOrThrow(skipReasonSchema, input.reason, 'reason');
        return (row) => ({ ...finished(row, input.now), status: 'skipped', skipReason: reason });
      }),

    markFailed: (input) =>
      whileHeld('scheduledMessages.markFailed', input, () => {
        const error = parseOrThrow(storedErrorSchema, input.error, 'error');
        return (row) => {
          const attempted = { ...row, attempts: row.attempts + 1, lastError: error };
          return input.retryAt === null
            ? { ...finished(attempted, input.now), status: 'failed' }
            : { ...released(attempted, input.now), dueAt: new Date(input.retryAt.getTime()) };
        };
      }),

    defer: (input) =>
      whileHeld('scheduledMessages.defer', input, () => (row) => ({ ...released(row, input.now), dueAt: new Date(input.dueAt.getTime()) })),

    recoverStuck: (input) =>
      runtime.write('scheduledMessages.recoverStuck', (unit) => {
        const table = unit.table('scheduledMessages');
        const now = input.now.getTime();
        const recovered = byDueAt(table.values().filter((row) => isStuck(row, now))).map((row) => ({
          ...released(row, input.now),
          attempts: row.attempts + 1,
          lastError: {
            code: 'lease_expired',
            message: `the lease of worker ${row.lockedBy ?? 'unknown'} expired while sending`,
            transient: true,
            at: new Date(now),
          },
        }));
        for (const row of recovered) table.set(row.id, row);
        return recovered.map(cloneValue);
      }),

    releaseClaimsOf: (input) =>
      runtime.write('scheduledMessages.releaseClaimsOf', (unit) => {
        const table = unit.table('scheduledMessages');
        const workers = new Set(input.workerIds);
        const held = table.values().filter((row) => row.status === 'sending' && row.lockedBy !== null && workers.has(row.lockedBy));
        const releasedRows = byDueAt(held).map((row) => ({
          ...released(row, input.now),
          attempts: row.attempts + 1,
          lastError: {
            code: 'worker_lost',
            message: `worker ${row.lockedBy ?? 'unknown'} stopped while sending`,
            transient: true,
            at: new Date(input.now.getTime()),
          },
        }));
        for (const row of releasedRows) table.set(row.id, row);
        return releasedRows.map(cloneValue);
      }),

    stats: (input) =>
      runtime.read('scheduledMessages.stats', (unit) => {
        const now = input.now.getTime();
        const rows = unit
          .table('scheduledMessages')
          .values()
          .filter((row) => input.tenantId === undefined || row.tenantId === input.tenantId);
        const pending = rows.filter((row) => row.status === 'pending');
        const duePending = pending.filter((row) => row.dueAt.getTime() <= now);
        const oldestDue = Math.min(...duePending.map((row) => row.dueAt.getTime()));
        return {
          pending: pending.length,
          duePending: duePending.length,
          oldestDueAt: duePending.length === 0 ? null : new Date(oldestDue),
          sending: rows.filter((row) => row.status === 'sending').length,
          stuck: rows.filter((row) => isStuck(row, now)).length,
        };
      }),
  };
}

function isHeldBy(row: ScheduledMessage, workerId: string): boolean {
  return row.status === 'sending' && row.lockedBy === workerId;
}

function isStuck(row: ScheduledMessage, now: number): boolean {
  return row.status === 'sending' && row.leaseExpiresAt !== null && row.leaseExpiresAt.getTime() <= now;
}

/** Leaves `sending` for a final status: the lease ends; `lockedBy`/`lockedAt` stay as the record of who finished it. */
function finished(row: ScheduledMessage, now: Date): ScheduledMessage {
  return { ...row, leaseExpiresAt: null, updatedAt: new Date(now.getTime()) };
}

/** Back to `pending`: no holder any more, so that the row looks like any other waiting row. */
function released(row: ScheduledMessage, now: Date): ScheduledMessage {
  return { ...row, status: 'pending', lockedBy: null, lockedAt: null, leaseExpiresAt: null, updatedAt: new Date(now.getTime()) };
}

/**
 * Rows of the filter's tenant matching **every** given criterion. A criterion given as an empty
 * list matches nothing (like SQL `IN ()`), so that a caller with nothing to cancel cancels nothing.
 */
function matching(table: TableOverlay<ScheduledMessage>, filter: ScheduledMessageFilter): ScheduledMessage[] {
  const within = <T>(values: readonly T[] | undefined, value: T) => values === undefined || values.includes(value);
  const equal = <T>(expected: T | undefined, value: T) => expected === undefined || expected === value;
  return rowsOf(table, filter.tenantId).filter(
    (row) =>
      within(filter.ids, row.id) &&
      within(filter.dedupeKeys, row.dedupeKey) &&
      within(filter.kinds, row.kind) &&
      within(filter.statuses, row.status) &&
      equal(filter.leadId, row.leadId) &&
      equal(filter.contactId, row.contactId) &&
      equal(filter.appointmentId, row.appointmentId) &&
      equal(filter.billingCycleId, row.billingCycleId),
  );
}

/** By `dueAt`, then `createdAt`; rows equal on both keep insertion order (stable sort). */
function byDueAt(rows: ScheduledMessage[]): ScheduledMessage[] {
  return rows.sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime() || a.createdAt.getTime() - b.createdAt.getTime());
}

function assertCount(field: string, value: number): void {
  if (!Number.isInteger(value) || value < 0) throw ValidationError.forField(field, 'must be a whole number, 0 or more');
}
