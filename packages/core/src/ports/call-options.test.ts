import { describe, expect, it } from 'vitest';
import { AbortedError } from '../errors/index.js';
import { abortedError, sleepUnlessAborted, throwIfAborted, unlessAborted } from './call-options.js';
import { VirtualClock } from './clock/clock.js';

const site = { provider: 'kommo', operation: 'getLeads' };

function aborted(reason?: unknown): AbortSignal {
  const controller = new AbortController();
  controller.abort(reason);
  return controller.signal;
}

describe('call options', () => {
  it('abortedError names the call and keeps the reason as cause; an AbortedError reason is passed on as is', () => {
    const reason = new Error('shutdown');
    const error = abortedError(aborted(reason), site);
    expect(error).toMatchObject({ code: 'aborted', retryable: true, provider: 'kommo', operation: 'getLeads' });
    expect(error.cause).toBe(reason);
    const own = new AbortedError({ provider: 'sync', operation: 'pass' });
    expect(abortedError(aborted(own), site)).toBe(own);
  });

  it('throwIfAborted throws only for a signal that has aborted', () => {
    expect(() => throwIfAborted(undefined, site)).not.toThrow();
    expect(() => throwIfAborted({ signal: new AbortController().signal }, site)).not.toThrow();
    expect(() => throwIfAborted({ signal: aborted() }, site)).toThrow(AbortedError);
  });

  it('sleepUnlessAborted waits on the clock, and rejects with an AbortedError at the abort, leaving no timer', async () => {
    const clock = new VirtualClock(0);
    const controller = new AbortController();
    const sleeping = sleepUnlessAborted(clock, 60_000, { signal: controller.signal }, site);
    const settled = sleeping.catch((error: unknown) => error);
    await clock.advance(1000);
    controller.abort(new Error('stop'));
    expect(AbortedError.isInstance(await settled)).toBe(true);
    expect(clock.pendingTimers).toBe(0);
    await expect(sleepUnlessAborted(clock, 10, { signal: aborted() }, site)).rejects.toMatchObject({ code: 'aborted' });
    const plain = sleepUnlessAborted(clock, 10, undefined, site);
    await clock.advance(10);
    await expect(plain).resolves.toBeUndefined();
  });

  it('unlessAborted settles as the work does, or rejects at the abort without waiting for the work', async () => {
    await expect(unlessAborted(Promise.resolve(7), undefined, site)).resolves.toBe(7);
    await expect(unlessAborted(Promise.reject(new Error('boom')), { signal: new AbortController().signal }, site)).rejects.toThrow('boom');
    await expect(unlessAborted(Promise.resolve(7), { signal: aborted() }, site)).rejects.toMatchObject({ code: 'aborted' });
    const controller = new AbortController();
    const never = new Promise<number>(() => undefined);
    const pending = unlessAborted(never, { signal: controller.signal }, site);
    controller.abort();
    await expect(pending).rejects.toMatchObject({ code: 'aborted', operation: 'getLeads' });
  });
});
