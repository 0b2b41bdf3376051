/**
 * # Call options
 *
 * The trailing parameter of every vendor-facing I/O method (`CalendarPort`, `CrmPort`,
 * `MessagingPort`, `BlobStore`, `CredentialStore`): today only the caller's `AbortSignal`.
 *
 * Contract for implementations:
 * - A signal that has **already aborted** rejects the call with an `AbortedError` before anything
 *   is sent or written.
 * - An abort while the call **waits** (pacing under a rate limit, a retry's backoff, a slow
 *   answer) rejects it promptly with an `AbortedError`; the HTTP adapters also pass the signal to
 *   `fetch`, so the request itself is cancelled. Whether a request already sent took effect is
 *   unknown — the error is retryable and callers treat it as "not done, not the provider's
 *   failure" (no backoff of the account, no health downgrade, no error metric).
 * - The signal's reason becomes the `AbortedError`'s `cause`.
 *
 * The helpers below are what the in-memory doubles and the adapters use to keep that contract.
 */
import { AbortedError } from '../errors/index.js';
import type { Clock } from './clock/clock.js';

/** Options of one port call. */
export interface CallOptions {
  /** Aborts the call: it rejects promptly with an `AbortedError`. */
  readonly signal?: AbortSignal;
}

/** Which call an `AbortedError` is about. */
export interface CallSite {
  readonly provider: string;
  readonly operation: string;
}

/** The `AbortedError` of an aborted call; a reason that already is one is returned as is. */
export function abortedError(signal: AbortSignal | undefined, site: CallSite): AbortedError {
  const reason: unknown = signal?.reason;
  if (AbortedError.isInstance(reason)) return reason;
  return new AbortedError({ provider: site.provider, operation: site.operation, cause: reason });
}

/** Throws an `AbortedError` when `options.signal` has aborted. Call it before sending or writing anything. */
export function throwIfAborted(options: CallOptions | undefined, site: CallSite): void {
  if (options?.signal?.aborted === true) throw abortedError(options.signal, site);
}

/** Waits `ms` on `clock`; an abort of `options.signal` (before or during the wait) rejects with an `AbortedError`. */
export async function sleepUnlessAborted(clock: Clock, ms: number, options: CallOptions | undefined, site: CallSite): Promise<void> {
  throwIfAborted(options, site);
  try {
    await clock.sleep(ms, options?.signal);
  } catch (error) {
    if (options?.signal?.aborted === true) throw abortedError(options.signal, site);
    throw error;
  }
}

/**
 * Settles as `work` does, or rejects with an `AbortedError` as soon as `options.signal` aborts —
 * for waits an implementation cannot cancel itself (a database statement already sent). The work
 * goes on in the background; its outcome is then unknown to the caller, as the contract says.
 */
export function unlessAborted<T>(work: Promise<T>, options: CallOptions | undefined, site: CallSite): Promise<T> {
  const signal = options?.signal;
  if (signal === undefined) return work;
  if (signal.aborted) {
    // The work was started regardless: observe its failure so it is not reported as unhandled.
    work.catch(() => undefined);
    return Promise.reject(abortedError(signal, site));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      work.catch(() => undefined);
      reject(abortedError(signal, site));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    work.finally(() => signal.removeEventListener('abort', onAbort)).then(resolve, reject);
  });
}
