/**
 * How the inbox stores deliveries: several in one statement when they arrive together. Each
 * delivery is one row whose commit the webhook route awaits before it answers 200, so under load
 * most of a request's cost was its own round trip and commit. Here at most `maxInFlight`
 * statements run at once; deliveries arriving meanwhile wait and go together in the next
 * statement (up to `maxBatch` rows), each caller still resolving only once its row is committed.
 * A lone delivery goes at once, in a statement of its own.
 *
 * Rows keep their arrival order (the identity the inbox orders each lead's events by). A
 * statement that fails is retried row by row, so one bad delivery never fails its neighbours.
 */
import type { SqlExecutor } from '@sdr/store-postgres';
import { instant } from '../sandbox/sandbox-sql.js';
import type { NewInboxEvent } from './evolution-inbox.js';

/** Options of `createInboxWrites`. */
export interface InboxWritesOptions {
  readonly db: Pick<SqlExecutor, 'write'>;
  /** The quoted, schema-qualified inbox table. */
  readonly table: string;
  /** Statements running at once (default 4). */
  readonly maxInFlight?: number;
  /** Rows per statement (default 64). */
  readonly maxBatch?: number;
}

interface Waiting {
  readonly event: NewInboxEvent;
  readonly resolve: (stored: boolean) => void;
  readonly reject: (error: unknown) => void;
}

const keyOf = (tenantId: string, instance: string, event: string, dedupeKey: string) =>
  JSON.stringify([tenantId.toLowerCase(), instance, event, dedupeKey]);

/** The inbox's `add`: resolves `true` once the event is committed, `false` when it was stored already. */
export function createInboxWrites(options: InboxWritesOptions): (event: NewInboxEvent) => Promise<boolean> {
  const { db, table } = options;
  const maxInFlight = options.maxInFlight ?? 4;
  const maxBatch = options.maxBatch ?? 64;
  const queue: Waiting[] = [];
  let inFlight = 0;

  /** Inserts `events` in order; for each, whether this statement stored it. */
  const insert = async (events: readonly NewInboxEvent[]): Promise<boolean[]> => {
    const rows = await db.write<{ key: string }>(
      'evolution.inbox.add',
      `INSERT INTO ${table} (tenant_id, instance, event, dedupe_key, order_key, envelope, received_at, available_at)
       SELECT (item->>'tenantId')::uuid, item->>'instance', item->>'event', item->>'dedupeKey', item->>'orderKey',
              item->'envelope', (item->>'receivedAt')::timestamptz, (item->>'availableAt')::timestamptz
       FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS batch(item, position)
       ORDER BY position
       ON CONFLICT ON CONSTRAINT evolution_inbox_dedupe_key DO NOTHING
       RETURNING json_build_array(tenant_id::text, instance, event, dedupe_key)::text AS key`,
      [
        JSON.stringify(
          events.map((event) => ({
            tenantId: event.tenantId,
            instance: event.instance,
            event: event.event,
            dedupeKey: event.dedupeKey,
            orderKey: event.orderKey,
            envelope: event.envelope,
            receivedAt: instant(event.receivedAt),
            availableAt: instant(event.availableAt ?? event.receivedAt),
          })),
        ),
      ],
    );
    // The first of the batch with a key stored is the one that stored it; a repeat in the same batch is a duplicate.
    const stored = new Set(rows.map((row) => keyOf(...(JSON.parse(row.key) as [string, string, string, string]))));
    return events.map((event) => stored.delete(keyOf(event.tenantId, event.instance, event.event, event.dedupeKey)));
  };

  const run = async (batch: readonly Waiting[]): Promise<void> => {
    try {
      const stored = await insert(batch.map((waiting) => waiting.event));
      batch.forEach((waiting, index) => waiting.resolve(stored[index] ?? false));
    } catch (error) {
      if (batch.length === 1) {
        batch[0]?.reject(error);
        return;
      }
      for (const waiting of batch) {
        await insert([waiting.event]).then(([stored]) => waiting.resolve(stored ?? false), waiting.reject);
      }
    }
  };

  const pump = () => {
    while (inFlight < maxInFlight && queue.length > 0) {
      const batch = queue.splice(0, maxBatch);
      inFlight += 1;
      void run(batch).finally(() => {
        inFlight -= 1;
        pump();
      });
    }
  };

  return (event) =>
    new Promise<boolean>((resolve, reject) => {
      queue.push({ event, resolve, reject });
      pump();
    });
}
