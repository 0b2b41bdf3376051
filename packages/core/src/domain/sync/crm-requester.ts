/**
 * Every CRM request of the sync goes through here: it first takes a token from the account's
 * bucket (`RateLimiter`, shared by every process that talks to the account), and when the CRM
 * still answers 429 — requests made by someone else on the same account count too — it waits
 * the `Retry-After` the CRM gave and asks again, a few times, before giving the failure back to
 * the caller's backoff.
 */
import { RateLimitedError, SdrError } from '../../errors/index.js';
import type { Clock } from '../../ports/clock/clock.js';
import type { Logger } from '../../ports/logger/logger.js';
import { acquireRate, type RateLimiter, type RateRule } from '../../ports/rate-limiter/rate-limiter.js';

/** Wait after a 429 that named no `Retry-After`: one second, the width of Kommo's window. */
const defaultThrottleWaitMs = 1000;

/**
 * A request not sent because its pass must stop taking work (its claim's lease is about to end).
 * Internal to a sync pass, which releases the leads it was for; retryable.
 */
export class CrmPassHaltedError extends SdrError {
  static override readonly kind: string = 'CrmPassHaltedError';

  constructor(message: string) {
    super(message, 'internal', { retryable: true });
  }
}

/** Makes rate-limited requests to one CRM account and counts them. */
export interface CrmRequester {
  /** Requests sent so far, refused ones included. */
  readonly requests: number;
  /** Sends one request (`send` must make exactly one) once the bucket allows it. */
  send<T>(operation: string, send: () => Promise<T>): Promise<T>;
}

/** Creates the requester of one account for one pass. */
export function createCrmRequester(input: {
  readonly limiter: RateLimiter;
  readonly clock: Clock;
  readonly key: string;
  readonly rule: RateRule;
  /** How many 429s in a row are waited out before the error is rethrown. */
  readonly maxThrottleWaits: number;
  readonly logger: Logger;
  readonly signal?: AbortSignal;
  /** Epoch ms after which no request is sent any more (`CrmPassHaltedError`), however long the token took. */
  readonly deadline?: number;
}): CrmRequester {
  let requests = 0;
  const signal = input.signal === undefined ? {} : { signal: input.signal };
  return {
    get requests() {
      return requests;
    },
    async send<T>(operation: string, send: () => Promise<T>): Promise<T> {
      for (let waits = 0; ; waits += 1) {
        await acquireRate(input.limiter, input.clock, { key: input.key, rule: input.rule, ...signal });
        if (input.deadline !== undefined && input.clock.now().getTime() >= input.deadline) {
          throw new CrmPassHaltedError('the claim lease is about to end: the request was not sent');
        }
        requests += 1;
        try {
          return await send();
        } catch (error) {
          if (!RateLimitedError.isInstance(error) || waits >= input.maxThrottleWaits) throw error;
          const waitMs = Math.max(1, error.retryAfterMs ?? defaultThrottleWaitMs);
          input.logger.warn({ account: input.key, operation, retryAfterMs: waitMs }, 'CRM answered 429: waiting its Retry-After');
          await input.clock.sleep(waitMs, input.signal);
        }
      }
    },
  };
}
