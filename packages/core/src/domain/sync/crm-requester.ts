/**
 * Every CRM call of the sync and of reconciliation goes through here. The CRM paces its own
 * requests (the port's pacing clause); what only the caller knows stays here:
 * - when the CRM still answers 429 — requests made by someone else on the same account count
 *   too — the requester waits the `Retry-After` the CRM gave and calls again, a few times, before
 *   giving the failure back to the caller's backoff;
 * - when the caller must stop calling — the worker stops, or the claim's lease is about to end —
 *   the signal handed to the port aborts: a call waiting on the CRM's pacing (or on a Retry-After)
 *   rejects with an `AbortedError`, and no further call is made.
 *
 * The deadline is watched on the clock only while a call or a wait is in progress, so a pass
 * busy with the store does not keep a timer pending.
 */
import { RateLimitedError, SdrError } from '../../errors/index.js';
import { abortedError, sleepUnlessAborted, type CallOptions } from '../../ports/call-options.js';
import type { Clock } from '../../ports/clock/clock.js';
import type { Logger } from '../../ports/logger/logger.js';

/** Wait after a 429 that named no `Retry-After`: one second, the width of Kommo's window. */
const defaultThrottleWaitMs = 1000;

/**
 * Why a pass stopped calling the CRM: its claim's lease is about to end. The reason of the
 * requester's signal (and the `cause` of the `AbortedError` the port then throws); retryable.
 */
class CrmPassHaltedError extends SdrError {
  static override readonly kind: string = 'CrmPassHaltedError';

  constructor(message: string) {
    super(message, 'internal', { retryable: true });
  }
}

/** Why the requester stopped calling: the caller's signal (`stopped`) or the deadline (`lease_ending`). */
type CrmRequesterStop = 'stopped' | 'lease_ending';

/** Makes the calls of one pass to one CRM account and counts them. */
export interface CrmRequester {
  /** Port calls made so far, refused ones included (a call may be several requests to the vendor). */
  readonly calls: number;
  /**
   * Makes one port call with the pass's call options, waiting out 429s. Rejects with an
   * `AbortedError` once the pass must stop (before calling, or during the call's waits).
   */
  send<T>(operation: string, call: (options: CallOptions) => Promise<T>): Promise<T>;
  /** Whether (and why) no more calls may start now; reaching the deadline is noticed here too. */
  stopped(): CrmRequesterStop | null;
}

/** Creates the requester of one account for one pass. */
export function createCrmRequester(input: {
  readonly clock: Clock;
  /** The account, for logs. */
  readonly account: string;
  /** How many 429s in a row are waited out before the error is rethrown. */
  readonly maxThrottleWaits: number;
  readonly logger: Logger;
  /** The caller's stop. */
  readonly signal?: AbortSignal;
  /** Epoch ms at which calling stops (the signal aborts with a `CrmPassHaltedError`). */
  readonly deadline?: number;
}): CrmRequester {
  const { clock, deadline } = input;
  const halt = new AbortController();
  const signal = input.signal === undefined ? halt.signal : AbortSignal.any([input.signal, halt.signal]);
  const options: CallOptions = { signal };
  let calls = 0;

  const stopped = (): CrmRequesterStop | null => {
    if (input.signal?.aborted === true) return 'stopped';
    if (!halt.signal.aborted && deadline !== undefined && clock.now().getTime() >= deadline) {
      halt.abort(new CrmPassHaltedError('the claim lease is about to end: no more CRM calls in this pass'));
    }
    return halt.signal.aborted ? 'lease_ending' : null;
  };

  /** Runs `work` with the deadline watched on the clock meanwhile. */
  const watched = async <T>(work: () => Promise<T>): Promise<T> => {
    if (deadline === undefined) return work();
    const disarm = new AbortController();
    clock.sleep(Math.max(0, deadline - clock.now().getTime()), disarm.signal).then(stopped, () => undefined);
    try {
      return await work();
    } finally {
      disarm.abort();
    }
  };

  return {
    get calls() {
      return calls;
    },
    stopped,
    async send<T>(operation: string, call: (options: CallOptions) => Promise<T>): Promise<T> {
      const site = { provider: input.account, operation };
      for (let waits = 0; ; waits += 1) {
        if (stopped() !== null) throw abortedError(signal, site);
        calls += 1;
        try {
          return await watched(() => call(options));
        } catch (error) {
          if (!RateLimitedError.isInstance(error) || waits >= input.maxThrottleWaits) throw error;
          const waitMs = Math.max(1, error.retryAfterMs ?? defaultThrottleWaitMs);
          input.logger.warn({ account: input.account, operation, retryAfterMs: waitMs }, 'CRM answered 429: waiting its Retry-After');
          await watched(() => sleepUnlessAborted(clock, waitMs, options, site));
        }
      }
    },
  };
}
