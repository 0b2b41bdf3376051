import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ProviderError, RateLimitedError, ValidationError } from '../../errors/index.js';
import { VirtualClock } from '../../ports/clock/clock.js';
import { backoffCeiling, backoffDelay, decideRetry, defaultRetryPolicy, retryOperation, type RetryPolicy } from './retry-policy.js';

const networkError = () => Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
const anyPolicy: fc.Arbitrary<RetryPolicy> = fc.record({
  maxAttempts: fc.integer({ min: 1, max: 20 }),
  baseDelayMs: fc.integer({ min: 1, max: 600_000 }),
  maxDelayMs: fc.integer({ min: 1, max: 86_400_000 }),
  factor: fc.double({ min: 1, max: 10, noNaN: true }),
});
const anyRandom = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });

describe('backoffCeiling', () => {
  it('grows by the factor from the base delay and stops at the cap', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9].map((attempt) => backoffCeiling(attempt))).toEqual([
      30_000, 60_000, 120_000, 240_000, 480_000, 960_000, 1_920_000, 3_600_000, 3_600_000,
    ]);
  });

  it('treats attempt 0 or less as the first retry', () => {
    expect(backoffCeiling(0)).toBe(30_000);
    expect(backoffCeiling(-3)).toBe(30_000);
  });

  it('stays at the cap for huge attempt numbers', () => {
    expect(backoffCeiling(10_000)).toBe(3_600_000);
  });

  it('follows a custom policy', () => {
    const policy: RetryPolicy = { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 1000, factor: 3 };
    expect([1, 2, 3, 4].map((attempt) => backoffCeiling(attempt, policy))).toEqual([100, 300, 900, 1000]);
  });

  it('is non-decreasing in the attempt and never above the cap', () => {
    fc.assert(
      fc.property(anyPolicy, fc.integer({ min: 1, max: 200 }), (policy, attempt) => {
        const ceiling = backoffCeiling(attempt, policy);
        expect(ceiling).toBeLessThanOrEqual(policy.maxDelayMs);
        expect(backoffCeiling(attempt + 1, policy)).toBeGreaterThanOrEqual(ceiling);
      }),
    );
  });
});

describe('backoffDelay (full jitter)', () => {
  it('scales the ceiling by the injected random number', () => {
    expect(backoffDelay(1, defaultRetryPolicy, () => 0)).toBe(0);
    expect(backoffDelay(1, defaultRetryPolicy, () => 0.5)).toBe(15_000);
    expect(backoffDelay(2, defaultRetryPolicy, () => 0.25)).toBe(15_000);
    expect(backoffDelay(1, defaultRetryPolicy, () => 0.999_999_9)).toBe(29_999);
  });

  it('never exceeds a fractional ceiling', () => {
    const policy: RetryPolicy = { maxAttempts: 10, baseDelayMs: 1000, maxDelayMs: 3_600_000, factor: 1.5 };
    expect(backoffCeiling(5, policy)).toBe(5062.5);
    expect(backoffDelay(5, policy, () => 0.999_999_99)).toBe(5062);
  });

  it('is always a whole number of milliseconds within [0, ceiling]', () => {
    fc.assert(
      fc.property(anyPolicy, fc.integer({ min: 1, max: 100 }), anyRandom, (policy, attempt, random) => {
        const delay = backoffDelay(attempt, policy, () => random);
        expect(Number.isInteger(delay)).toBe(true);
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThanOrEqual(backoffCeiling(attempt, policy));
      }),
    );
  });

  it('uses Math.random by default, still within bounds', () => {
    const delay = backoffDelay(3);
    expect(delay).toBeGreaterThanOrEqual(0);
    expect(delay).toBeLessThanOrEqual(120_000);
  });
});

describe('decideRetry', () => {
  it('stops at once on a permanent error', () => {
    expect(decideRetry({ error: ValidationError.forField('phone', 'is empty'), attemptsMade: 1 })).toEqual({
      retry: false,
      reason: 'permanent',
    });
    expect(
      decideRetry({ error: new ProviderError({ provider: 'kommo', operation: 'x', message: 'bad', status: 400 }), attemptsMade: 1 }),
    ).toEqual({
      retry: false,
      reason: 'permanent',
    });
  });

  it('stops after maxAttempts attempts', () => {
    expect(decideRetry({ error: networkError(), attemptsMade: 5 })).toEqual({ retry: false, reason: 'max_attempts' });
    expect(decideRetry({ error: networkError(), attemptsMade: 2, policy: { ...defaultRetryPolicy, maxAttempts: 2 } })).toEqual({
      retry: false,
      reason: 'max_attempts',
    });
    // even when the provider asked to come back later
    expect(decideRetry({ error: new RateLimitedError('429', { retryAfterMs: 1000 }), attemptsMade: 5 })).toEqual({
      retry: false,
      reason: 'max_attempts',
    });
  });

  it('retries a transient error after the jittered backoff', () => {
    expect(decideRetry({ error: networkError(), attemptsMade: 1, random: () => 0.5 })).toEqual({
      retry: true,
      delayMs: 15_000,
      reason: 'transient',
    });
    expect(decideRetry({ error: networkError(), attemptsMade: 4, random: () => 0.5 })).toEqual({
      retry: true,
      delayMs: 120_000,
      reason: 'transient',
    });
  });

  it('honours Retry-After, even above the cap', () => {
    const error = new RateLimitedError('429', { retryAfterMs: 2 * 3_600_000 });
    expect(decideRetry({ error, attemptsMade: 1, random: () => 0.5 })).toEqual({ retry: true, delayMs: 7_200_000, reason: 'retry_after' });
  });

  it('keeps the backoff when it is longer than Retry-After', () => {
    const error = new RateLimitedError('429', { retryAfterMs: 1000 });
    expect(decideRetry({ error, attemptsMade: 1, random: () => 0.5 })).toEqual({ retry: true, delayMs: 15_000, reason: 'transient' });
  });

  it('never waits less than Retry-After nor more than max(ceiling, Retry-After)', () => {
    fc.assert(
      fc.property(
        anyPolicy,
        fc.integer({ min: 1, max: 19 }),
        fc.integer({ min: 0, max: 10_000_000 }),
        anyRandom,
        (policy, attemptsMade, retryAfterMs, random) => {
          const decision = decideRetry({
            error: new RateLimitedError('429', { retryAfterMs }),
            attemptsMade,
            policy,
            random: () => random,
          });
          if (attemptsMade >= policy.maxAttempts) {
            expect(decision).toEqual({ retry: false, reason: 'max_attempts' });
            return;
          }
          expect(decision.retry).toBe(true);
          if (!decision.retry) return;
          expect(decision.delayMs).toBeGreaterThanOrEqual(retryAfterMs);
          expect(decision.delayMs).toBeLessThanOrEqual(Math.max(retryAfterMs, backoffCeiling(attemptsMade, policy)));
        },
      ),
    );
  });
});

describe('retryOperation on a VirtualClock', () => {
  const start = '2026-03-02T13:00:00Z';

  it('waits the backoff between attempts and returns the first success', async () => {
    const clock = new VirtualClock(start);
    const attemptTimes: number[] = [];
    const retries: Array<{ attempt: number; delayMs: number }> = [];
    const result = retryOperation(
      (attempt) => {
        attemptTimes.push(clock.now().getTime() - Date.parse(start));
        return attempt < 3 ? Promise.reject(networkError()) : Promise.resolve('sent');
      },
      { clock, random: () => 0.5, onRetry: ({ attempt, delayMs }) => retries.push({ attempt, delayMs }) },
    );

    await clock.advance(14_999);
    expect(attemptTimes).toEqual([0]);
    await clock.advance(1);
    expect(attemptTimes).toEqual([0, 15_000]);
    await clock.advance(30_000);
    await expect(result).resolves.toBe('sent');
    expect(attemptTimes).toEqual([0, 15_000, 45_000]);
    expect(retries).toEqual([
      { attempt: 1, delayMs: 15_000 },
      { attempt: 2, delayMs: 30_000 },
    ]);
    expect(clock.pendingTimers).toBe(0);
  });

  it('stops on a permanent error and rethrows it', async () => {
    const clock = new VirtualClock(start);
    const permanent = ValidationError.forField('phone', 'is empty');
    let attempts = 0;
    const result = retryOperation(
      (attempt) => {
        attempts = attempt;
        return Promise.reject(attempt === 1 ? networkError() : permanent);
      },
      { clock, random: () => 0 },
    );
    const settled = expect(result).rejects.toBe(permanent);
    await clock.advance(0);
    await settled;
    expect(attempts).toBe(2);
    expect(clock.pendingTimers).toBe(0);
  });

  it('gives up after maxAttempts with the last error', async () => {
    const clock = new VirtualClock(start);
    const errors: Error[] = [];
    const result = retryOperation(
      () => {
        const error = networkError();
        errors.push(error);
        return Promise.reject(error);
      },
      { clock, policy: { maxAttempts: 3, baseDelayMs: 1000, maxDelayMs: 10_000, factor: 2 }, random: () => 0.999_999 },
    );
    const settled = expect(result).rejects.toSatisfy((error) => error === errors[2]);
    await clock.advance(1000);
    await clock.advance(2000);
    await settled;
    expect(errors).toHaveLength(3);
  });

  it('honours Retry-After above the cap', async () => {
    const clock = new VirtualClock(start);
    let attempts = 0;
    const result = retryOperation(
      () => {
        attempts += 1;
        return attempts === 1 ? Promise.reject(new RateLimitedError('429', { retryAfterMs: 2 * 3_600_000 })) : Promise.resolve(attempts);
      },
      { clock, random: () => 0 },
    );
    await clock.advance(2 * 3_600_000 - 1);
    expect(attempts).toBe(1);
    await clock.advance(1);
    await expect(result).resolves.toBe(2);
  });

  it('stops waiting when the signal aborts', async () => {
    const clock = new VirtualClock(start);
    const controller = new AbortController();
    let attempts = 0;
    const result = retryOperation(
      () => {
        attempts += 1;
        return Promise.reject(networkError());
      },
      { clock, signal: controller.signal, random: () => 0.5 },
    );
    const settled = expect(result).rejects.toMatchObject({ name: 'AbortError' });
    await clock.advance(1000);
    controller.abort();
    await settled;
    expect(attempts).toBe(1);
    expect(clock.pendingTimers).toBe(0);
  });
});
