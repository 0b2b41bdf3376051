import { describe, expect, it } from 'vitest';
import { AbortedError, LockNotAcquiredError } from '../../errors/index.js';
import { awaitOnVirtualClock } from '../../testing/clock/await-on-virtual-clock.js';
import { createInMemoryCredentialStore } from '../../testing/credentials/in-memory-credential-store.js';
import { createInMemoryLock } from '../../ports/lock/in-memory-lock.js';
import { sleepUnlessAborted } from '../call-options.js';
import { VirtualClock } from '../clock/clock.js';
import type { StoredCredential } from './credential-store.js';
import { refreshCredential, type CredentialValue, type RefreshCredentialInput } from './refresh-credential.js';

const minute = 60_000;

/**
 * A vendor that rotates the refresh token on every refresh (as Kommo does): the old one stops
 * working, and a refresh takes `latencyMs` on the clock.
 */
function rotatingVendor(clock: VirtualClock, latencyMs = 2000) {
  let generation = 1;
  const calls: (StoredCredential | null)[] = [];
  return {
    calls,
    get current() {
      return `refresh-${generation}`;
    },
    async refresh(current: StoredCredential | null): Promise<CredentialValue> {
      calls.push(current);
      await clock.sleep(latencyMs);
      if (current !== null && current.value['refreshToken'] !== `refresh-${generation}`) throw new Error('refresh token already rotated');
      generation += 1;
      return { accessToken: `access-${generation}`, refreshToken: `refresh-${generation}`, expiresAt: clock.now().getTime() + 60 * minute };
    },
  };
}

function world() {
  const clock = new VirtualClock('2031-01-01T12:00:00Z');
  const store = createInMemoryCredentialStore({ clock });
  const lock = createInMemoryLock({ clock });
  const vendor = rotatingVendor(clock);
  const input = (overrides: Partial<RefreshCredentialInput> = {}): RefreshCredentialInput => ({
    store,
    lock,
    lockKey: 'credentials:kommo:31337',
    key: 'oauth',
    clock,
    isUsable: (value, now) => typeof value['expiresAt'] === 'number' && value['expiresAt'] - now.getTime() > 5 * minute,
    refresh: (current) => vendor.refresh(current),
    ...overrides,
  });
  return { clock, store, lock, vendor, input };
}

describe('refreshCredential', () => {
  it('two processes refreshing at once: one refresh, both get the same token, the last rotated refresh token is stored', async () => {
    const { clock, store, vendor, input } = world();
    await store.compareAndSet('oauth', { accessToken: 'access-1', refreshToken: 'refresh-1', expiresAt: clock.now().getTime() }, null);
    const [first, second] = await awaitOnVirtualClock(clock, Promise.all([refreshCredential(input()), refreshCredential(input())]));
    expect(vendor.calls).toHaveLength(1);
    expect(first).toEqual(second);
    expect(first).toMatchObject({ accessToken: 'access-2', refreshToken: 'refresh-2' });
    expect(await store.get('oauth')).toMatchObject({ value: { refreshToken: vendor.current }, version: 2 });
  });

  it('a stored value that is still usable is returned without a refresh', async () => {
    const { clock, store, vendor, input } = world();
    const value = { accessToken: 'access-1', refreshToken: 'refresh-1', expiresAt: clock.now().getTime() + 30 * minute };
    await store.compareAndSet('oauth', value, null);
    expect(await refreshCredential(input())).toEqual(value);
    expect(vendor.calls).toEqual([]);
  });

  it('nothing stored yet: refresh receives null and its result is the first version', async () => {
    const { clock, store, vendor, input } = world();
    const value = await awaitOnVirtualClock(clock, refreshCredential(input()));
    expect(vendor.calls).toEqual([null]);
    expect(await store.get('oauth')).toMatchObject({ value, version: 1 });
  });

  it('a lost compare-and-set (a writer without the lock) re-reads and returns the winner’s value', async () => {
    const { clock, store, input } = world();
    await store.compareAndSet('oauth', { refreshToken: 'refresh-1', expiresAt: 0 }, null);
    const winner = { accessToken: 'access-winner', refreshToken: 'refresh-winner', expiresAt: clock.now().getTime() + 60 * minute };
    const value = await refreshCredential(
      input({
        refresh: async (current) => {
          // Someone whose lease had expired writes meanwhile.
          await store.compareAndSet('oauth', winner, current?.version ?? null);
          return { accessToken: 'access-loser', refreshToken: 'refresh-loser', expiresAt: 0 };
        },
      }),
    );
    expect(value).toEqual(winner);
    expect(await store.get('oauth')).toMatchObject({ value: winner, version: 2 });
  });

  it('an aborted signal gives up before the lock and before the vendor; nothing is written', async () => {
    const { store, vendor, lock, input } = world();
    const controller = new AbortController();
    controller.abort();
    await expect(refreshCredential(input({ signal: controller.signal }))).rejects.toSatisfy((error) => AbortedError.isInstance(error));
    expect(vendor.calls).toEqual([]);
    expect(await store.get('oauth')).toBeNull();
    expect(lock.holder('credentials:kommo:31337')).toBeNull();
  });

  it('the signal reaches the store calls and the vendor call; an abort mid-refresh leaves the stored credential as it was', async () => {
    const { clock, store, input } = world();
    await store.compareAndSet('oauth', { refreshToken: 'refresh-1', expiresAt: 0 }, null);
    const controller = new AbortController();
    const refreshing = refreshCredential(
      input({
        signal: controller.signal,
        refresh: async (_current, options) => {
          await sleepUnlessAborted(clock, 5000, options, { provider: 'kommo', operation: 'refresh' });
          return { refreshToken: 'never', expiresAt: 0 };
        },
      }),
    ).catch((error: unknown) => error);
    await clock.advance(1000);
    controller.abort();
    expect(AbortedError.isInstance(await refreshing)).toBe(true);
    expect(await store.get('oauth')).toMatchObject({ value: { refreshToken: 'refresh-1' }, version: 1 });
  });

  it('a refresh held by another process beyond lockWaitMs is a LockNotAcquiredError', async () => {
    const { clock, lock, input } = world();
    await lock.acquire('credentials:kommo:31337', { ttlMs: 10 * minute });
    const outcome = awaitOnVirtualClock(
      clock,
      refreshCredential(input({ lockWaitMs: 1000 })).catch((error: unknown) => error),
    );
    expect(LockNotAcquiredError.isInstance(await outcome)).toBe(true);
  });
});
