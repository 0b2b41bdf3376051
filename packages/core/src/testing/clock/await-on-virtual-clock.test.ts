import { describe, expect, it } from 'vitest';
import { SdrError } from '../../errors/index.js';
import { VirtualClock } from '../../ports/clock/clock.js';
import { awaitOnVirtualClock } from './await-on-virtual-clock.js';

describe('awaitOnVirtualClock', () => {
  it('advances the clock timer by timer until the work settles, and gives its result', async () => {
    const clock = new VirtualClock('2031-01-01T00:00:00Z');
    const work = async () => {
      await clock.sleep(1000);
      await new Promise<void>((resolve) => setTimeout(resolve, 2));
      await clock.sleep(500);
      return 'done';
    };
    expect(await awaitOnVirtualClock(clock, work())).toBe('done');
    expect(clock.now().toISOString()).toBe('2031-01-01T00:00:01.500Z');
  });

  it('rejects as the work does, and refuses to run past the virtual time allowed', async () => {
    const clock = new VirtualClock('2031-01-01T00:00:00Z');
    await expect(
      awaitOnVirtualClock(
        clock,
        clock.sleep(10).then(() => Promise.reject(new Error('boom'))),
      ),
    ).rejects.toThrow('boom');
    const never = awaitOnVirtualClock(clock, clock.sleep(10_000), { maxMs: 1000 }).catch((error: unknown) => error);
    expect(SdrError.isInstance(await never)).toBe(true);
  });
});
