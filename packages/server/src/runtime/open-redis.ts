/**
 * Connects to the Redis of `REDIS_URL` once at start-up. A server that cannot be reached stops the
 * start with one line naming the variable and the reason, and no reconnection is left running;
 * once connected, a lost connection is logged once and ioredis reconnects on its own.
 */
import type { Logger } from '@sdr/core';
import { Redis } from 'ioredis';
import { endpointOf, passwordOf, startupError, startupReason } from './startup-errors.js';

/** How long the first connection may take. */
const connectTimeoutMs = 5_000;

/** A connected client for `url`; an `SdrError` naming `REDIS_URL` when it cannot connect. */
export async function openRedis(url: string, logger: Logger): Promise<Redis> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 3, connectTimeout: connectTimeoutMs });
  let lastError: unknown = null;
  let connected = false;
  redis.on('error', (error: unknown) => {
    if (connected) logger.warn({ reason: startupReason(error) }, 'lost the Redis connection: reconnecting');
    connected = false;
    lastError = error;
  });
  redis.on('ready', () => {
    connected = true;
  });
  try {
    await redis.connect();
  } catch (error) {
    redis.disconnect();
    const secret = passwordOf(url);
    throw startupError({
      variable: 'REDIS_URL',
      failed: `cannot connect to Redis at ${endpointOf(url)}`,
      cause: lastError ?? error,
      ...(secret === undefined ? {} : { secret }),
    });
  }
  connected = true;
  return redis;
}
