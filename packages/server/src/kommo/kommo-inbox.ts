/**
 * The Kommo inbox (`kommo_inbox` in the server schema): deliveries the webhook route accepted,
 * written before it answers, and claimed by the Kommo inbox worker.
 *
 * - `add` is idempotent: a body already stored for the tenant writes nothing (Kommo re-sends).
 * - `claim` hands out the **head** of each tenant's queue (its oldest pending delivery) when
 *   nobody holds it, claimed until `leaseMs` from now; a tenant's next delivery only once the
 *   head is settled, so deliveries apply in order with any number of workers (`FOR UPDATE SKIP
 *   LOCKED`). A worker that dies leaves its claims to expire; nothing is lost.
 * - `complete`, `retry` and `bury` settle a claimed delivery; a claim that expired meanwhile is
 *   not touched.
 */
import { createHash } from 'node:crypto';
import type { Database } from '@sdr/store-postgres';
import { quoteIdentifier, serverSchema } from '../database/server-database.js';
import { instant, textOrNull, toDate } from '../sandbox/sandbox-sql.js';
import { claimInboxHeads, createInboxSettlement, type InboxSettlement } from '../database/inbox-settlement.js';

/** A claimed delivery. */
export interface KommoInboxDelivery {
  readonly id: string;
  readonly tenantId: string;
  readonly body: string;
  /** Failed attempts so far. */
  readonly attempts: number;
  readonly receivedAt: Date;
}

/** The inbox's statements. */
export interface KommoInbox extends InboxSettlement {
  /** Stores the delivery; `false` when the same body was stored for the tenant already. */
  add(input: { readonly tenantId: string; readonly body: string; readonly receivedAt: Date }): Promise<boolean>;
  claim(input: {
    readonly workerId: string;
    readonly now: Date;
    readonly leaseMs: number;
    readonly limit: number;
  }): Promise<KommoInboxDelivery[]>;
  /** Pending deliveries that are due at `now` (claimed or not). */
  due(now: Date): Promise<number>;
}

/** The inbox in `schema` (default `sdr_server`). */
export function createKommoInbox(options: { readonly db: Database; readonly schema?: string }): KommoInbox {
  const { db } = options;
  const inbox = `${quoteIdentifier(options.schema ?? serverSchema)}.kommo_inbox`;

  return {
    ...createInboxSettlement({ db, table: inbox, operation: 'kommo.inbox' }),

    async add({ tenantId, body, receivedAt }) {
      const rows = await db.write(
        'kommo.inbox.add',
        `INSERT INTO ${inbox} (tenant_id, dedupe_key, body, received_at, available_at)
         VALUES ($1, $2, $3, $4::timestamptz, $4::timestamptz)
         ON CONFLICT ON CONSTRAINT kommo_inbox_dedupe_key DO NOTHING
         RETURNING id`,
        [tenantId, createHash('sha256').update(body).digest('hex'), body, instant(receivedAt)],
      );
      return rows.length === 1;
    },

    async claim({ workerId, now, leaseMs, limit }) {
      const rows = await claimInboxHeads({
        db,
        table: inbox,
        operation: 'kommo.inbox',
        orderedBy: ['tenant_id'],
        returning: ['id', 'tenant_id', 'body', 'attempts', 'received_at'],
        workerId,
        now,
        leaseMs,
        limit,
      });
      return rows.map((row) => ({
        id: textOrNull(row['id']) ?? '',
        tenantId: textOrNull(row['tenant_id']) ?? '',
        body: textOrNull(row['body']) ?? '',
        attempts: Number(row['attempts']),
        receivedAt: toDate(row['received_at']),
      }));
    },

    async due(now) {
      const rows = await db.query(
        'kommo.inbox.due',
        `SELECT count(*)::int AS n FROM ${inbox} WHERE status = 'pending' AND available_at <= $1::timestamptz`,
        [instant(now)],
      );
      return Number(rows[0]?.['n'] ?? 0);
    },
  };
}
