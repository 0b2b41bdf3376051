// The RateLimiter v1 contract is documented on the `RateLimiter` interface below, where the API reference shows it.
import type { Clock } from '../clock/clock.js';

export interface RateRule {
  readonly ratePerSecond: number;
  readonly burst: number;
}

export interface RateDecision {
  readonly allowed: boolean;
  /** 0 when allowed; otherwise how long until `cost` tokens are available. */
  readonly retryAfterMs: number;
  readonly remaining: number;
}

/**
 * Token buckets shared by every process (Redis) or local to one (in-memory), keyed by what is
 * limited (`crm:kommo:<account>`, `api-key:<id>`, `whatsapp:<instance>`).
 *
 * Contract: `consume` takes `cost` tokens from the bucket of `key`, which holds at most `burst`
 * tokens and refills at `ratePerSecond`. When the bucket has too few tokens nothing is taken and
 * `retryAfterMs` says when it will have enough. Never more than `burst + ratePerSecond × t`
 * tokens are granted over any window of `t` seconds.
 */
export interface RateLimiter {
  readonly contractVersion: 'v1';
  readonly provider: string;
  consume(key: string, rule: RateRule, cost?: number): Promise<RateDecision>;
}

/** Waits (on `clock`) until `cost` tokens are granted. Rejects when `signal` aborts. */
export async function acquireRate(
  limiter: RateLimiter,
  clock: Clock,
  input: { readonly key: string; readonly rule: RateRule; readonly cost?: number; readonly signal?: AbortSignal },
): Promise<void> {
  for (;;) {
    const decision = await limiter.consume(input.key, input.rule, input.cost ?? 1);
    if (decision.allowed) return;
    await clock.sleep(Math.max(1, decision.retryAfterMs), input.signal);
  }
}
