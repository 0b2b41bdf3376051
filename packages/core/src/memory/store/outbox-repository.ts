/**
 * In-memory `OutboxRepository`. Entries get a store-assigned, strictly increasing `sequence`
 * and are handed out per aggregate, in order (see `claim`).
 */
import { DuplicateError, ValidationError } from '../../errors/index.js';
import { newOutboxEntrySchema, outboxEntrySchema, type OutboxEntry, type OutboxTopic } from '../../domain/model/outbox.js';
import { parseOrThrow } from '../../domain/model/parse.js';
import { storedErrorSchema } from '../../domain/model/scheduled-message.js';
import type { OutboxRepository } from '../../ports/repositories/repositories.js';
import { cloneValue } from '../../internal/clone.js';
import { randomId } from '../../internal/random-id.js';
import type { StoreRuntime } from './store-runtime.js';
import type { TableOverlay } from './tables.js';

/** Entries `list` returns when the caller gives no `limit`. */
const defaultOutboxListLimit = 1000;

/** The outbox repository over `runtime`. */
export function createOutboxRepository(runtime: StoreRuntime): OutboxRepository {
  /** Applies `change` to each of `ids` this worker holds (`processing`, locked by it); returns how many. */
  const whileHeld = (
    operation: string,
    input: { readonly ids: readonly string[]; readonly workerId: string },
    prepare: () => (entry: OutboxEntry) => OutboxEntry,
  ): Promise<number> =>
    runtime.write(operation, (unit) => {
      const change = prepare();
      const table = unit.table('outbox');
      let changed = 0;
      for (const id of new Set(input.ids)) {
        const entry = table.get(id);
        if (entry === undefined || entry.status !== 'processing' || entry.lockedBy !== input.workerId) continue;
        table.set(id, change(entry));
        changed += 1;
      }
      return changed;
    });

  return {
    append: (input) =>
      runtime.write('outbox.append', (unit) => {
        const request = parseOrThrow(newOutboxEntrySchema, input, 'outboxEntry');
        const table = unit.table('outbox');
        const now = runtime.clock.now();
        const entry = parseOrThrow(
          outboxEntrySchema,
          {
            ...request,
            id: request.id ?? randomId(),
            status: 'pending',
            sequence: runtime.nextSequence(),
            attempts: 0,
            availableAt: request.availableAt ?? now,
            lockedBy: null,
            lockedAt: null,
            leaseExpiresAt: null,
            lastError: null,
            createdAt: now,
            processedAt: null,
          },
          'outboxEntry',
        );
        if (table.has(entry.id)) throw new DuplicateError('outbox entry', entry.id);
        table.set(entry.id, entry);
        return cloneValue(entry);
      }),

    claim: (input) =>
      runtime.write('outbox.claim', (unit) => {
        assertCount('maxAggregates', input.maxAggregates);
        assertCount('leaseMs', input.leaseMs);
        const table = unit.table('outbox');
        const now = input.now.getTime();
        const claimed = claimableAggregates(table, input.topic, now)
          .slice(0, input.maxAggregates)
          .flat()
          .sort((a, b) => a.sequence - b.sequence)
          .map((entry) => ({
            ...entry,
            status: 'processing' as const,
            lockedBy: input.workerId,
            lockedAt: new Date(now),
            leaseExpiresAt: new Date(now + input.leaseMs),
          }));
        for (const entry of claimed) table.set(entry.id, entry);
        return claimed.map(cloneValue);
      }),

    complete: (input) =>
      whileHeld('outbox.complete', input, () => (entry) => ({
        ...entry,
        status: 'done',
        leaseExpiresAt: null,
        processedAt: new Date(input.now.getTime()),
      })),

    fail: (input) =>
      whileHeld('outbox.fail', input, () => {
        const error = parseOrThrow(storedErrorSchema, input.error, 'error');
        return (entry) => {
          const attempted = { ...entry, attempts: entry.attempts + 1, lastError: error };
          return input.retryAt === null
            ? { ...attempted, status: 'dead', leaseExpiresAt: null, processedAt: new Date(input.now.getTime()) }
            : { ...released(attempted), availableAt: new Date(input.retryAt.getTime()) };
        };
      }),

    // The lost attempt counts, as for scheduled messages: an entry that crashes every worker
    // that takes it must eventually stop being retried.
    recoverStuck: (input) =>
      runtime.write('outbox.recoverStuck', (unit) => {
        const table = unit.table('outbox');
        const now = input.now.getTime();
        let recovered = 0;
        for (const entry of table.values()) {
          if (entry.status !== 'processing' || entry.leaseExpiresAt === null || entry.leaseExpiresAt.getTime() > now) continue;
          table.set(entry.id, {
            ...released(entry),
            attempts: entry.attempts + 1,
            lastError: {
              code: 'lease_expired',
              message: `the lease of worker ${entry.lockedBy ?? 'unknown'} expired while processing`,
              transient: true,
              at: new Date(now),
            },
          });
          recovered += 1;
        }
        return recovered;
      }),

    list: (filter) =>
      runtime.read('outbox.list', (unit) => {
        const limit = filter.limit ?? defaultOutboxListLimit;
        assertCount('limit', limit);
        return unit
          .table('outbox')
          .values()
          .filter(
            (entry) =>
              entry.tenantId === filter.tenantId &&
              (filter.topic === undefined || entry.topic === filter.topic) &&
              (filter.aggregateId === undefined || entry.aggregateId === filter.aggregateId) &&
              (filter.statuses === undefined || filter.statuses.includes(entry.status)),
          )
          .sort((a, b) => a.sequence - b.sequence)
          .slice(0, limit)
          .map(cloneValue);
      }),

    stats: (input) =>
      runtime.read('outbox.stats', (unit) => {
        const entries = unit
          .table('outbox')
          .values()
          .filter((entry) => entry.topic === input.topic && (input.tenantId === undefined || entry.tenantId === input.tenantId));
        const pending = entries.filter((entry) => entry.status === 'pending');
        return {
          pending: pending.length,
          dead: entries.filter((entry) => entry.status === 'dead').length,
          oldestPendingAt: pending.length === 0 ? null : new Date(Math.min(...pending.map((entry) => entry.createdAt.getTime()))),
        };
      }),
  };
}

/**
 * The pending entries of every aggregate of `topic` that may be handed out now, oldest
 * aggregate (lowest pending `sequence`) first. An aggregate is held back while any of its
 * entries is `processing` — under a live lease, and also under an expired one until
 * `recoverStuck` returns it to `pending`, because handing out its successors first would break
 * the per-aggregate order — or while one of its pending entries is not yet available.
 */
function claimableAggregates(table: TableOverlay<OutboxEntry>, topic: OutboxTopic, now: number): OutboxEntry[][] {
  const aggregates = new Map<string, OutboxEntry[]>();
  for (const entry of table.values()) {
    if (entry.topic !== topic || entry.status === 'done' || entry.status === 'dead') continue;
    const key = `${entry.tenantId}\u0000${entry.aggregateType}\u0000${entry.aggregateId}`;
    const group = aggregates.get(key);
    if (group) group.push(entry);
    else aggregates.set(key, [entry]);
  }
  const claimable: OutboxEntry[][] = [];
  for (const entries of aggregates.values()) {
    const blocked = entries.some((entry) => entry.status === 'processing' || entry.availableAt.getTime() > now);
    if (!blocked) claimable.push(entries.sort((a, b) => a.sequence - b.sequence));
  }
  return claimable.sort((a, b) => (a[0]?.sequence ?? 0) - (b[0]?.sequence ?? 0));
}

function released(entry: OutboxEntry): OutboxEntry {
  return { ...entry, status: 'pending', lockedBy: null, lockedAt: null, leaseExpiresAt: null };
}

function assertCount(field: string, value: number): void {
  if (!Number.isInteger(value) || value < 0) throw ValidationError.forField(field, 'must be a whole number, 0 or more');
}
