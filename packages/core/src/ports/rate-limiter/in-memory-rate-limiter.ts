/**
 * `createInMemoryRateLimiter`: token buckets for one process, refilled on the given clock — the
 * production limiter of a single process (a server without Redis) as much as a test double.
 *
 * Exactness: balances are kept in integer micro-tokens and refills are rounded **down**, so
 * floating-point error can only ever deny a request a hair early, never grant one early. Over
 * any window of `t` seconds at most `burst + ratePerSecond × t` tokens are granted.
 * `retryAfterMs` is rounded up: after waiting it, the tokens are there.
 */
import { ValidationError } from '../../errors/index.js';
import type { Clock } from '../clock/clock.js';
import type { RateDecision, RateLimiter, RateRule } from './rate-limiter.js';
import { settle } from '../../internal/settle.js';

/** Options of `createInMemoryRateLimiter`. */
export interface InMemoryRateLimiterOptions {
  readonly clock: Clock;
}

/** The in-process `RateLimiter` (one process: a server without Redis, a CLI), plus `reset`. */
export interface InMemoryRateLimiter extends RateLimiter {
  /** Forgets the bucket of `key` (or every bucket): it starts full again. */
  reset(key?: string): void;
}

const microTokens = 1_000_000;

interface Bucket {
  /** Balance in micro-tokens at `updatedAt`. */
  balance: number;
  updatedAt: number;
}

/** Creates a limiter whose buckets start full and refill on `options.clock`. */
export function createInMemoryRateLimiter(options: InMemoryRateLimiterOptions): InMemoryRateLimiter {
  const { clock } = options;
  const buckets = new Map<string, Bucket>();

  return {
    contractVersion: 'v1',
    provider: 'in-memory',

    consume: (key: string, rule: RateRule, cost = 1): Promise<RateDecision> =>
      settle(() => {
        assertRule(rule, cost);
        const capacity = Math.floor(rule.burst * microTokens);
        const needed = Math.ceil(cost * microTokens);
        // Micro-tokens gained per millisecond: ratePerSecond × 1e6 / 1000.
        const gainPerMs = rule.ratePerSecond * 1000;
        const now = clock.now().getTime();
        const bucket = buckets.get(key) ?? { balance: capacity, updatedAt: now };
        const elapsed = Math.max(0, now - bucket.updatedAt);
        const balance = Math.min(capacity, bucket.balance + Math.floor(elapsed * gainPerMs));
        if (balance >= needed) {
          buckets.set(key, { balance: balance - needed, updatedAt: now });
          return { allowed: true, retryAfterMs: 0, remaining: Math.floor((balance - needed) / microTokens) };
        }
        // A refusal leaves the bucket as it was: re-anchoring it here would drop the fraction
        // of a micro-token earned since, and a client polling often would refill slower.
        return {
          allowed: false,
          retryAfterMs: Math.max(1, Math.ceil((needed - balance) / gainPerMs)),
          remaining: Math.floor(balance / microTokens),
        };
      }),

    reset: (key) => {
      if (key === undefined) buckets.clear();
      else buckets.delete(key);
    },
  };
}

function assertRule(rule: RateRule, cost: number): void {
  if (!(Number.isFinite(rule.ratePerSecond) && rule.ratePerSecond > 0)) {
    throw ValidationError.forField('rule.ratePerSecond', 'must be a positive number');
  }
  if (!(Number.isFinite(rule.burst) && rule.burst >= 1)) throw ValidationError.forField('rule.burst', 'must be at least 1');
  // A cost above the burst could never be granted: waiting for it would wait forever.
  if (!(Number.isFinite(cost) && cost > 0 && cost <= rule.burst)) {
    throw ValidationError.forField('cost', `must be positive and at most the burst (${rule.burst})`);
  }
}
