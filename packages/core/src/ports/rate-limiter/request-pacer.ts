/**
 * How an adapter keeps the pacing clause of its port's contract: every request it sends to a
 * vendor account first takes one token from that account's bucket in the `RateLimiter` it was
 * created with — shared by every process that talks to the account when the limiter is (Redis).
 *
 * The bucket has a burst of **one**. A bucket of burst `b` can grant `b + rate − 1` requests
 * within one second, so only `b = 1` keeps every one-second window — the window Kommo counts in —
 * at or under the rate, while still sustaining the full rate.
 */
import { AbortedError, ValidationError } from '../../errors/index.js';
import { abortedError, throwIfAborted, type CallOptions } from '../call-options.js';
import type { Clock } from '../clock/clock.js';
import { acquireRate, type RateLimiter, type RateRule } from './rate-limiter.js';

/** The bucket rule of a vendor account paced at `requestsPerSecond`: that rate, burst one. */
export function pacingRule(requestsPerSecond: number): RateRule {
  return { ratePerSecond: requestsPerSecond, burst: 1 };
}

/** Options of `createRequestPacer`. */
export interface RequestPacerOptions {
  /** The limiter the adapter was created with. */
  readonly rateLimiter: RateLimiter;
  readonly clock: Clock;
  /** The vendor account's bucket, e.g. `crm:kommo:<account id>`. */
  readonly key: string;
  /** Most requests per second the vendor tolerates (the port's `capabilities.requestsPerSecond`). */
  readonly maxRequestsPerSecond: number;
  /** Pace lower than the vendor's limit (default: at it); never higher. */
  readonly requestsPerSecond?: number;
  /** Names the adapter in the `AbortedError` of an aborted wait. */
  readonly provider: string;
}

/** Hands out the requests of one vendor account at its pace. */
export interface RequestPacer {
  readonly key: string;
  /** The bucket rule: the paced rate, burst one. */
  readonly rule: RateRule;
  /**
   * Resolves when one more request may be sent. Rejects with an `AbortedError` when the call's
   * signal aborts first (no token is then taken).
   */
  next(operation: string, options?: CallOptions): Promise<void>;
}

/** Creates the pacer of one vendor account. */
export function createRequestPacer(options: RequestPacerOptions): RequestPacer {
  const limit = options.maxRequestsPerSecond;
  const wanted = options.requestsPerSecond ?? limit;
  if (!(Number.isFinite(limit) && limit > 0)) throw ValidationError.forField('maxRequestsPerSecond', 'must be a positive number');
  if (!(Number.isFinite(wanted) && wanted > 0)) throw ValidationError.forField('requestsPerSecond', 'must be a positive number');
  const rule = pacingRule(Math.min(wanted, limit));
  return {
    key: options.key,
    rule,
    async next(operation, callOptions) {
      const site = { provider: options.provider, operation };
      throwIfAborted(callOptions, site);
      const signal = callOptions?.signal;
      try {
        await acquireRate(options.rateLimiter, options.clock, { key: options.key, rule, ...(signal === undefined ? {} : { signal }) });
      } catch (error) {
        if (signal?.aborted === true && !AbortedError.isInstance(error)) throw abortedError(signal, site);
        throw error;
      }
    },
  };
}
