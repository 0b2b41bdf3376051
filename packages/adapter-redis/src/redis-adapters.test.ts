/**
 * The Redis adapters against the conformance suites, on the Redis server named by `REDIS_URL`.
 * Without `REDIS_URL` the suites are skipped and say so; with it, an unreachable server fails
 * the run (CI relies on that).
 */
import { ProviderUnavailableError, SdrError } from '@sdr/core';
import { runLockConformance, runRateLimiterConformance } from '@sdr/testkit';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisLock } from './redis-lock.js';
import { createRedisRateLimiter } from './redis-rate-limiter.js';
import { toSdrError } from './redis-errors.js';

const url = process.env.REDIS_URL;
if (!url) console.info('adapter-redis: REDIS_URL is not set — the Redis conformance suites are skipped');

describe.skipIf(!url)('on Redis (REDIS_URL)', () => {
  let redis: Redis;
  const prefix = `sdr-test:${process.pid}:${Date.now()}:`;

  beforeAll(async () => {
    redis = new Redis(url ?? '', { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false });
    await redis.connect();
  });

  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  runLockConformance({
    name: 'redis',
    create: () => ({ lock: createRedisLock({ redis, keyPrefix: `${prefix}lock:` }) }),
    inspect: {
      holder: async (_subject, key) => {
        const value = await redis.get(`${prefix}lock:${key}`);
        return value === null ? null : { owner: value.slice(0, value.lastIndexOf(':')) };
      },
    },
  });

  runRateLimiterConformance({
    name: 'redis',
    create: () => ({ limiter: createRedisRateLimiter({ redis, keyPrefix: `${prefix}rate:` }) }),
  });
});

describe('redis error mapping', () => {
  it('maps connection failures to a retryable ProviderUnavailableError and replies to a permanent error', () => {
    const closed = toSdrError(new Error('Connection is closed.'), 'lock.acquire');
    expect(ProviderUnavailableError.isInstance(closed)).toBe(true);
    expect(closed.retryable).toBe(true);
    const reply = Object.assign(new Error('ERR wrong number of arguments'), { name: 'ReplyError' });
    const mapped = toSdrError(reply, 'rate.consume');
    expect(mapped.code).toBe('provider_error');
    expect(mapped.retryable).toBe(false);
    expect(SdrError.isInstance(mapped)).toBe(true);
  });

  it('fails loudly on an unreachable server instead of hanging', async () => {
    const dead = new Redis('redis://127.0.0.1:1', {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      retryStrategy: () => null,
    });
    dead.on('error', () => undefined);
    const lock = createRedisLock({ redis: dead });
    await expect(lock.acquire('k', { ttlMs: 1000 })).rejects.toSatisfy((error) => ProviderUnavailableError.isInstance(error));
    dead.disconnect();
  });
});
