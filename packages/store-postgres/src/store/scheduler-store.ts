/**
 * PostgreSQL `SchedulerStore` — the claim protocol of SPEC §4.6 in single statements:
 * - `claimDue` selects due `pending` rows oldest first `FOR UPDATE SKIP LOCKED` and marks them
 *   `sending` in the same statement, so concurrent workers never receive one row twice and never
 *   wait for each other; the partial index on pending rows by `due_at` serves it.
 * - every outcome (`markSent`, `markFailed`, `defer`, `heartbeat`, …) is an `UPDATE … WHERE
 *   status = 'sending' AND locked_by = $worker`: a worker whose lease expired and whose row was
 *   recovered (and maybe claimed again) changes nothing.
 * - `schedule` is `INSERT … ON CONFLICT (tenant_id, dedupe_key) DO NOTHING`.
 */
import { randomUUID } from 'node:crypto';
import { SdrError, ValidationError, newScheduledMessageSchema, parseOrThrow, skipReasonSchema, type SchedulerStore } from '@sdr/core';
import { byDueAt, filterCondition, toScheduledMessage } from './scheduled-message-rows.js';
import { Parameters, assertCount, instant, isUuid, json, jsonOrNull } from './sql-values.js';
import type { StoreContext } from './store-context.js';
import { lostLeaseErrorSql, storedErrorParameter } from './stored-errors.js';

const defaultListLimit = 1000;

/** The error `releaseClaimsOf` records on a row whose holder died; `$2` is the instant as text. */
const lostWorkerErrorSql = `jsonb_build_object(
    'code', 'worker_lost',
    'message', 'worker ' || COALESCE(locked_by, 'unknown') || ' stopped while sending',
    'transient', true,
    'at', $2::text)`;

/** The scheduler store over `context`. */
export function createSchedulerStore(context: StoreContext): SchedulerStore {
  const table = `${context.schema}.scheduled_messages`;

  /** Applies `set` to the row `id` when it is `sending` and held by `workerId`. */
  const whileHeld = async (
    operation: string,
    input: { readonly id: string; readonly workerId: string },
    set: string,
    values: readonly unknown[],
  ) => {
    if (!isUuid(input.id)) return false;
    const rows = await context.exec.write(
      operation,
      `UPDATE ${table} SET ${set} WHERE id = $1 AND status = 'sending' AND locked_by = $2 RETURNING id`,
      [input.id, input.workerId, ...values],
    );
    return rows.length > 0;
  };

  return {
    contractVersion: 'v1',

    async schedule(input) {
      const request = parseOrThrow(newScheduledMessageSchema, input, 'scheduledMessage');
      const now = instant(context.clock.now());
      const [inserted] = await context.exec.write(
        'scheduledMessages.schedule',
        `INSERT INTO ${table} (id, tenant_id, lead_id, contact_id, kind, channel, dedupe_key, due_at, status, attempts, template_key,
                               payload, explanation, appointment_id, billing_cycle_id, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8::timestamptz, 'pending', 0, $9, $10::jsonb, $11::jsonb, $12, $13, $14::timestamptz, $14::timestamptz)
         ON CONFLICT (tenant_id, dedupe_key) DO NOTHING
         RETURNING *`,
        [
          request.id ?? randomUUID(),
          request.tenantId,
          request.leadId,
          request.contactId,
          request.kind,
          request.channel,
          request.dedupeKey,
          instant(request.dueAt),
          request.templateKey,
          json(request.payload),
          jsonOrNull(request.explanation),
          request.appointmentId,
          request.billingCycleId,
          now,
        ],
      );
      if (inserted) return { message: toScheduledMessage(inserted), created: true };
      const [existing] = await context.exec.query(
        'scheduledMessages.schedule',
        `SELECT * FROM ${table} WHERE tenant_id = $1 AND dedupe_key = $2`,
        [request.tenantId, request.dedupeKey],
      );
      if (!existing) throw new SdrError('scheduledMessages.schedule found neither a new nor an existing row');
      return { message: toScheduledMessage(existing), created: false };
    },

    async get(tenantId, id) {
      if (!isUuid(tenantId) || !isUuid(id)) return null;
      const [row] = await context.exec.query('scheduledMessages.get', `SELECT * FROM ${table} WHERE tenant_id = $1 AND id = $2`, [
        tenantId,
        id,
      ]);
      return row ? toScheduledMessage(row) : null;
    },

    async list(filter) {
      const limit = filter.limit ?? defaultListLimit;
      assertCount('limit', limit);
      const params = new Parameters();
      const condition = filterCondition(filter, params);
      if (condition === null || limit === 0) return [];
      const rows = await context.exec.query(
        'scheduledMessages.list',
        `SELECT * FROM ${table} WHERE ${condition} ORDER BY due_at, created_at, id LIMIT ${params.push(limit)}`,
        params.values,
      );
      return rows.map(toScheduledMessage);
    },

    async cancel(filter, input) {
      if (input.reason.length === 0 || input.reason.length > 200) throw ValidationError.forField('reason', 'must be 1 to 200 characters');
      const params = new Parameters();
      const condition = filterCondition(filter, params);
      if (condition === null) return [];
      const rows = await context.exec.write(
        'scheduledMessages.cancel',
        `UPDATE ${table} SET status = 'cancelled', cancel_reason = ${params.push(input.reason)}, updated_at = ${params.push(instant(input.now))}::timestamptz
         WHERE ${condition} AND status = 'pending' RETURNING *`,
        params.values,
      );
      return byDueAt(rows.map(toScheduledMessage));
    },

    async claimDue(input) {
      assertCount('limit', input.limit);
      assertCount('leaseMs', input.leaseMs);
      if (input.limit === 0) return [];
      const now = input.now.getTime();
      const rows = await context.exec.write(
        'scheduledMessages.claimDue',
        `WITH due AS (
           SELECT id FROM ${table}
           WHERE status = 'pending' AND due_at <= $1::timestamptz AND ($5::text[] IS NULL OR kind = ANY($5::text[]))
           ORDER BY due_at, created_at
           LIMIT $2
           FOR UPDATE SKIP LOCKED
         )
         UPDATE ${table} AS claimed
         SET status = 'sending', locked_by = $3, locked_at = $1::timestamptz, lease_expires_at = $4::timestamptz, updated_at = $1::timestamptz
         FROM due WHERE claimed.id = due.id
         RETURNING claimed.*`,
        [
          new Date(now).toISOString(),
          input.limit,
          input.workerId,
          new Date(now + input.leaseMs).toISOString(),
          input.kinds ? [...input.kinds] : null,
        ],
      );
      return byDueAt(rows.map(toScheduledMessage));
    },

    async heartbeat(input) {
      assertCount('leaseMs', input.leaseMs);
      const ids = [...new Set(input.ids)].filter(isUuid);
      if (ids.length === 0) return 0;
      const rows = await context.exec.write(
        'scheduledMessages.heartbeat',
        `UPDATE ${table} SET lease_expires_at = $3::timestamptz, updated_at = $4::timestamptz
         WHERE id = ANY($1::uuid[]) AND status = 'sending' AND locked_by = $2 RETURNING id`,
        [ids, input.workerId, new Date(input.now.getTime() + input.leaseMs).toISOString(), instant(input.now)],
      );
      return rows.length;
    },

    // Leaving `sending` for a final status ends the lease; `locked_by`/`locked_at` stay as the
    // record of who finished the row.
    markSent: (input) =>
      whileHeld(
        'scheduledMessages.markSent',
        input,
        `status = 'sent', sent_at = $3::timestamptz, provider_message_id = $4, lease_expires_at = NULL, updated_at = $3::timestamptz`,
        [instant(input.now), input.providerMessageId],
      ),

    markSkipped: (input) => {
      const reason = parseOrThrow(skipReasonSchema, input.reason, 'reason');
      return whileHeld(
        'scheduledMessages.markSkipped',
        input,
        `status = 'skipped', skip_reason = $4, lease_expires_at = NULL, updated_at = $3::timestamptz`,
        [instant(input.now), reason],
      );
    },

    markFailed: (input) => {
      const stored = storedErrorParameter(input.error);
      if (input.retryAt === null) {
        return whileHeld(
          'scheduledMessages.markFailed',
          input,
          `status = 'failed', attempts = attempts + 1, last_error = $4::jsonb, lease_expires_at = NULL, updated_at = $3::timestamptz`,
          [instant(input.now), stored],
        );
      }
      return whileHeld(
        'scheduledMessages.markFailed',
        input,
        `status = 'pending', attempts = attempts + 1, last_error = $4::jsonb, due_at = $5::timestamptz,
         locked_by = NULL, locked_at = NULL, lease_expires_at = NULL, updated_at = $3::timestamptz`,
        [instant(input.now), stored, instant(input.retryAt)],
      );
    },

    defer: (input) =>
      whileHeld(
        'scheduledMessages.defer',
        input,
        `status = 'pending', due_at = $4::timestamptz, locked_by = NULL, locked_at = NULL, lease_expires_at = NULL, updated_at = $3::timestamptz`,
        [instant(input.now), instant(input.dueAt)],
      ),

    // The lost attempt counts: a message that crashes every worker taking it must stop eventually.
    async recoverStuck(input) {
      const rows = await context.exec.write(
        'scheduledMessages.recoverStuck',
        `UPDATE ${table}
         SET status = 'pending', attempts = attempts + 1,
             last_error = ${lostLeaseErrorSql('sending')},
             locked_by = NULL, locked_at = NULL, lease_expires_at = NULL, updated_at = $1::timestamptz
         WHERE status = 'sending' AND lease_expires_at <= $1::timestamptz
         RETURNING *`,
        [instant(input.now), instant(input.now)],
      );
      return byDueAt(rows.map(toScheduledMessage));
    },

    async releaseClaimsOf(input) {
      if (input.workerIds.length === 0) return [];
      const rows = await context.exec.write(
        'scheduledMessages.releaseClaimsOf',
        `UPDATE ${table}
         SET status = 'pending', attempts = attempts + 1,
             last_error = ${lostWorkerErrorSql},
             locked_by = NULL, locked_at = NULL, lease_expires_at = NULL, updated_at = $1::timestamptz
         WHERE status = 'sending' AND locked_by = ANY($3::text[])
         RETURNING *`,
        [instant(input.now), instant(input.now), [...new Set(input.workerIds)]],
      );
      return byDueAt(rows.map(toScheduledMessage));
    },

    async stats(input) {
      if (input.tenantId !== undefined && !isUuid(input.tenantId)) {
        return { pending: 0, duePending: 0, oldestDueAt: null, sending: 0, stuck: 0 };
      }
      const [row] = await context.exec.query(
        'scheduledMessages.stats',
        `SELECT count(*) FILTER (WHERE status = 'pending')::int AS pending,
                count(*) FILTER (WHERE status = 'pending' AND due_at <= $1::timestamptz)::int AS due_pending,
                min(due_at) FILTER (WHERE status = 'pending' AND due_at <= $1::timestamptz) AS oldest_due_at,
                count(*) FILTER (WHERE status = 'sending')::int AS sending,
                count(*) FILTER (WHERE status = 'sending' AND lease_expires_at <= $1::timestamptz)::int AS stuck
         FROM ${table}
         WHERE status IN ('pending', 'sending') AND ($2::uuid IS NULL OR tenant_id = $2::uuid)`,
        [instant(input.now), input.tenantId ?? null],
      );
      return {
        pending: Number(row?.['pending'] ?? 0),
        duePending: Number(row?.['due_pending'] ?? 0),
        oldestDueAt: row?.['oldest_due_at'] ? new Date(row['oldest_due_at'] as string | Date) : null,
        sending: Number(row?.['sending'] ?? 0),
        stuck: Number(row?.['stuck'] ?? 0),
      };
    },
  };
}
