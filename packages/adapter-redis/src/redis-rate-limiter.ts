/**
 * `RateLimiter` on Redis: one token bucket per key in a hash (`tokens`, `ts`), refilled and
 * consumed by a Lua script on Redis's own clock (`TIME`), so every process shares one budget —
 * the Kommo account's 7 requests/second hold however many workers run.
 */
import { ValidationError, type RateDecision, type RateLimiter, type RateRule } from '@sdr/core';
import type { Redis } from 'ioredis';
import { redisCall } from './redis-errors.js';

const consumeScript = `
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(state[1]) or burst
local ts = tonumber(state[2]) or now
if now > ts then tokens = math.min(burst, tokens + (now - ts) * rate / 1000) end
local allowed = 0
local retry = 0
if tokens >= cost then
  tokens = tokens - cost
  allowed = 1
else
  retry = math.ceil((cost - tokens) * 1000 / rate)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(math.max(now, ts)))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst * 1000 / rate) + 1000)
return { allowed, retry, tostring(tokens) }`;

export interface RedisRateLimiterOptions {
  /** A connected ioredis client (taken, not created). */
  readonly redis: Redis;
  /** Prefix of every key (default `sdr:rate:`). */
  readonly keyPrefix?: string;
}

export function createRedisRateLimiter(options: RedisRateLimiterOptions): RateLimiter {
  const { redis } = options;
  const prefix = options.keyPrefix ?? 'sdr:rate:';
  return {
    contractVersion: 'v1',
    provider: 'redis',
    async consume(key: string, rule: RateRule, cost = 1): Promise<RateDecision> {
      if (!(rule.ratePerSecond > 0)) throw ValidationError.forField('rule.ratePerSecond', 'must be positive');
      if (!(rule.burst >= 1)) throw ValidationError.forField('rule.burst', 'must be at least 1');
      if (!(cost > 0) || cost > rule.burst)
        throw ValidationError.forField('cost', `must be positive and at most the burst (${rule.burst})`);
      const reply = await redisCall('rate.consume', () =>
        redis.eval(consumeScript, 1, prefix + key, String(rule.ratePerSecond), String(rule.burst), String(cost)),
      );
      const [allowed, retryAfterMs, remaining] = reply as [number, number, string];
      return { allowed: allowed === 1, retryAfterMs, remaining: Math.floor(Number(remaining)) };
    },
  };
}
