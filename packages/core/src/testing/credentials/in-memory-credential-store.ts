/**
 * `createInMemoryCredentialStore`: a `CredentialStore` of one integration in memory. Each call
 * reads and writes in one synchronous step, so compare-and-set is atomic: of concurrent writers
 * expecting one version, exactly one wins. Values are copied in and out.
 */
import { throwIfAborted } from '../../ports/call-options.js';
import { systemClock, type Clock } from '../../ports/clock/clock.js';
import { assertCredentialKey, assertExpectedVersion, credentialValueCopy } from '../../ports/credentials/credential-input.js';
import type { CredentialStore, StoredCredential } from '../../ports/credentials/credential-store.js';
import { settle } from '../../internal/settle.js';

/** The `provider` name of the in-memory credential store (in its errors). */
export const inMemoryCredentialStoreProvider = 'in-memory';

/** Options of `createInMemoryCredentialStore`. */
export interface InMemoryCredentialStoreOptions {
  /** Stamps `updatedAt` (default: the system clock). */
  readonly clock?: Clock;
}

/** The in-memory `CredentialStore`. */
export type InMemoryCredentialStore = CredentialStore;

interface Entry {
  readonly json: string;
  readonly version: number;
  readonly updatedAt: number;
}

/** Creates an empty store of one integration. */
export function createInMemoryCredentialStore(options: InMemoryCredentialStoreOptions = {}): InMemoryCredentialStore {
  const clock = options.clock ?? systemClock;
  const entries = new Map<string, Entry>();
  const site = (operation: string) => ({ provider: inMemoryCredentialStoreProvider, operation });
  const toStored = (entry: Entry): StoredCredential => ({
    value: JSON.parse(entry.json) as Record<string, unknown>,
    version: entry.version,
    updatedAt: new Date(entry.updatedAt),
  });

  return {
    contractVersion: 'v1',

    get: (key, callOptions) =>
      settle(() => {
        throwIfAborted(callOptions, site('get'));
        assertCredentialKey(key);
        const entry = entries.get(key);
        return entry === undefined ? null : toStored(entry);
      }),

    compareAndSet: (key, value, expectedVersion, callOptions) =>
      settle(() => {
        throwIfAborted(callOptions, site('compareAndSet'));
        assertCredentialKey(key);
        assertExpectedVersion(expectedVersion);
        const copy = credentialValueCopy(value);
        const stored = entries.get(key);
        if ((stored?.version ?? null) !== expectedVersion) return false;
        entries.set(key, { json: JSON.stringify(copy), version: (expectedVersion ?? 0) + 1, updatedAt: clock.now().getTime() });
        return true;
      }),
  };
}
