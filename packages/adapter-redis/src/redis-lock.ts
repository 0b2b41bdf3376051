/**
 * `LockPort` on Redis: one key per lock holding `<owner>:<fencing token>` with a TTL (`PX`), and a
 * counter per lock key (`INCR`, never expiring) that issues the strictly increasing fencing
 * tokens. Acquire, extend and release are Lua scripts, so a stale holder can never extend or
 * delete the value of the lease that replaced it. Expiry is Redis's own clock.
 */
import { randomUUID } from 'node:crypto';
import { LockNotAcquiredError, ValidationError, systemClock, type AcquireOptions, type Clock, type Lease, type LockPort } from '@sdr/core';
import type { Redis } from 'ioredis';
import { redisCall } from './redis-errors.js';

const acquireScript = `
if redis.call('EXISTS', KEYS[1]) == 1 then return false end
local token = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], ARGV[1] .. ':' .. token, 'PX', ARGV[2])
return token`;

const extendScript = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`;

const releaseScript = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

export interface RedisLockOptions {
  /** A connected ioredis client (taken, not created; the caller closes it). */
  readonly redis: Redis;
  /** Waits between tries (`waitMs`) and `expiresAt` estimates. Default: the system clock. */
  readonly clock?: Clock;
  /** Prefix of every key (default `sdr:lock:`). */
  readonly keyPrefix?: string;
  /** Pause between two tries while waiting (default 25 ms). */
  readonly retryIntervalMs?: number;
}

export function createRedisLock(options: RedisLockOptions): LockPort {
  const { redis } = options;
  const clock = options.clock ?? systemClock;
  const prefix = options.keyPrefix ?? 'sdr:lock:';
  const retryIntervalMs = options.retryIntervalMs ?? 25;
  const valueOf = (lease: Lease) => `${lease.owner}:${lease.fencingToken}`;

  async function tryAcquire(key: string, owner: string, ttlMs: number): Promise<Lease | null> {
    const token = await redisCall('lock.acquire', () =>
      redis.eval(acquireScript, 2, prefix + key, `${prefix}${key}:fence`, owner, String(ttlMs)),
    );
    if (token === null) return null;
    return { key, owner, fencingToken: Number(token), expiresAt: new Date(clock.now().getTime() + ttlMs) };
  }

  return {
    contractVersion: 'v1',
    provider: 'redis',

    async acquire(key: string, acquireOptions: AcquireOptions): Promise<Lease | null> {
      validate(key, acquireOptions.ttlMs);
      const owner = randomUUID();
      const deadline = clock.now().getTime() + Math.max(0, acquireOptions.waitMs ?? 0);
      for (;;) {
        const lease = await tryAcquire(key, owner, acquireOptions.ttlMs);
        if (lease) return lease;
        const remaining = deadline - clock.now().getTime();
        if (remaining <= 0) return null;
        await clock.sleep(Math.min(retryIntervalMs, remaining));
      }
    },

    async extend(lease: Lease, ttlMs: number): Promise<Lease> {
      validate(lease.key, ttlMs);
      const extended = await redisCall('lock.extend', () => redis.eval(extendScript, 1, prefix + lease.key, valueOf(lease), String(ttlMs)));
      if (Number(extended) !== 1) throw new LockNotAcquiredError(lease.key, { message: `lease on ${lease.key} was lost` });
      return { ...lease, expiresAt: new Date(clock.now().getTime() + ttlMs) };
    },

    async release(lease: Lease): Promise<boolean> {
      const released = await redisCall('lock.release', () => redis.eval(releaseScript, 1, prefix + lease.key, valueOf(lease)));
      return Number(released) === 1;
    },
  };
}

function validate(key: string, ttlMs: number): void {
  if (typeof key !== 'string' || key.length === 0 || key.length > 512) throw ValidationError.forField('key', 'must be 1 to 512 characters');
  if (!Number.isInteger(ttlMs) || ttlMs <= 0) throw ValidationError.forField('ttlMs', 'must be a positive whole number of milliseconds');
}
