/**
 * Retry policy (pure): exponential backoff with full jitter, `Retry-After` honoured, a maximum
 * number of attempts, and transient vs permanent from the error classification.
 */
import { classifyError } from '../../errors/index.js';
import type { Clock } from '../../ports/clock/clock.js';

export interface RetryPolicy {
  /** Total attempts, the first included (default 5). */
  readonly maxAttempts: number;
  /** Ceiling of the first retry's delay (default 30 s). */
  readonly baseDelayMs: number;
  /** Ceiling of any computed delay (default 1 h). A provider's Retry-After may exceed it. */
  readonly maxDelayMs: number;
  /** Growth of the ceiling per attempt (default 2). */
  readonly factor: number;
}

export const defaultRetryPolicy: RetryPolicy = Object.freeze({ maxAttempts: 5, baseDelayMs: 30_000, maxDelayMs: 3_600_000, factor: 2 });

export type RetryDecision =
  | { readonly retry: true; readonly delayMs: number; readonly reason: 'transient' | 'retry_after' }
  | { readonly retry: false; readonly reason: 'permanent' | 'max_attempts' };

/**
 * The ceiling of the delay before retry number `attempt` (1 = the first retry):
 * `min(maxDelayMs, baseDelayMs × factor^(attempt − 1))`.
 */
export function backoffCeiling(attempt: number, policy: RetryPolicy = defaultRetryPolicy): number {
  const exponent = Math.max(0, attempt - 1);
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * policy.factor ** exponent);
}

/** Full jitter: a uniformly random delay in `[0, ceiling]` (`random` returns `[0, 1)`). */
export function backoffDelay(attempt: number, policy: RetryPolicy = defaultRetryPolicy, random: () => number = Math.random): number {
  // Rounded down: rounding to nearest could exceed a fractional ceiling (a factor such as 1.5).
  return Math.floor(random() * backoffCeiling(attempt, policy));
}

/**
 * Decides what to do after attempt number `attemptsMade` failed with `error`.
 * Permanent errors stop at once; after `maxAttempts` attempts everything stops; otherwise the
 * delay is the jittered backoff, and never shorter than a `Retry-After` the provider sent.
 */
export function decideRetry(input: {
  readonly error: unknown;
  readonly attemptsMade: number;
  readonly policy?: RetryPolicy;
  readonly random?: () => number;
}): RetryDecision {
  const policy = input.policy ?? defaultRetryPolicy;
  const classification = classifyError(input.error);
  if (!classification.transient) return { retry: false, reason: 'permanent' };
  if (input.attemptsMade >= policy.maxAttempts) return { retry: false, reason: 'max_attempts' };
  const jittered = backoffDelay(input.attemptsMade, policy, input.random);
  const retryAfter = classification.retryAfterMs;
  if (retryAfter !== undefined && retryAfter >= jittered) return { retry: true, delayMs: retryAfter, reason: 'retry_after' };
  return { retry: true, delayMs: jittered, reason: 'transient' };
}

/**
 * Runs `operation` until it succeeds, a permanent error occurs, or the attempts run out, waiting
 * on `clock` between attempts. Rethrows the last error.
 */
export async function retryOperation<T>(
  operation: (attempt: number) => Promise<T>,
  options: {
    readonly clock: Clock;
    readonly policy?: RetryPolicy;
    readonly random?: () => number;
    readonly signal?: AbortSignal;
    readonly onRetry?: (info: { readonly attempt: number; readonly delayMs: number; readonly error: unknown }) => void;
  },
): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await operation(attempt);
    } catch (error) {
      const decision = decideRetry({
        error,
        attemptsMade: attempt,
        ...(options.policy ? { policy: options.policy } : {}),
        ...(options.random ? { random: options.random } : {}),
      });
      if (!decision.retry) throw error;
      options.onRetry?.({ attempt, delayMs: decision.delayMs, error });
      await options.clock.sleep(decision.delayMs, options.signal);
    }
  }
}
