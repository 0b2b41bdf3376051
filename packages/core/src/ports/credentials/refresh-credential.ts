/**
 * `refreshCredential`: the refresh protocol both OAuth adapters (Kommo, Google) follow, so that
 * two processes needing a fresh token at once make **one** refresh and agree on its result. Kommo
 * rotates the refresh token on every refresh: a second, concurrent refresh with the old one
 * would fail — or worse, be stored over the newer one.
 *
 * Under the integration's lock: re-read; when another process already refreshed (`isUsable`),
 * use its value; otherwise refresh, compare-and-set the result over the version read, and use it.
 * A lost compare-and-set (a writer that did not hold the lock, say after its lease expired) is
 * settled by re-reading: the stored value is the one everybody uses.
 */
import { ConflictError } from '../../errors/index.js';
import { throwIfAborted, type CallOptions } from '../call-options.js';
import type { Clock } from '../clock/clock.js';
import { withLock, type LockPort } from '../lock/lock-port.js';
import type { CredentialStore, StoredCredential } from './credential-store.js';

/** A credential's value, as stored. */
export type CredentialValue = Readonly<Record<string, unknown>>;

/** Input of `refreshCredential`. */
export interface RefreshCredentialInput {
  readonly store: CredentialStore;
  readonly lock: LockPort;
  /** The lock every process refreshing this credential takes, e.g. `credentials:kommo:<account>`. */
  readonly lockKey: string;
  /** The credential's key in the store, e.g. `oauth`. */
  readonly key: string;
  /** Whether a stored value can be used as it is (an access token not about to expire at `now`). */
  isUsable(value: CredentialValue, now: Date): boolean;
  /**
   * Obtains fresh credentials from the vendor with the current ones (`null` when nothing is stored
   * yet); receives the call options to pass on to its HTTP call.
   */
  refresh(current: StoredCredential | null, options: CallOptions): Promise<CredentialValue>;
  readonly clock: Clock;
  /** Gives up the refresh: store calls and `refresh` receive it; an abort rejects with an `AbortedError`. */
  readonly signal?: AbortSignal;
  /** Lease of the lock while refreshing (default 30 s: longer than a vendor's token call takes). */
  readonly lockTtlMs?: number;
  /** How long to wait for another process's refresh to release the lock (default 30 s); then `LockNotAcquiredError`. */
  readonly lockWaitMs?: number;
}

/** The usable credential value: the stored one when usable, else a fresh one written with compare-and-set. */
export async function refreshCredential(input: RefreshCredentialInput): Promise<CredentialValue> {
  const { store, key, clock } = input;
  const options: CallOptions = input.signal === undefined ? {} : { signal: input.signal };
  const site = { provider: 'credentials', operation: 'refresh' };
  throwIfAborted(options, site);
  return withLock(input.lock, input.lockKey, { ttlMs: input.lockTtlMs ?? 30_000, waitMs: input.lockWaitMs ?? 30_000 }, async () => {
    throwIfAborted(options, site);
    const current = await store.get(key, options);
    // Another process refreshed while this one waited for the lock: its value is the one to use.
    if (current !== null && input.isUsable(current.value, clock.now())) return current.value;
    const fresh = await input.refresh(current, options);
    if (await store.compareAndSet(key, fresh, current?.version ?? null, options)) return fresh;
    const winner = await store.get(key, options);
    if (winner === null) throw new ConflictError(`the credential ${key} was removed while it was being refreshed`, { retryable: true });
    return winner.value;
  });
}
