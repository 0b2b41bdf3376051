/**
 * `createPostgresLock`: a `LockPort` on the store's database, for deployments without Redis.
 *
 * Session advisory locks cannot expire, and a lease must. So each key is one row of the `locks`
 * table — owner, fencing token, expiry — changed only by single statements:
 * - acquire is `INSERT … ON CONFLICT (key) DO UPDATE … WHERE the lease is free or expired`. The
 *   upsert locks the key's row, so concurrent acquirers take turns and exactly one finds it
 *   free. The fencing token is the row's token + 1, or the current time in microseconds when
 *   that is greater (and for a new row): a key whose row was reaped starts again above every
 *   token issued before it, since those were issued at least a lease and a margin earlier.
 * - extend and release match the key, owner **and** fencing token of a lease that has not
 *   expired: an expired lease can neither extend nor release the lease that replaced it. Release
 *   ends the lease now but keeps the row, so a key taken again at once still counts up.
 * - rows whose lease ended more than `reapAfterMs` ago are deleted, at most `reapBatchSize` per
 *   pass, by `acquire` once every `reapIntervalMs` (and by `reapExpired`): keys that are never
 *   used again (one per cancelled appointment, say) do not accumulate.
 *
 * Time is the injected clock's `now`, passed as a parameter (so tests run on a virtual clock).
 * The processes sharing a database are assumed to agree on the time within a small skew, much
 * smaller than the TTLs in use: a process whose clock runs ahead by `s` sees leases expire `s`
 * early. Keep TTLs generous (seconds or more) and clocks synchronised (NTP); fencing tokens are
 * what protects a resource from a holder that outlived its lease either way.
 */
import { randomUUID } from 'node:crypto';
import { LockNotAcquiredError, ValidationError, systemClock, type AcquireOptions, type Clock, type Lease, type LockPort } from '@sdr/core';
import { openDatabase, type DatabaseConnection } from '../database/open-database.js';
import { defaultSchema, quoteSchema } from '../store/schema-name.js';
import { toDate, toInteger } from '../store/sql-values.js';

/** Options of `createPostgresLock`. */
export interface PostgresLockOptions {
  /** The same connection the store uses (a `pg.Pool` or a PGlite instance), migrated. */
  readonly db: DatabaseConnection;
  /** Measures leases. Default: the system clock. */
  readonly clock?: Clock;
  /** The schema of the store's tables (default `sdr`). */
  readonly schema?: string;
  /** Longest pause between two tries while `acquire` waits for a held key (default 50 ms). */
  readonly pollIntervalMs?: number;
  /** How long after its lease ended (released or expired) a row may be reaped (default 1 minute). */
  readonly reapAfterMs?: number;
  /** Most rows one reaping pass deletes (default 500). */
  readonly reapBatchSize?: number;
  /** How often `acquire` runs a reaping pass (default every 30 seconds). */
  readonly reapIntervalMs?: number;
}

/** The PostgreSQL `LockPort`, plus a side door for tests and operators. */
export interface PostgresLock extends LockPort {
  /** The live holder of `key`, or `null` when it is free (an expired lease is not held). */
  holder(key: string): Promise<{ readonly owner: string; readonly fencingToken: number; readonly expiresAt: Date } | null>;
  /** One reaping pass now: deletes up to `reapBatchSize` rows of leases ended over `reapAfterMs` ago; how many it deleted. */
  reapExpired(): Promise<number>;
}

/** Creates the lock over `options.db`. */
export function createPostgresLock(options: PostgresLockOptions): PostgresLock {
  const database = openDatabase(options.db);
  const clock = options.clock ?? systemClock;
  const table = `${quoteSchema(options.schema ?? defaultSchema)}.locks`;
  const pollIntervalMs = options.pollIntervalMs ?? 50;
  const reapAfterMs = options.reapAfterMs ?? 60_000;
  const reapBatchSize = options.reapBatchSize ?? 500;
  const reapIntervalMs = options.reapIntervalMs ?? 30_000;
  assertDuration('reapAfterMs', reapAfterMs, false);
  assertDuration('reapIntervalMs', reapIntervalMs, false);
  if (!Number.isInteger(reapBatchSize) || reapBatchSize < 1)
    throw ValidationError.forField('reapBatchSize', 'must be a whole number of 1 or more');
  let lastReapAt = Number.NEGATIVE_INFINITY;

  const reapExpired = async (): Promise<number> => {
    const before = new Date(clock.now().getTime() - reapAfterMs).toISOString();
    const rows = await database.write(
      'lock.reap',
      `DELETE FROM ${table} WHERE key IN (
         SELECT key FROM ${table} WHERE expires_at <= $1::timestamptz ORDER BY expires_at LIMIT $2 FOR UPDATE SKIP LOCKED
       ) AND expires_at <= $1::timestamptz
       RETURNING key`,
      [before, reapBatchSize],
    );
    return rows.length;
  };

  const reapWhenDue = async (): Promise<void> => {
    const now = clock.now().getTime();
    if (now - lastReapAt < reapIntervalMs) return;
    lastReapAt = now;
    await reapExpired();
  };

  const tryAcquire = async (key: string, ttlMs: number): Promise<Lease | null> => {
    const now = clock.now().getTime();
    const owner = randomUUID();
    const [row] = await database.write(
      'lock.acquire',
      `INSERT INTO ${table} AS held (key, owner, fencing_token, expires_at) VALUES ($1, $2, $5::bigint, $3::timestamptz)
       ON CONFLICT (key) DO UPDATE
         SET owner = excluded.owner, fencing_token = GREATEST(held.fencing_token + 1, excluded.fencing_token),
             expires_at = excluded.expires_at
         WHERE held.owner IS NULL OR held.expires_at <= $4::timestamptz
       RETURNING fencing_token, expires_at`,
      [key, owner, new Date(now + ttlMs).toISOString(), new Date(now).toISOString(), Math.max(1, now * 1000)],
    );
    if (!row) return null;
    return Object.freeze({ key, owner, fencingToken: toInteger(row['fencing_token']), expiresAt: toDate(row['expires_at']) });
  };

  return {
    contractVersion: 'v1',
    provider: database.driver === 'pglite' ? 'pglite' : 'postgres',

    async acquire(key: string, acquireOptions: AcquireOptions): Promise<Lease | null> {
      assertDuration('ttlMs', acquireOptions.ttlMs, true);
      const waitMs = acquireOptions.waitMs ?? 0;
      assertDuration('waitMs', waitMs, false);
      const deadline = clock.now().getTime() + waitMs;
      await reapWhenDue();
      for (;;) {
        const lease = await tryAcquire(key, acquireOptions.ttlMs);
        if (lease !== null) return lease;
        const remaining = deadline - clock.now().getTime();
        if (remaining <= 0) return null;
        // Short steps, so that a key released meanwhile is taken soon after, not at the deadline.
        await clock.sleep(Math.min(pollIntervalMs, remaining));
      }
    },

    async extend(lease: Lease, ttlMs: number): Promise<Lease> {
      assertDuration('ttlMs', ttlMs, true);
      const now = clock.now().getTime();
      const [row] = await database.write(
        'lock.extend',
        `UPDATE ${table} SET expires_at = $4::timestamptz
         WHERE key = $1 AND owner = $2 AND fencing_token = $3 AND expires_at > $5::timestamptz
         RETURNING expires_at`,
        [lease.key, lease.owner, lease.fencingToken, new Date(now + ttlMs).toISOString(), new Date(now).toISOString()],
      );
      if (!row) throw new LockNotAcquiredError(lease.key, { message: `lease of lock ${lease.key} was lost (expired or replaced)` });
      return Object.freeze({ ...lease, expiresAt: toDate(row['expires_at']) });
    },

    async release(lease: Lease): Promise<boolean> {
      const rows = await database.write(
        'lock.release',
        `UPDATE ${table} SET owner = NULL, expires_at = $4::timestamptz
         WHERE key = $1 AND owner = $2 AND fencing_token = $3 AND expires_at > $4::timestamptz
         RETURNING key`,
        [lease.key, lease.owner, lease.fencingToken, clock.now().toISOString()],
      );
      return rows.length > 0;
    },

    async holder(key: string) {
      const [row] = await database.query(
        'lock.holder',
        `SELECT owner, fencing_token, expires_at FROM ${table} WHERE key = $1 AND owner IS NOT NULL AND expires_at > $2::timestamptz`,
        [key, clock.now().toISOString()],
      );
      if (!row) return null;
      return { owner: String(row['owner']), fencingToken: toInteger(row['fencing_token']), expiresAt: toDate(row['expires_at']) };
    },

    reapExpired,
  };
}

function assertDuration(field: string, value: number, positive: boolean): void {
  const valid = Number.isFinite(value) && (positive ? value > 0 : value >= 0);
  if (!valid)
    throw ValidationError.forField(field, positive ? 'must be a positive number of milliseconds' : 'must be 0 or more milliseconds');
}
