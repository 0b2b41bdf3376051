/**
 * The Evolution inbox (`evolution_inbox` in the server schema): deliveries written by the webhook
 * route before it answers, and claimed by the inbox worker.
 *
 * - `add` is idempotent: a delivery whose tenant, instance, event and dedupe key are stored
 *   already writes nothing (Evolution re-delivers up to 10 times). Deliveries arriving together
 *   are written in one statement (`evolution-inbox-writes.ts`), each resolved once committed.
 * - `claim` hands out, for up to `limit` leads, the **head** of each lead's queue (its oldest
 *   pending event) when nobody holds it, marking it claimed until `leaseMs` from now. The next
 *   event of a lead is handed out only once its head is done: per-lead order holds with any
 *   number of workers (`FOR UPDATE SKIP LOCKED`). A worker that dies leaves its claims to expire;
 *   nothing is lost.
 * - `complete`, `retry` and `bury` settle a claimed event; a claim that expired meanwhile (another
 *   worker took it) is not touched.
 */
import type { Database } from '@sdr/store-postgres';
import { quoteIdentifier, serverSchema } from '../database/server-database.js';
import { claimInboxHeads, createInboxSettlement, type InboxSettlement } from '../database/inbox-settlement.js';
import { textOrNull, toDate } from '../sandbox/sandbox-sql.js';
import { createInboxWrites } from './evolution-inbox-writes.js';

/** A delivery to store. */
export interface NewInboxEvent {
  readonly tenantId: string;
  readonly instance: string;
  /** The normalised event name (`messages.upsert`). */
  readonly event: string;
  readonly dedupeKey: string;
  /** Events with the same key are handled one at a time, in arrival order. */
  readonly orderKey: string;
  /** The envelope, without its `apikey`. */
  readonly envelope: unknown;
  readonly receivedAt: Date;
  /** Not before this instant (default `receivedAt`). */
  readonly availableAt?: Date;
}

/** A claimed event. */
export interface InboxEvent {
  readonly id: string;
  readonly tenantId: string;
  readonly instance: string;
  readonly event: string;
  readonly envelope: unknown;
  /** Failed attempts so far. */
  readonly attempts: number;
  readonly receivedAt: Date;
}

export type { InboxCounts } from '../database/inbox-settlement.js';

/** The inbox's statements. */
export interface EvolutionInbox extends InboxSettlement {
  /** Stores the event; `false` when it was stored already (a re-delivery). */
  add(event: NewInboxEvent): Promise<boolean>;
  claim(input: { readonly workerId: string; readonly now: Date; readonly leaseMs: number; readonly limit: number }): Promise<InboxEvent[]>;
}

/** The inbox in `schema` (default `sdr_server`). */
export function createEvolutionInbox(options: { readonly db: Database; readonly schema?: string }): EvolutionInbox {
  const { db } = options;
  const inbox = `${quoteIdentifier(options.schema ?? serverSchema)}.evolution_inbox`;

  return {
    ...createInboxSettlement({ db, table: inbox, operation: 'evolution.inbox' }),
    add: createInboxWrites({ db, table: inbox }),

    async claim({ workerId, now, leaseMs, limit }) {
      const rows = await claimInboxHeads({
        db,
        table: inbox,
        operation: 'evolution.inbox',
        orderedBy: ['tenant_id', 'order_key'],
        returning: ['id', 'tenant_id', 'instance', 'event', 'envelope', 'attempts', 'received_at'],
        workerId,
        now,
        leaseMs,
        limit,
      });
      return rows.map((row) => ({
        id: textOrNull(row['id']) ?? '',
        tenantId: textOrNull(row['tenant_id']) ?? '',
        instance: textOrNull(row['instance']) ?? '',
        event: textOrNull(row['event']) ?? '',
        envelope: typeof row['envelope'] === 'string' ? (JSON.parse(row['envelope']) as unknown) : row['envelope'],
        attempts: Number(row['attempts']),
        receivedAt: toDate(row['received_at']),
      }));
    },
  };
}
