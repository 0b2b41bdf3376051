import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../clock/clock.js';
import { acquireRate, type RateDecision, type RateLimiter, type RateRule } from './rate-limiter.js';

/** Answers with a scripted list of decisions (then always allows), recording when it was asked. */
class ScriptedLimiter implements RateLimiter {
  readonly contractVersion = 'v1' as const;
  readonly provider = 'scripted';
  readonly calls: Array<{ key: string; rule: RateRule; cost: number | undefined; at: number }> = [];

  constructor(
    private readonly clock: VirtualClock,
    private readonly script: RateDecision[],
  ) {}

  consume(key: string, rule: RateRule, cost?: number): Promise<RateDecision> {
    this.calls.push({ key, rule, cost, at: this.clock.now().getTime() });
    return Promise.resolve(this.script.shift() ?? { allowed: true, retryAfterMs: 0, remaining: 0 });
  }
}

const rule: RateRule = { ratePerSecond: 7, burst: 7 };
const denied = (retryAfterMs: number): RateDecision => ({ allowed: false, retryAfterMs, remaining: 0 });

describe('acquireRate', () => {
  it('returns at once when the limiter allows', async () => {
    const clock = new VirtualClock(0);
    const limiter = new ScriptedLimiter(clock, []);
    await acquireRate(limiter, clock, { key: 'crm:kommo:31234567', rule });
    expect(limiter.calls).toEqual([{ key: 'crm:kommo:31234567', rule, cost: 1, at: 0 }]);
  });

  it('waits on the clock for retryAfterMs, then asks again', async () => {
    const clock = new VirtualClock(0);
    const limiter = new ScriptedLimiter(clock, [denied(143), denied(500)]);
    let granted = false;
    const acquired = acquireRate(limiter, clock, { key: 'k', rule, cost: 3 }).then(() => {
      granted = true;
    });
    await clock.advance(142);
    expect(granted).toBe(false);
    expect(limiter.calls.map((call) => call.at)).toEqual([0]);
    await clock.advance(1);
    expect(limiter.calls.map((call) => call.at)).toEqual([0, 143]);
    await clock.advance(500);
    await acquired;
    expect(granted).toBe(true);
    expect(limiter.calls.map((call) => [call.at, call.cost])).toEqual([
      [0, 3],
      [143, 3],
      [643, 3],
    ]);
  });

  it('waits at least 1 ms between tries, so a retryAfterMs of 0 cannot spin', async () => {
    const clock = new VirtualClock(0);
    const limiter = new ScriptedLimiter(clock, [denied(0), denied(0)]);
    const acquired = acquireRate(limiter, clock, { key: 'k', rule });
    await clock.advance(2);
    await acquired;
    expect(limiter.calls.map((call) => call.at)).toEqual([0, 1, 2]);
  });

  it('rejects when the signal aborts while waiting', async () => {
    const clock = new VirtualClock(0);
    const limiter = new ScriptedLimiter(clock, [denied(60_000)]);
    const controller = new AbortController();
    const acquired = acquireRate(limiter, clock, { key: 'k', rule, signal: controller.signal });
    const settled = expect(acquired).rejects.toMatchObject({ name: 'AbortError' });
    await clock.advance(1000);
    controller.abort();
    await settled;
    expect(limiter.calls).toHaveLength(1);
    expect(clock.pendingTimers).toBe(0);
  });
});
