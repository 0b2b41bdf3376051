/**
 * The `CredentialStore` of one tenant's integration of one kind, in the server's
 * `integration_credentials` table: values sealed by the `SecretBox` (for the tenant, kind and
 * key, so a row copied elsewhere does not open), versions compared and set by one statement —
 * an `INSERT … ON CONFLICT DO NOTHING` for the first write, an `UPDATE … WHERE version = $n`
 * after — so of concurrent writers expecting one version exactly one wins, across processes.
 */
import {
  assertCredentialKey,
  assertExpectedVersion,
  credentialValueCopy,
  throwIfAborted,
  type Clock,
  type CredentialStore,
  type StoredCredential,
} from '@sdr/core';
import type { Database } from '@sdr/store-postgres';
import { quoteIdentifier, serverSchema } from '../database/server-database.js';
import { instant, toDate } from '../sandbox/sandbox-sql.js';
import type { SecretBox } from './secret-box.js';

/** Options of `createPostgresCredentialStore`. */
export interface PostgresCredentialStoreOptions {
  readonly db: Database;
  readonly box: SecretBox;
  readonly clock: Clock;
  readonly tenantId: string;
  readonly kind: string;
  /** The server schema (default `sdr_server`). */
  readonly schema?: string;
}

/** The sealing context of a credential. */
export function credentialContext(tenantId: string, kind: string, key: string): string {
  return `credential:${tenantId}:${kind}:${key}`;
}

/** Creates the store (see the module comment). */
export function createPostgresCredentialStore(options: PostgresCredentialStoreOptions): CredentialStore {
  const { db, box, clock, tenantId, kind } = options;
  const table = `${quoteIdentifier(options.schema ?? serverSchema)}.integration_credentials`;
  const site = (operation: string) => ({ provider: 'credentials', operation });

  return {
    contractVersion: 'v1',

    async get(key, callOptions): Promise<StoredCredential | null> {
      throwIfAborted(callOptions, site('get'));
      assertCredentialKey(key);
      const [row] = await db.query(
        'credentials.get',
        `SELECT ciphertext, version, updated_at FROM ${table} WHERE tenant_id = $1 AND kind = $2 AND key = $3`,
        [tenantId, kind, key],
      );
      if (row === undefined) return null;
      const plaintext = box.open(String(row['ciphertext']), credentialContext(tenantId, kind, key));
      return {
        value: JSON.parse(plaintext) as Record<string, unknown>,
        version: Number(row['version']),
        updatedAt: toDate(row['updated_at']),
      };
    },

    async compareAndSet(key, value, expectedVersion, callOptions) {
      throwIfAborted(callOptions, site('compareAndSet'));
      assertCredentialKey(key);
      assertExpectedVersion(expectedVersion);
      const ciphertext = box.seal(JSON.stringify(credentialValueCopy(value)), credentialContext(tenantId, kind, key));
      const now = instant(clock.now());
      const rows =
        expectedVersion === null
          ? await db.write(
              'credentials.create',
              `INSERT INTO ${table} (tenant_id, kind, key, ciphertext, version, updated_at) VALUES ($1, $2, $3, $4, 1, $5::timestamptz)
               ON CONFLICT (tenant_id, kind, key) DO NOTHING RETURNING version`,
              [tenantId, kind, key, ciphertext, now],
            )
          : await db.write(
              'credentials.compareAndSet',
              `UPDATE ${table} SET ciphertext = $4, version = version + 1, updated_at = $5::timestamptz
               WHERE tenant_id = $1 AND kind = $2 AND key = $3 AND version = $6 RETURNING version`,
              [tenantId, kind, key, ciphertext, now, expectedVersion],
            );
      return rows.length > 0;
    },
  };
}
