/**
 * The lock the processes sharing one database take: Redis's when `REDIS_URL` is set, else the
 * database's lease rows.
 *
 * It runs on real time, never on the sandbox clock the rest of the server reads. Leases and waits
 * are durations between processes: Redis expires a lease on its own clock, and the lease rows
 * compare expiries written by one process with the time of another. The sandbox clock jumps
 * forward by whatever an operator advances it (31 minutes at a time in a demo), and each process
 * sees the jump at its own moment, up to a refresh later. On that clock a waiting booking's
 * 10-second wait for the calendar lock ended at the first jump (`lock_not_acquired` at once, a
 * 503), and a lease row written by a process that had not seen the jump yet was already expired
 * for one that had (two holders of one key).
 */
import { createRedisLock } from '@sdr/adapter-redis';
import { systemClock, type Clock, type LockPort } from '@sdr/core';
import { createPostgresLock, type DatabaseConnection } from '@sdr/store-postgres';
import type { Redis } from 'ioredis';

/** Options of `createServerLock`. */
export interface ServerLockOptions {
  /** The Redis connection, or `null` for the database's lock. */
  readonly redis: Redis | null;
  /** The database connection (its `locks` table) when there is no Redis. */
  readonly db: DatabaseConnection;
  /** Real time (default the system clock): the base of the sandbox clock, never the sandbox clock itself. */
  readonly realTime?: Clock;
}

/** The server's lock; see the module comment. */
export function createServerLock(options: ServerLockOptions): LockPort {
  const clock = options.realTime ?? systemClock;
  return options.redis === null ? createPostgresLock({ db: options.db, clock }) : createRedisLock({ redis: options.redis, clock });
}
