/**
 * `@sdr/adapter-redis`: a `LockPort` with fencing tokens and a shared token-bucket `RateLimiter`
 * on Redis (ioredis). Both take a connected client; neither creates or closes one.
 * @packageDocumentation
 */
export { createRedisLock, type RedisLockOptions } from './redis-lock.js';
export { createRedisRateLimiter, type RedisRateLimiterOptions } from './redis-rate-limiter.js';
export { redisProvider, toSdrError } from './redis-errors.js';
