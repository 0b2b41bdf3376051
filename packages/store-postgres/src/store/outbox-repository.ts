/**
 * PostgreSQL `OutboxRepository`. Entries get their `sequence` from an identity column.
 *
 * `claim` hands out whole aggregates: the pending entries of aggregates that have no entry in
 * `processing` and none waiting for a retry. Row locks alone cannot keep an aggregate whole — an
 * entry appended after a claimer locked its siblings is not locked, and a concurrent claimer would
 * take it out of order — so claims of one topic take turns on a transaction-scoped advisory lock,
 * and each one sees what the previous one committed. A claim is one short statement: the turns
 * cost little next to the CRM calls that follow (7 requests per second per account).
 */
import { randomUUID } from 'node:crypto';
import { newOutboxEntrySchema, parseOrThrow, type OutboxEntry, type OutboxRepository } from '@sdr/core';
import type { Row } from '../database/database.js';
import { lostLeaseErrorSql, storedErrorParameter, toStoredError } from './stored-errors.js';
import { Parameters, assertCount, instant, isUuid, json, textOrNull, toDate, toDateOrNull, toInteger } from './sql-values.js';
import type { StoreContext } from './store-context.js';

const defaultListLimit = 1000;

/** The outbox repository over `context`. */
export function createOutboxRepository(context: StoreContext): OutboxRepository {
  const table = `${context.schema}.outbox`;

  /** Applies `set` to the entries among `ids` this worker holds; returns how many. */
  const whileHeld = async (
    operation: string,
    input: { readonly ids: readonly string[]; readonly workerId: string },
    set: string,
    values: readonly unknown[],
  ) => {
    const ids = [...new Set(input.ids)].filter(isUuid);
    if (ids.length === 0) return 0;
    const rows = await context.exec.write(
      operation,
      `UPDATE ${table} SET ${set} WHERE id = ANY($1::uuid[]) AND status = 'processing' AND locked_by = $2 RETURNING id`,
      [ids, input.workerId, ...values],
    );
    return rows.length;
  };

  return {
    async append(input) {
      const request = parseOrThrow(newOutboxEntrySchema, input, 'outboxEntry');
      const now = context.clock.now();
      const [row] = await context.exec.write(
        'outbox.append',
        `INSERT INTO ${table} (id, tenant_id, topic, aggregate_type, aggregate_id, type, payload, status, attempts, available_at, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, 'pending', 0, $8::timestamptz, $9::timestamptz) RETURNING *`,
        [
          request.id ?? randomUUID(),
          request.tenantId,
          request.topic,
          request.aggregateType,
          request.aggregateId,
          request.type,
          json(request.payload),
          instant(request.availableAt ?? now),
          instant(now),
        ],
      );
      return toOutboxEntry(row ?? {});
    },

    async claim(input) {
      assertCount('maxAggregates', input.maxAggregates);
      assertCount('leaseMs', input.leaseMs);
      if (input.maxAggregates === 0) return [];
      const now = input.now.getTime();
      const rows = await context.atomically(async (exec) => {
        await exec.query('outbox.claim', 'SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
          `@sdr/store-postgres:outbox:${context.schemaName}:${input.topic}`,
        ]);
        return exec.write(
          'outbox.claim',
          `WITH open_aggregates AS (
             SELECT tenant_id, aggregate_type, aggregate_id, min(sequence) AS first_sequence
             FROM ${table}
             WHERE topic = $1 AND status IN ('pending', 'processing')
             GROUP BY tenant_id, aggregate_type, aggregate_id
             HAVING bool_and(status = 'pending' AND available_at <= $2::timestamptz)
             ORDER BY first_sequence
             LIMIT $3
           )
           UPDATE ${table} AS entry
           SET status = 'processing', locked_by = $4, locked_at = $2::timestamptz, lease_expires_at = $5::timestamptz
           FROM open_aggregates AS aggregate
           WHERE entry.topic = $1 AND entry.status = 'pending' AND entry.tenant_id = aggregate.tenant_id
             AND entry.aggregate_type = aggregate.aggregate_type AND entry.aggregate_id = aggregate.aggregate_id
           RETURNING entry.*`,
          [input.topic, new Date(now).toISOString(), input.maxAggregates, input.workerId, new Date(now + input.leaseMs).toISOString()],
        );
      });
      return rows.map(toOutboxEntry).sort((a, b) => a.sequence - b.sequence);
    },

    complete: (input) =>
      whileHeld('outbox.complete', input, `status = 'done', lease_expires_at = NULL, processed_at = $3::timestamptz`, [instant(input.now)]),

    fail: (input) => {
      const stored = storedErrorParameter(input.error);
      if (input.retryAt === null) {
        return whileHeld(
          'outbox.fail',
          input,
          `status = 'dead', attempts = attempts + 1, last_error = $4::jsonb, lease_expires_at = NULL, processed_at = $3::timestamptz`,
          [instant(input.now), stored],
        );
      }
      return whileHeld(
        'outbox.fail',
        input,
        `status = 'pending', attempts = attempts + 1, last_error = $4::jsonb, available_at = $3::timestamptz,
         locked_by = NULL, locked_at = NULL, lease_expires_at = NULL`,
        [instant(input.retryAt), stored],
      );
    },

    // The lost attempt counts, as for scheduled messages.
    async recoverStuck(input) {
      const rows = await context.exec.write(
        'outbox.recoverStuck',
        `UPDATE ${table}
         SET status = 'pending', attempts = attempts + 1,
             last_error = ${lostLeaseErrorSql('processing')},
             locked_by = NULL, locked_at = NULL, lease_expires_at = NULL
         WHERE status = 'processing' AND lease_expires_at <= $1::timestamptz
         RETURNING id`,
        [instant(input.now), instant(input.now)],
      );
      return rows.length;
    },

    async list(filter) {
      const limit = filter.limit ?? defaultListLimit;
      assertCount('limit', limit);
      if (!isUuid(filter.tenantId) || (filter.aggregateId !== undefined && !isUuid(filter.aggregateId)) || limit === 0) return [];
      const params = new Parameters();
      const conditions = [`tenant_id = ${params.push(filter.tenantId)}`];
      if (filter.topic !== undefined) conditions.push(`topic = ${params.push(filter.topic)}`);
      if (filter.aggregateId !== undefined) conditions.push(`aggregate_id = ${params.push(filter.aggregateId)}`);
      if (filter.statuses !== undefined) conditions.push(`status = ANY(${params.push([...filter.statuses])}::text[])`);
      const rows = await context.exec.query(
        'outbox.list',
        `SELECT * FROM ${table} WHERE ${conditions.join(' AND ')} ORDER BY sequence LIMIT ${params.push(limit)}`,
        params.values,
      );
      return rows.map(toOutboxEntry);
    },

    async stats(input) {
      if (input.tenantId !== undefined && !isUuid(input.tenantId)) return { pending: 0, dead: 0, oldestPendingAt: null };
      const [row] = await context.exec.query(
        'outbox.stats',
        `SELECT count(*) FILTER (WHERE status = 'pending')::int AS pending,
                count(*) FILTER (WHERE status = 'dead')::int AS dead,
                min(created_at) FILTER (WHERE status = 'pending') AS oldest_pending_at
         FROM ${table} WHERE topic = $1 AND ($2::uuid IS NULL OR tenant_id = $2::uuid)`,
        [input.topic, input.tenantId ?? null],
      );
      return {
        pending: Number(row?.['pending'] ?? 0),
        dead: Number(row?.['dead'] ?? 0),
        oldestPendingAt: toDateOrNull(row?.['oldest_pending_at']),
      };
    },
  };
}

function toOutboxEntry(row: Row): OutboxEntry {
  return {
    id: String(row['id']),
    tenantId: String(row['tenant_id']),
    topic: row['topic'] as OutboxEntry['topic'],
    aggregateType: String(row['aggregate_type']),
    aggregateId: String(row['aggregate_id']),
    type: String(row['type']),
    payload: row['payload'] as OutboxEntry['payload'],
    status: row['status'] as OutboxEntry['status'],
    sequence: toInteger(row['sequence']),
    attempts: toInteger(row['attempts']),
    availableAt: toDate(row['available_at']),
    lockedBy: textOrNull(row['locked_by']),
    lockedAt: toDateOrNull(row['locked_at']),
    leaseExpiresAt: toDateOrNull(row['lease_expires_at']),
    lastError: toStoredError(row['last_error']),
    createdAt: toDate(row['created_at']),
    processedAt: toDateOrNull(row['processed_at']),
  };
}
