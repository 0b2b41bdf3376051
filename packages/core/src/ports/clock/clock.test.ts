import { afterEach, describe, expect, it, vi } from 'vitest';
import { SdrError } from '../../errors/index.js';
import { VirtualClock, systemClock } from './clock.js';

/** Tracks whether a promise settled, without awaiting it. */
function track<T>(promise: Promise<T>): { readonly state: () => 'pending' | 'resolved' | 'rejected'; readonly reason: () => unknown } {
  let state: 'pending' | 'resolved' | 'rejected' = 'pending';
  let reason: unknown;
  promise.then(
    () => {
      state = 'resolved';
    },
    (error: unknown) => {
      state = 'rejected';
      reason = error;
    },
  );
  return { state: () => state, reason: () => reason };
}

describe('VirtualClock', () => {
  it('starts where it is told and only moves when advanced', async () => {
    expect(new VirtualClock().now().getTime()).toBe(0);
    expect(new VirtualClock(1_000).now().getTime()).toBe(1_000);
    expect(new VirtualClock(new Date('2026-03-02T13:00:00Z')).now().toISOString()).toBe('2026-03-02T13:00:00.000Z');
    const clock = new VirtualClock('2026-03-02T13:00:00Z');
    expect(clock.contractVersion).toBe('v1');
    await clock.advance(90_000);
    expect(clock.now().toISOString()).toBe('2026-03-02T13:01:30.000Z');
  });

  it('returns a fresh Date from now()', () => {
    const clock = new VirtualClock(0);
    const first = clock.now();
    first.setTime(999);
    expect(clock.now().getTime()).toBe(0);
  });

  it('rejects an invalid start', () => {
    expect(() => new VirtualClock('not a date')).toThrow(SdrError);
  });

  it('resolves a sleep only when enough time has passed', async () => {
    const clock = new VirtualClock(0);
    const sleep = track(clock.sleep(1000));
    await clock.advance(999);
    expect(sleep.state()).toBe('pending');
    await clock.advance(1);
    expect(sleep.state()).toBe('resolved');
  });

  it('fires timers in time order, at their own instant, whatever the scheduling order', async () => {
    const clock = new VirtualClock(0);
    const fired: Array<[string, number]> = [];
    for (const [name, ms] of [
      ['c', 300],
      ['a', 100],
      ['b', 200],
      ['a2', 100],
    ] as const) {
      clock.schedule(ms, () => fired.push([name, clock.now().getTime()]));
    }
    expect(clock.pendingTimers).toBe(4);
    expect(clock.nextTimerAt()?.getTime()).toBe(100);
    await clock.advance(250);
    expect(fired).toEqual([
      ['a', 100],
      ['a2', 100],
      ['b', 200],
    ]);
    expect(clock.now().getTime()).toBe(250);
    await clock.advance(1000);
    expect(fired.map(([name]) => name)).toEqual(['a', 'a2', 'b', 'c']);
    expect(clock.pendingTimers).toBe(0);
    expect(clock.nextTimerAt()).toBeUndefined();
  });

  it('lets the work a timer triggers settle before the next timer fires', async () => {
    const clock = new VirtualClock(0);
    const log: string[] = [];
    clock.schedule(10, () => {
      void (async () => {
        await Promise.resolve();
        await new Promise<void>((resolve) => setImmediate(resolve));
        log.push('work of the first timer done');
      })();
    });
    clock.schedule(20, () => log.push('second timer'));
    await clock.advance(20);
    expect(log).toEqual(['work of the first timer done', 'second timer']);
  });

  it('fires, in the same advance, timers scheduled by timers', async () => {
    const clock = new VirtualClock(0);
    const fired: number[] = [];
    clock.schedule(100, () => {
      fired.push(clock.now().getTime());
      clock.schedule(50, () => fired.push(clock.now().getTime()));
    });
    await clock.advance(1000);
    expect(fired).toEqual([100, 150]);
  });

  it('chains sleeps: a loop of sleeps runs to completion in one advance', async () => {
    const clock = new VirtualClock(0);
    const wakeUps: number[] = [];
    const loop = (async () => {
      for (let index = 0; index < 5; index += 1) {
        await clock.sleep(60_000);
        wakeUps.push(clock.now().getTime());
      }
    })();
    await clock.advance(5 * 60_000);
    await loop;
    expect(wakeUps).toEqual([60_000, 120_000, 180_000, 240_000, 300_000]);
  });

  it('cancels a scheduled timer', async () => {
    const clock = new VirtualClock(0);
    const fired: string[] = [];
    const cancel = clock.schedule(100, () => fired.push('cancelled'));
    clock.schedule(100, () => fired.push('kept'));
    cancel();
    cancel();
    expect(clock.pendingTimers).toBe(1);
    await clock.advance(100);
    expect(fired).toEqual(['kept']);
  });

  it('treats a negative sleep as zero', async () => {
    const clock = new VirtualClock(0);
    const sleep = track(clock.sleep(-5));
    await clock.advance(0);
    expect(sleep.state()).toBe('resolved');
  });

  it('advanceTo and set move to an instant, firing what is due', async () => {
    const clock = new VirtualClock('2026-03-02T13:00:00Z');
    const sleep = track(clock.sleep(3_600_000));
    await clock.advanceTo(new Date('2026-03-02T13:30:00Z'));
    expect(sleep.state()).toBe('pending');
    await clock.advanceTo(Date.parse('2026-03-02T14:00:00Z'));
    expect(sleep.state()).toBe('resolved');
    await clock.set('2026-03-03T00:00:00Z');
    expect(clock.now().toISOString()).toBe('2026-03-03T00:00:00.000Z');
    await clock.advanceTo(clock.now());
    expect(clock.now().toISOString()).toBe('2026-03-03T00:00:00.000Z');
  });

  it('cannot go backwards', async () => {
    const clock = new VirtualClock('2026-03-02T13:00:00Z');
    await expect(clock.advance(-1)).rejects.toThrow('VirtualClock cannot go backwards');
    await expect(clock.advanceTo(new Date('2026-03-02T12:59:59Z'))).rejects.toThrow(SdrError);
    await expect(clock.set('2026-03-01T00:00:00Z')).rejects.toThrow(SdrError);
    expect(clock.now().toISOString()).toBe('2026-03-02T13:00:00.000Z');
  });

  describe('sleep with an AbortSignal', () => {
    it('rejects at once when the signal is already aborted, scheduling nothing', async () => {
      const clock = new VirtualClock(0);
      await expect(clock.sleep(1000, AbortSignal.abort())).rejects.toMatchObject({ name: 'AbortError' });
      expect(clock.pendingTimers).toBe(0);
    });

    it('rejects when aborted while sleeping and removes its timer', async () => {
      const clock = new VirtualClock(0);
      const controller = new AbortController();
      const sleep = clock.sleep(1000, controller.signal);
      await clock.advance(500);
      controller.abort();
      await expect(sleep).rejects.toMatchObject({ name: 'AbortError' });
      expect(clock.pendingTimers).toBe(0);
    });

    it('rejects with the abort reason when it is an Error, with an AbortError otherwise', async () => {
      const clock = new VirtualClock(0);
      const reason = new Error('shutting down');
      const withError = new AbortController();
      const sleepWithError = clock.sleep(1000, withError.signal);
      withError.abort(reason);
      await expect(sleepWithError).rejects.toBe(reason);

      const withString = new AbortController();
      const sleepWithString = clock.sleep(1000, withString.signal);
      withString.abort('bye');
      await expect(sleepWithString).rejects.toMatchObject({ name: 'AbortError' });
    });

    it('ignores an abort after the sleep finished', async () => {
      const clock = new VirtualClock(0);
      const controller = new AbortController();
      const sleep = track(clock.sleep(100, controller.signal));
      await clock.advance(100);
      controller.abort();
      await clock.advance(0);
      expect(sleep.state()).toBe('resolved');
    });
  });
});

describe('systemClock', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('is a v1 clock reading the real time', () => {
    expect(systemClock.contractVersion).toBe('v1');
    expect(systemClock.now()).toBeInstanceOf(Date);
    expect(Object.isFrozen(systemClock)).toBe(true);
  });

  it('rejects at once when the signal is already aborted', async () => {
    await expect(systemClock.sleep(60_000, AbortSignal.abort())).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('rejects when aborted while sleeping, with the reason when it is an Error', async () => {
    const controller = new AbortController();
    const sleep = systemClock.sleep(60_000, controller.signal);
    const reason = new Error('shutting down');
    controller.abort(reason);
    await expect(sleep).rejects.toBe(reason);
  });

  it('resolves after the delay (fake timers)', async () => {
    vi.useFakeTimers();
    const sleep = track(systemClock.sleep(1000, new AbortController().signal));
    await vi.advanceTimersByTimeAsync(999);
    expect(sleep.state()).toBe('pending');
    await vi.advanceTimersByTimeAsync(1);
    expect(sleep.state()).toBe('resolved');
  });

  it('sleeps longer than setTimeout can wait (2^31 − 1 ms) without waking early', async () => {
    vi.useFakeTimers();
    const thirtyDays = 30 * 86_400_000;
    const sleep = track(systemClock.sleep(thirtyDays));
    await vi.advanceTimersByTimeAsync(1000);
    expect(sleep.state()).toBe('pending');
    await vi.advanceTimersByTimeAsync(thirtyDays - 1001);
    expect(sleep.state()).toBe('pending');
    await vi.advanceTimersByTimeAsync(1);
    expect(sleep.state()).toBe('resolved');
  });

  it('can abort a long sleep in its second chunk', async () => {
    vi.useFakeTimers();
    const controller = new AbortController();
    const sleep = track(systemClock.sleep(30 * 86_400_000, controller.signal));
    await vi.advanceTimersByTimeAsync(26 * 86_400_000);
    controller.abort();
    await vi.advanceTimersByTimeAsync(0);
    expect(sleep.state()).toBe('rejected');
    expect(sleep.reason()).toMatchObject({ name: 'AbortError' });
    expect(vi.getTimerCount()).toBe(0);
  });
});
