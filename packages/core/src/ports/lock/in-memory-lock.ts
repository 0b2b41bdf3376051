/**
 * `createInMemoryLock`: a `LockPort` for one process, with leases measured on the given clock
 * (so a `VirtualClock` expires them) and fencing tokens strictly increasing per key for the
 * life of the instance — also across releases and expiries.
 */
import { LockNotAcquiredError, ValidationError } from '../../errors/index.js';
import type { Clock } from '../clock/clock.js';
import type { AcquireOptions, Lease, LockPort } from './lock-port.js';
import { settle } from '../../internal/settle.js';

/** Options of `createInMemoryLock`. */
export interface InMemoryLockOptions {
  readonly clock: Clock;
}

/** The in-memory `LockPort`, plus inspection for tests. */
export interface InMemoryLock extends LockPort {
  /** The live lease of `key`, or `null` when nobody holds it (an expired lease is not held). */
  holder(key: string): Lease | null;
}

/** Longest single wait between two tries while `acquire` waits for a held key. */
export const lockPollIntervalMs = 50;

/** Creates an in-process lock whose leases run on `options.clock`. */
export function createInMemoryLock(options: InMemoryLockOptions): InMemoryLock {
  const { clock } = options;
  const leases = new Map<string, Lease>();
  const lastTokens = new Map<string, number>();
  /** Wake-ups of the callers waiting for each key, called when it is released. */
  const waiters = new Map<string, Set<() => void>>();

  /**
   * Waits until `key` is released or `ms` pass. Waking on release matters: waiters that only
   * polled would all wake in the same tick and all but one fall asleep again, so a contended key
   * would change hands once per poll interval.
   */
  const waitForRelease = async (key: string, ms: number): Promise<void> => {
    const controller = new AbortController();
    const wake = () => controller.abort();
    const keyWaiters = waiters.get(key) ?? new Set<() => void>();
    waiters.set(key, keyWaiters);
    keyWaiters.add(wake);
    try {
      await clock.sleep(ms, controller.signal);
    } catch {
      // Woken by a release: try again at once.
    } finally {
      keyWaiters.delete(wake);
      if (keyWaiters.size === 0 && waiters.get(key) === keyWaiters) waiters.delete(key);
    }
  };

  const liveLease = (key: string): Lease | undefined => {
    const lease = leases.get(key);
    if (lease === undefined) return undefined;
    if (lease.expiresAt.getTime() > clock.now().getTime()) return lease;
    leases.delete(key);
    return undefined;
  };

  /** The live lease when it is exactly `lease` (same owner and token); a replaced or expired one is not. */
  const ownLease = (lease: Lease): Lease | undefined => {
    const current = liveLease(lease.key);
    return current !== undefined && current.owner === lease.owner && current.fencingToken === lease.fencingToken ? current : undefined;
  };

  const tryAcquire = (key: string, ttlMs: number): Lease | null => {
    if (liveLease(key) !== undefined) return null;
    const fencingToken = (lastTokens.get(key) ?? 0) + 1;
    lastTokens.set(key, fencingToken);
    const lease: Lease = Object.freeze({
      key,
      owner: globalThis.crypto.randomUUID(),
      fencingToken,
      expiresAt: new Date(clock.now().getTime() + ttlMs),
    });
    leases.set(key, lease);
    return lease;
  };

  return {
    contractVersion: 'v1',
    provider: 'in-memory',

    async acquire(key: string, acquireOptions: AcquireOptions): Promise<Lease | null> {
      assertDuration('ttlMs', acquireOptions.ttlMs, { positive: true });
      const waitMs = acquireOptions.waitMs ?? 0;
      assertDuration('waitMs', waitMs, { positive: false });
      const deadline = clock.now().getTime() + waitMs;
      for (;;) {
        const lease = tryAcquire(key, acquireOptions.ttlMs);
        if (lease !== null) return lease;
        const remaining = deadline - clock.now().getTime();
        if (remaining <= 0) return null;
        // Woken by a release; the bounded wait also notices a lease that simply expired.
        await waitForRelease(key, Math.min(lockPollIntervalMs, remaining));
      }
    },

    extend: (lease, ttlMs) =>
      settle(() => {
        assertDuration('ttlMs', ttlMs, { positive: true });
        if (ownLease(lease) === undefined)
          throw new LockNotAcquiredError(lease.key, { message: `lease of lock ${lease.key} was lost (expired or replaced)` });
        const extended: Lease = Object.freeze({ ...lease, expiresAt: new Date(clock.now().getTime() + ttlMs) });
        leases.set(lease.key, extended);
        return extended;
      }),

    release: (lease) =>
      settle(() => {
        if (ownLease(lease) === undefined) return false;
        leases.delete(lease.key);
        for (const wake of [...(waiters.get(lease.key) ?? [])]) wake();
        return true;
      }),

    holder: (key) => liveLease(key) ?? null,
  };
}

function assertDuration(field: string, value: number, options: { readonly positive: boolean }): void {
  const valid = Number.isFinite(value) && (options.positive ? value > 0 : value >= 0);
  if (!valid)
    throw ValidationError.forField(
      field,
      options.positive ? 'must be a positive number of milliseconds' : 'must be 0 or more milliseconds',
    );
}
