/**
 * The PostgreSQL lock does not keep a row for every key it ever saw: rows whose lease ended
 * (released or expired) a while ago are reaped, a bounded batch at a time, by the lock itself as
 * it is used — and a key whose row was reaped still gets a fencing token greater than any before.
 */
import { randomUUID } from 'node:crypto';
import { VirtualClock } from '@sdr/core';
import { beforeEach, expect, it } from 'vitest';
import { describeEachDriver } from '../test-support/test-database.js';
import { createPostgresLock, type PostgresLockOptions } from './postgres-lock.js';

const second = 1000;
const minute = 60 * second;

describeEachDriver('PostgreSQL lock rows', (database) => {
  let prefix: string;
  let clock: VirtualClock;

  beforeEach(() => {
    prefix = `reap-${randomUUID()}:`;
    clock = new VirtualClock('2030-01-01T00:00:00.000Z');
  });

  const lockWith = (options: Partial<PostgresLockOptions> = {}) => createPostgresLock({ db: database().db, clock, ...options });
  const rowKeys = async () =>
    (await database().sql<{ key: string }>('SELECT key FROM sdr.locks WHERE key LIKE $1 ORDER BY key', [`${prefix}%`])).map(
      (row) => row.key,
    );
  const take = async (lock: ReturnType<typeof lockWith>, key: string, ttlMs: number) => {
    const lease = await lock.acquire(`${prefix}${key}`, { ttlMs });
    if (lease === null) throw new Error(`${key} was not acquired`);
    return lease;
  };

  it('reaps the rows of leases released or expired longer than the margin ago, and keeps live and recent ones', async () => {
    const lock = lockWith({ reapAfterMs: minute, reapIntervalMs: 1000 * minute });
    const released = await take(lock, 'released', 10 * second);
    await lock.release(released);
    await take(lock, 'expired', 10 * second);
    await take(lock, 'live', 60 * minute);
    await clock.advance(30 * second);
    await take(lock, 'recently-expired', 1 * second);
    await clock.advance(2 * second);
    // Released 32 s ago and expired 22 s ago: within the margin, nothing is reaped yet.
    expect(await lock.reapExpired()).toBe(0);
    await clock.advance(60 * second);
    expect(await lock.reapExpired()).toBe(3);
    expect(await rowKeys()).toEqual([`${prefix}live`]);
  });

  it('reaps a bounded batch per pass', async () => {
    const lock = lockWith({ reapAfterMs: 0, reapBatchSize: 2, reapIntervalMs: 1000 * minute });
    for (const key of ['a', 'b', 'c', 'd', 'e']) await take(lock, key, second);
    await clock.advance(2 * second);
    expect(await lock.reapExpired()).toBe(2);
    expect(await rowKeys()).toHaveLength(3);
    expect(await lock.reapExpired()).toBe(2);
    expect(await lock.reapExpired()).toBe(1);
    expect(await rowKeys()).toEqual([]);
  });

  it('acquiring reaps on its own, once per interval', async () => {
    const lock = lockWith({ reapAfterMs: minute, reapIntervalMs: 5 * minute });
    await take(lock, 'first', second);
    for (const key of ['x', 'y']) await lock.release(await take(lock, key, second));
    await clock.advance(2 * minute);
    // The first acquire reaped (nothing was old enough then); the interval has not passed yet.
    await take(lock, 'second', 10 * minute);
    expect(await rowKeys()).toHaveLength(4);
    await clock.advance(4 * minute);
    await take(lock, 'third', 10 * minute);
    expect(await rowKeys()).toEqual([`${prefix}second`, `${prefix}third`]);
  });

  it('a key whose row was reaped gets a fencing token greater than every one before', async () => {
    const lock = lockWith({ reapAfterMs: 0, reapIntervalMs: 1000 * minute });
    let last = 0;
    for (let round = 0; round < 3; round += 1) {
      const lease = await take(lock, 'again', second);
      expect(lease.fencingToken).toBeGreaterThan(last);
      expect(Number.isSafeInteger(lease.fencingToken)).toBe(true);
      last = lease.fencingToken;
      await lock.release(lease);
      // Taken and released again at the same instant: the row is kept, the token still grows.
      const twice = await take(lock, 'again', second);
      expect(twice.fencingToken).toBeGreaterThan(last);
      last = twice.fencingToken;
      await clock.advance(2 * second);
      expect(await lock.reapExpired()).toBe(1);
      expect(await rowKeys()).toEqual([]);
    }
  });
});
