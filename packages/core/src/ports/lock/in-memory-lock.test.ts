import { describe, expect, it } from 'vitest';
import { LockNotAcquiredError, ValidationError } from '../../errors/index.js';
import { VirtualClock } from '../clock/clock.js';
import type { Lease } from './lock-port.js';
import { createInMemoryLock } from './in-memory-lock.js';

function setup() {
  const clock = new VirtualClock('2031-01-01T00:00:00Z');
  return { clock, lock: createInMemoryLock({ clock }) };
}

async function acquired(promise: Promise<Lease | null>): Promise<Lease> {
  const lease = await promise;
  if (lease === null) throw new Error('expected a lease');
  return lease;
}

describe('createInMemoryLock', () => {
  it('fencing tokens strictly increase per key across release and expiry; keys are independent', async () => {
    const { clock, lock } = setup();
    const tokens: number[] = [];
    const first = await acquired(lock.acquire('k', { ttlMs: 1000 }));
    tokens.push(first.fencingToken);
    await lock.release(first);
    const second = await acquired(lock.acquire('k', { ttlMs: 1000 }));
    tokens.push(second.fencingToken);
    await clock.advance(1000);
    tokens.push((await acquired(lock.acquire('k', { ttlMs: 1000 }))).fencingToken);
    expect(tokens).toEqual([1, 2, 3]);
    expect((await acquired(lock.acquire('other', { ttlMs: 1000 }))).fencingToken).toBe(1);
    expect(first.owner).not.toBe(second.owner);
  });

  it('a lease expires exactly at expiresAt on the clock', async () => {
    const { clock, lock } = setup();
    const lease = await acquired(lock.acquire('k', { ttlMs: 1000 }));
    expect(lease.expiresAt.getTime()).toBe(clock.now().getTime() + 1000);
    await clock.advance(999);
    expect(await lock.acquire('k', { ttlMs: 1000 })).toBeNull();
    expect(lock.holder('k')?.owner).toBe(lease.owner);
    await clock.advance(1);
    expect(lock.holder('k')).toBeNull();
    expect(await lock.acquire('k', { ttlMs: 1000 })).not.toBeNull();
  });

  it('an expired lease cannot extend (LockNotAcquiredError) or release (false), whether or not the key was taken since', async () => {
    const { clock, lock } = setup();
    const expired = await acquired(lock.acquire('k', { ttlMs: 1000 }));
    await clock.advance(1500);
    await expect(lock.extend(expired, 1000)).rejects.toSatisfy(LockNotAcquiredError.isInstance.bind(LockNotAcquiredError));
    expect(await lock.release(expired)).toBe(false);
    const current = await acquired(lock.acquire('k', { ttlMs: 1000 }));
    await expect(lock.extend(expired, 1000)).rejects.toSatisfy(LockNotAcquiredError.isInstance.bind(LockNotAcquiredError));
    expect(await lock.release(expired)).toBe(false);
    expect(lock.holder('k')?.owner).toBe(current.owner);
    const extended = await lock.extend(current, 5000);
    expect(extended).toMatchObject({ owner: current.owner, fencingToken: current.fencingToken });
    expect(extended.expiresAt.getTime()).toBe(clock.now().getTime() + 5000);
    expect(await lock.release(extended)).toBe(true);
  });

  it('waitMs polls on the clock: the waiter gets the key soon after the holder releases it, or null at the deadline', async () => {
    const { clock, lock } = setup();
    const holder = await acquired(lock.acquire('k', { ttlMs: 60_000 }));
    const waiting = lock.acquire('k', { ttlMs: 1000, waitMs: 10_000 });
    await clock.advance(120);
    await lock.release(holder);
    await clock.advance(50);
    const lease = await waiting;
    expect(lease?.fencingToken).toBe(holder.fencingToken + 1);

    const start = clock.now().getTime();
    const giveUp = lock.acquire('k', { ttlMs: 1000, waitMs: 300 });
    await clock.advance(300);
    expect(await giveUp).toBeNull();
    expect(clock.now().getTime() - start).toBe(300);
  });

  it('a release hands the key to a waiter at once, not at its next poll', async () => {
    const { clock, lock } = setup();
    let current = await acquired(lock.acquire('k', { ttlMs: 10_000 }));
    const waiters = Array.from({ length: 5 }, () => lock.acquire('k', { ttlMs: 1000, waitMs: 5000 }));
    await clock.advance(10);
    const releasedAt = clock.now().getTime();
    const owners = new Set<string>();
    for (let handover = 0; handover < 5; handover += 1) {
      await lock.release(current);
      await clock.advance(0);
      const next = lock.holder('k');
      expect(next?.expiresAt.getTime()).toBe(releasedAt + 1000);
      owners.add(next!.owner);
      current = next!;
    }
    expect(owners.size).toBe(5);
    expect((await Promise.all(waiters)).map((lease) => lease?.owner).sort()).toEqual([...owners].sort());
    expect(clock.now().getTime()).toBe(releasedAt);
    expect(clock.pendingTimers).toBe(0);
  });

  it('concurrent single tries: exactly one wins', async () => {
    const { lock } = setup();
    const leases = await Promise.all(Array.from({ length: 10 }, () => lock.acquire('k', { ttlMs: 1000 })));
    expect(leases.filter((lease) => lease !== null)).toHaveLength(1);
  });

  it('rejects a non-positive ttl', async () => {
    const { lock } = setup();
    await expect(lock.acquire('k', { ttlMs: 0 })).rejects.toSatisfy(ValidationError.isInstance.bind(ValidationError));
  });
});
