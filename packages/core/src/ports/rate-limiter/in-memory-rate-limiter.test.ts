import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../errors/index.js';
import { VirtualClock } from '../clock/clock.js';
import { acquireRate } from './rate-limiter.js';
import { createInMemoryRateLimiter } from './in-memory-rate-limiter.js';

function setup() {
  const clock = new VirtualClock('2031-01-01T00:00:00Z');
  return { clock, limiter: createInMemoryRateLimiter({ clock }) };
}

describe('createInMemoryRateLimiter', () => {
  it('starts full, refuses without taking anything, and grants again exactly after retryAfterMs', async () => {
    const { clock, limiter } = setup();
    const rule = { ratePerSecond: 7, burst: 2 };
    expect(await limiter.consume('k', rule)).toEqual({ allowed: true, retryAfterMs: 0, remaining: 1 });
    expect((await limiter.consume('k', rule)).allowed).toBe(true);
    const refused = await limiter.consume('k', rule);
    expect(refused).toMatchObject({ allowed: false, retryAfterMs: 143, remaining: 0 });
    await clock.advance(142);
    expect((await limiter.consume('k', rule)).allowed).toBe(false);
    await clock.advance(1);
    expect((await limiter.consume('k', rule)).allowed).toBe(true);
  });

  it('never grants more than burst + rate × t over any window, for awkward rates too', async () => {
    for (const rule of [
      { ratePerSecond: 7, burst: 7 },
      { ratePerSecond: 1 / 3, burst: 1 },
      { ratePerSecond: 0.7, burst: 3 },
      { ratePerSecond: 13.3, burst: 5 },
    ]) {
      const { clock, limiter } = setup();
      const grants: number[] = [];
      const start = clock.now().getTime();
      while (clock.now().getTime() - start < 20_000) {
        const decision = await limiter.consume('k', rule);
        if (decision.allowed) grants.push(clock.now().getTime());
        else await clock.advance(Math.min(decision.retryAfterMs, 37));
      }
      // Every window [grants[i], grants[j]] holds at most burst + rate × its length.
      for (let first = 0; first < grants.length; first += 1) {
        for (let last = first; last < grants.length; last += 1) {
          const seconds = ((grants[last] ?? 0) - (grants[first] ?? 0)) / 1000;
          expect(last - first + 1).toBeLessThanOrEqual(rule.burst + rule.ratePerSecond * seconds + 1e-9);
        }
      }
      // And it is not stingy: over 20 s it grants (almost) all it may.
      expect(grants.length).toBeGreaterThanOrEqual(Math.floor(rule.burst + rule.ratePerSecond * 20) - 1);
    }
  });

  it('acquireRate waits on the clock until granted', async () => {
    const { clock, limiter } = setup();
    const rule = { ratePerSecond: 2, burst: 1 };
    await limiter.consume('k', rule);
    let done = false;
    const waiting = acquireRate(limiter, clock, { key: 'k', rule }).then(() => {
      done = true;
    });
    await clock.advance(499);
    expect(done).toBe(false);
    await clock.advance(1);
    await waiting;
    expect(done).toBe(true);
  });

  it('refuses a cost above the burst (it could never be granted) and a bad rule', async () => {
    const { limiter } = setup();
    await expect(limiter.consume('k', { ratePerSecond: 1, burst: 2 }, 3)).rejects.toSatisfy(
      ValidationError.isInstance.bind(ValidationError),
    );
    await expect(limiter.consume('k', { ratePerSecond: 0, burst: 2 })).rejects.toSatisfy(ValidationError.isInstance.bind(ValidationError));
  });
});
