// The CredentialStore v1 contract is documented on the `CredentialStore` interface below, where the API reference shows it.
import type { CallOptions } from '../call-options.js';

/** A credential as stored: its value, the version a compare-and-set must name, and when it was written. */
export interface StoredCredential {
  readonly value: Readonly<Record<string, unknown>>;
  readonly version: number;
  readonly updatedAt: Date;
}

/**
 * What an adapter persists for its tenant's integration: a rotated OAuth refresh token, an access
 * token with its expiry, a webhook secret it registered. An instance is already scoped to **one
 * tenant's integration of one kind** (the composition root builds it per tenant and kind), so the
 * adapter never passes a tenant id and can never read another tenant's credentials.
 *
 * Why compare-and-set: Kommo issues a new refresh token on every refresh and the old one stops
 * working. Two processes refreshing at once would each store their own — and the one stored last
 * may be the one Kommo already replaced. Writes therefore name the version they replace; a writer
 * that lost the race re-reads instead of overwriting (`refreshCredential` does this under a lock).
 *
 * Contract (each method repeats its part):
 * - `get` returns `null` when nothing is stored under the key; failures throw `SdrError`s.
 * - `compareAndSet` writes only when the stored version is `expectedVersion` (`null`: nothing
 *   stored yet) and then resolves `true`; otherwise it writes nothing and resolves `false`. Of
 *   several concurrent writers expecting the same version, exactly one wins.
 * - Versions are whole numbers: the first write stores version 1, every successful write the
 *   previous version + 1. `updatedAt` is the instant of the write.
 * - Values are JSON objects and round-trip exactly (strings, numbers, booleans, `null`, arrays,
 *   nested objects); what `get` returns is a copy — changing it, or the object written, changes
 *   nothing stored. Keys are independent of each other.
 * - A key is 1 to 200 characters; a value must be a plain JSON object; `expectedVersion` a whole
 *   number of 1 or more, or `null`. Anything else is a `ValidationError` naming it.
 * - Values are secrets: implementations never log them nor put them in errors, and encrypt them
 *   at rest where they persist.
 * - Every method takes `CallOptions` last; an aborted signal rejects with an `AbortedError` and
 *   writes nothing.
 */
export interface CredentialStore {
  readonly contractVersion: 'v1';
  /** The credential stored under `key` for this integration, or `null`. */
  get(key: string, options?: CallOptions): Promise<StoredCredential | null>;
  /**
   * Writes `value` only when the stored version is `expectedVersion` (`null`: nothing stored yet),
   * as version `expectedVersion + 1` (1 for the first write); `false` when another writer won —
   * nothing is written then, and the caller re-reads.
   */
  compareAndSet(
    key: string,
    value: Readonly<Record<string, unknown>>,
    expectedVersion: number | null,
    options?: CallOptions,
  ): Promise<boolean>;
}
