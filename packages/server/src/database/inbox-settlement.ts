/**
 * The statements that claim and settle rows of an inbox table (the Evolution and Kommo inboxes
 * share their shape: `status` pending → done | dead, `claimed_by`/`claimed_until`, `attempts`,
 * `last_error`, `outcome`, `processed_at`, `available_at`). A claim takes the head of each
 * ordered group — the oldest pending row of its tenant (and order key) — so rows apply in order
 * with any number of workers. A row whose claim passed to another worker meanwhile is not
 * touched: each settling statement answers whether it settled the row.
 */
import type { Database, Row } from '@sdr/store-postgres';
import { instant } from '../sandbox/sandbox-sql.js';

/** Counts by status, for tests, benches and metrics. */
export interface InboxCounts {
  readonly pending: number;
  readonly done: number;
  readonly dead: number;
}

/** Settles claimed rows of one inbox table. */
export interface InboxSettlement {
  complete(input: { readonly id: string; readonly workerId: string; readonly now: Date; readonly outcome: string }): Promise<boolean>;
  /**
   * Back to pending at `at`. `error: null` keeps the last error; `countAttempt: false` (default
   * `true`) is a deliberate wait rather than a failure.
   */
  retry(input: {
    readonly id: string;
    readonly workerId: string;
    readonly at: Date;
    readonly error: string | null;
    readonly countAttempt?: boolean;
  }): Promise<boolean>;
  /** Gives up on the row: `dead`, kept with its error for an operator. */
  bury(input: { readonly id: string; readonly workerId: string; readonly now: Date; readonly error: string }): Promise<boolean>;
  counts(tenantId?: string): Promise<InboxCounts>;
}

/**
 * Claims up to `limit` heads of `table` (already quoted) for `leaseMs`: rows pending, available at
 * `now`, not claimed by a live lease, with no earlier pending row sharing their `orderedBy`
 * columns. Resolves with the `returning` columns of the rows, oldest first.
 */
export async function claimInboxHeads(options: {
  readonly db: Database;
  readonly table: string;
  readonly operation: string;
  /** The columns whose rows apply in `id` order (`tenant_id`, and an order key). */
  readonly orderedBy: readonly string[];
  /** The columns to return. */
  readonly returning: readonly string[];
  readonly workerId: string;
  readonly now: Date;
  readonly leaseMs: number;
  readonly limit: number;
}): Promise<Row[]> {
  const { table, now } = options;
  const sameGroup = options.orderedBy.map((column) => `earlier.${column} = head.${column}`).join(' AND ');
  const rows = await options.db.write(
    `${options.operation}.claim`,
    `UPDATE ${table} SET claimed_by = $1, claimed_until = $2::timestamptz
     WHERE id IN (
       SELECT head.id FROM ${table} head
       WHERE head.status = 'pending'
         AND head.available_at <= $3::timestamptz
         AND (head.claimed_until IS NULL OR head.claimed_until < $3::timestamptz)
         AND NOT EXISTS (
           SELECT 1 FROM ${table} earlier
           WHERE earlier.status = 'pending' AND ${sameGroup} AND earlier.id < head.id
         )
       ORDER BY head.id
       LIMIT $4
       FOR UPDATE SKIP LOCKED
     )
     RETURNING ${options.returning.join(', ')}`,
    [options.workerId, instant(new Date(now.getTime() + options.leaseMs)), instant(now), options.limit],
  );
  return rows.sort((a, b) => Number(a['id']) - Number(b['id']));
}

/** The settling statements of `table` (already quoted), logged as `<operation>.complete` etc. */
export function createInboxSettlement(options: {
  readonly db: Database;
  readonly table: string;
  readonly operation: string;
}): InboxSettlement {
  const { db, table, operation } = options;
  const settled = async (name: string, sql: string, params: readonly unknown[]) =>
    (await db.write(`${operation}.${name}`, sql, params)).length === 1;
  return {
    complete({ id, workerId, now, outcome }) {
      return settled(
        'complete',
        `UPDATE ${table} SET status = 'done', processed_at = $3::timestamptz, outcome = $4, claimed_by = NULL, claimed_until = NULL
         WHERE id = $1 AND claimed_by = $2 AND status = 'pending' RETURNING id`,
        [id, workerId, instant(now), outcome],
      );
    },

    retry({ id, workerId, at, error, countAttempt = true }) {
      return settled(
        'retry',
        `UPDATE ${table} SET available_at = $3::timestamptz, last_error = COALESCE($4, last_error),
           attempts = attempts + $5, claimed_by = NULL, claimed_until = NULL
         WHERE id = $1 AND claimed_by = $2 AND status = 'pending' RETURNING id`,
        [id, workerId, instant(at), error, countAttempt ? 1 : 0],
      );
    },

    bury({ id, workerId, now, error }) {
      return settled(
        'bury',
        `UPDATE ${table} SET status = 'dead', processed_at = $3::timestamptz, last_error = $4, attempts = attempts + 1,
           claimed_by = NULL, claimed_until = NULL
         WHERE id = $1 AND claimed_by = $2 AND status = 'pending' RETURNING id`,
        [id, workerId, instant(now), error],
      );
    },

    async counts(tenantId) {
      const rows = await db.query(
        `${operation}.counts`,
        `SELECT status, count(*)::int AS n FROM ${table} WHERE ($1::uuid IS NULL OR tenant_id = $1::uuid) GROUP BY status`,
        [tenantId ?? null],
      );
      const count = (status: string) => Number(rows.find((row) => row['status'] === status)?.['n'] ?? 0);
      return { pending: count('pending'), done: count('done'), dead: count('dead') };
    },
  };
}
