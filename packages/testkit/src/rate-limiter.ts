/**
 * `runRateLimiterConformance`: proves a `RateLimiter` is a token bucket that never grants more
 * than `burst + ratePerSecond × t` (packages/core/src/ports/rate-limiter/rate-limiter.ts).
 */
import { randomUUID } from 'node:crypto';
import type { RateLimiter } from '@sdr/core';
import { describe, expect, it } from 'vitest';
import { arrange, createTimeControl, type ConformanceOptions, type SubjectBase } from './harness.js';

/** What `create` returns for the rate-limiter suite. */
export interface RateLimiterSubject extends SubjectBase {
  /** The implementation under test. */
  readonly limiter: RateLimiter;
}

/** Options of `runRateLimiterConformance`. */
export type RateLimiterConformanceOptions<Subject extends RateLimiterSubject = RateLimiterSubject> = ConformanceOptions<Subject>;

/** A rate so slow that refills during a test are negligible (one token per 1000 s). */
const frozenRate = 0.001;

/** Registers the `RateLimiter` conformance tests. Every test limits its own key. */
export function runRateLimiterConformance<Subject extends RateLimiterSubject>(options: RateLimiterConformanceOptions<Subject>): void {
  async function setup() {
    const subject = await arrange(options);
    return { subject, limiter: subject.limiter, time: createTimeControl(subject.clock), key: `conformance:rate:${randomUUID()}` };
  }

  describe(`RateLimiter conformance: ${options.name}`, () => {
    it(
      'declares contractVersion v1 and a provider name',
      async () => {
        const { limiter } = await setup();
        expect(limiter.contractVersion).toBe('v1');
        expect(limiter.provider.length).toBeGreaterThan(0);
      },
      options.timeoutMs,
    );

    it(
      'grants a full bucket of burst tokens, remaining counting down, then refuses with retryAfterMs > 0',
      async () => {
        const { limiter, key } = await setup();
        const rule = { ratePerSecond: frozenRate, burst: 5 };
        const remaining: number[] = [];
        for (let index = 0; index < 5; index += 1) {
          const decision = await limiter.consume(key, rule);
          expect(decision).toMatchObject({ allowed: true, retryAfterMs: 0 });
          remaining.push(Math.floor(decision.remaining));
        }
        expect(remaining).toEqual([4, 3, 2, 1, 0]);
        const refused = await limiter.consume(key, rule);
        expect(refused.allowed).toBe(false);
        expect(refused.retryAfterMs).toBeGreaterThan(0);
        expect(refused.retryAfterMs).toBeLessThanOrEqual(1000 / frozenRate);
      },
      options.timeoutMs,
    );

    it(
      'cost takes several tokens; a refused request takes none',
      async () => {
        const { limiter, key } = await setup();
        const rule = { ratePerSecond: frozenRate, burst: 5 };
        expect(await limiter.consume(key, rule, 3)).toMatchObject({ allowed: true });
        expect((await limiter.consume(key, rule, 3)).allowed).toBe(false);
        expect((await limiter.consume(key, rule, 2)).allowed).toBe(true);
        expect((await limiter.consume(key, rule, 1)).allowed).toBe(false);
      },
      options.timeoutMs,
    );

    it(
      'keys are independent buckets',
      async () => {
        const { limiter, key } = await setup();
        const rule = { ratePerSecond: frozenRate, burst: 1 };
        expect((await limiter.consume(key, rule)).allowed).toBe(true);
        expect((await limiter.consume(key, rule)).allowed).toBe(false);
        expect((await limiter.consume(`${key}:other`, rule)).allowed).toBe(true);
      },
      options.timeoutMs,
    );

    it(
      'after retryAfterMs the refused request is granted',
      async () => {
        const { limiter, key, time } = await setup();
        // On the real clock the refusal must come before the bucket refills: a one-second window
        // leaves room for a loaded machine between the two calls.
        const rule = { ratePerSecond: time.virtual ? 2 : 1, burst: 1 };
        expect((await limiter.consume(key, rule)).allowed).toBe(true);
        const refused = await limiter.consume(key, rule);
        expect(refused.allowed).toBe(false);
        expect(refused.retryAfterMs).toBeLessThanOrEqual(Math.ceil(1000 / rule.ratePerSecond));
        await time.pass(refused.retryAfterMs + (time.virtual ? 0 : 2));
        expect((await limiter.consume(key, rule)).allowed).toBe(true);
      },
      options.timeoutMs,
    );

    it(
      'concurrent requests on one bucket are granted exactly burst times',
      async () => {
        const { limiter, key } = await setup();
        const rule = { ratePerSecond: frozenRate, burst: 10 };
        const decisions = await Promise.all(Array.from({ length: 40 }, () => limiter.consume(key, rule)));
        expect(decisions.filter((decision) => decision.allowed)).toHaveLength(10);
      },
      options.timeoutMs,
    );

    it(
      'never grants more than burst + ratePerSecond × t over a window of t seconds (and refills at that rate)',
      async () => {
        const { limiter, key, time } = await setup();
        const rule = { ratePerSecond: 20, burst: 3 };
        const stepMs = time.virtual ? 10 : 5;
        const windowMs = time.virtual ? 5_000 : 150;
        const start = time.clock.now().getTime();
        let granted = 0;
        while (time.clock.now().getTime() - start < windowMs) {
          // Take greedily, but never more per step than a correct bucket could hold, so that a
          // limiter granting everything fails the bound instead of looping forever.
          for (let attempt = 0; attempt <= rule.burst; attempt += 1) {
            if (!(await limiter.consume(key, rule)).allowed) break;
            granted += 1;
          }
          await time.pass(stepMs);
        }
        const elapsedSeconds = (time.clock.now().getTime() - start) / 1000;
        expect(granted).toBeLessThanOrEqual(rule.burst + rule.ratePerSecond * elapsedSeconds);
        // On a virtual clock the refill is exact; a real clock only bounds it from above.
        if (time.virtual)
          expect(granted).toBeGreaterThanOrEqual(rule.burst + Math.floor((rule.ratePerSecond * (windowMs - stepMs)) / 1000));
      },
      options.timeoutMs,
    );
  });
}
