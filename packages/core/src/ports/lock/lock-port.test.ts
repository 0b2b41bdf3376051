import { describe, expect, it } from 'vitest';
import { LockNotAcquiredError } from '../../errors/index.js';
import { withLock, type AcquireOptions, type Lease, type LockPort } from './lock-port.js';

/** A minimal single-process LockPort that records what it was asked. */
class RecordingLock implements LockPort {
  readonly contractVersion = 'v1' as const;
  readonly provider = 'recording';
  readonly held = new Map<string, Lease>();
  readonly calls: string[] = [];
  failRelease = false;
  private token = 0;

  acquire(key: string, options: AcquireOptions): Promise<Lease | null> {
    this.calls.push(`acquire ${key} ttl=${options.ttlMs} wait=${options.waitMs ?? 0}`);
    if (this.held.has(key)) return Promise.resolve(null);
    const lease: Lease = { key, owner: `owner-${this.token}`, fencingToken: ++this.token, expiresAt: new Date(options.ttlMs) };
    this.held.set(key, lease);
    return Promise.resolve(lease);
  }

  extend(lease: Lease, ttlMs: number): Promise<Lease> {
    if (this.held.get(lease.key)?.owner !== lease.owner) return Promise.reject(new LockNotAcquiredError(lease.key));
    const extended = { ...lease, expiresAt: new Date(ttlMs) };
    this.held.set(lease.key, extended);
    return Promise.resolve(extended);
  }

  release(lease: Lease): Promise<boolean> {
    this.calls.push(`release ${lease.key} token=${lease.fencingToken}`);
    if (this.failRelease) return Promise.reject(new Error('redis connection lost'));
    if (this.held.get(lease.key)?.owner !== lease.owner) return Promise.resolve(false);
    this.held.delete(lease.key);
    return Promise.resolve(true);
  }
}

describe('withLock', () => {
  it('runs the function with the lease and releases it afterwards', async () => {
    const lock = new RecordingLock();
    const result = await withLock(lock, 'lead:a1', { ttlMs: 30_000, waitMs: 5000 }, (lease) => {
      expect(lock.held.get('lead:a1')).toBe(lease);
      return Promise.resolve(lease.fencingToken * 10);
    });
    expect(result).toBe(10);
    expect(lock.held.size).toBe(0);
    expect(lock.calls).toEqual(['acquire lead:a1 ttl=30000 wait=5000', 'release lead:a1 token=1']);
  });

  it('releases the lease when the function throws, and rethrows its error', async () => {
    const lock = new RecordingLock();
    const failure = new Error('booking failed');
    await expect(withLock(lock, 'slot:2026-03-02T13:00Z', { ttlMs: 1000 }, () => Promise.reject(failure))).rejects.toBe(failure);
    expect(lock.held.size).toBe(0);
    expect(lock.calls).toContain('release slot:2026-03-02T13:00Z token=1');
  });

  it('throws LockNotAcquiredError without running the function when the key stays held', async () => {
    const lock = new RecordingLock();
    await lock.acquire('lead:a1', { ttlMs: 1000 });
    let ran = false;
    const attempt = withLock(lock, 'lead:a1', { ttlMs: 1000 }, () => {
      ran = true;
      return Promise.resolve();
    });
    await expect(attempt).rejects.toSatisfy((error) => LockNotAcquiredError.isInstance(error) && error.key === 'lead:a1');
    expect(ran).toBe(false);
    expect(lock.calls.filter((call) => call.startsWith('release'))).toEqual([]);
  });

  it('a failed release does not turn a success into a failure', async () => {
    const lock = new RecordingLock();
    lock.failRelease = true;
    await expect(withLock(lock, 'k', { ttlMs: 1000 }, () => Promise.resolve('done'))).resolves.toBe('done');
  });

  it('a failed release does not hide the error of the function', async () => {
    const lock = new RecordingLock();
    lock.failRelease = true;
    const failure = new Error('original');
    await expect(withLock(lock, 'k', { ttlMs: 1000 }, () => Promise.reject(failure))).rejects.toBe(failure);
  });

  it('serialises work on one key: the second holder gets a greater fencing token', async () => {
    const lock = new RecordingLock();
    const tokens: number[] = [];
    await withLock(lock, 'k', { ttlMs: 1000 }, (lease) => {
      tokens.push(lease.fencingToken);
      return Promise.resolve();
    });
    await withLock(lock, 'k', { ttlMs: 1000 }, (lease) => {
      tokens.push(lease.fencingToken);
      return Promise.resolve();
    });
    expect(tokens).toEqual([1, 2]);
  });
});
