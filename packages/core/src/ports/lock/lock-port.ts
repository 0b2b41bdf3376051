// The LockPort v1 contract is documented on the `LockPort` interface below, where the API reference shows it.
import { LockNotAcquiredError } from '../../errors/index.js';

export interface Lease {
  readonly key: string;
  /** Random id of this holder; proves ownership on extend/release. */
  readonly owner: string;
  /** Strictly increasing per key. */
  readonly fencingToken: number;
  readonly expiresAt: Date;
}

export interface AcquireOptions {
  /** Lease duration. */
  readonly ttlMs: number;
  /** How long to keep trying while the key is held (default 0: one try). */
  readonly waitMs?: number;
}

/**
 * Distributed mutual exclusion with leases and fencing tokens (Redis, PostgreSQL advisory
 * locks, or in-process).
 *
 * Contract:
 * - At most one live lease per key at any time. A lease expires after its TTL unless extended.
 * - Every successful `acquire` of a key returns a **fencing token strictly greater** than every
 *   token issued before for that key, so a resource can refuse writes from a stale holder.
 * - `extend` and `release` act only on the lease they are given: once a lease expired (and
 *   whether or not another took the key), extending it throws `LockNotAcquiredError` and releasing
 *   it returns `false` — it can never touch the lease that replaced it.
 * - `acquire` returns `null` when the key stays held for `waitMs` (0: a single try).
 */
export interface LockPort {
  readonly contractVersion: 'v1';
  readonly provider: string;

  acquire(key: string, options: AcquireOptions): Promise<Lease | null>;

  /** Extends a live lease to now + `ttlMs`; `LockNotAcquiredError` when it was lost. */
  extend(lease: Lease, ttlMs: number): Promise<Lease>;

  /** Releases a lease; `false` when it was no longer held. */
  release(lease: Lease): Promise<boolean>;
}

/**
 * Runs `fn` while holding `key`, releasing it afterwards whatever happens.
 * Throws `LockNotAcquiredError` when the key stays held for `options.waitMs`.
 * `fn` receives the lease: pass its `fencingToken` to writes that can check it, and `extend` it
 * for work that may outlive the TTL.
 */
export async function withLock<T>(lock: LockPort, key: string, options: AcquireOptions, fn: (lease: Lease) => Promise<T>): Promise<T> {
  const lease = await lock.acquire(key, options);
  if (!lease) throw new LockNotAcquiredError(key);
  try {
    return await fn(lease);
  } finally {
    // A failed release is not the caller's failure: the lease expires on its own.
    await lock.release(lease).catch(() => false);
  }
}
