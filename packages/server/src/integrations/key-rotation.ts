/**
 * `rotateSecrets`: seals again, with the current key, every stored secret sealed by a previous
 * one — integration configurations, adapter credentials and alert channel secrets — so that a previous key can then be
 * retired from `SDR_ENCRYPTION_KEYS_PREVIOUS`. Each row is rewritten only if it still holds the
 * ciphertext read (a concurrent write wins), and a row that does not open stops the rotation
 * with its error: a secret is never rewritten from a value that could not be read.
 */
import type { Database } from '@sdr/store-postgres';
import { quoteIdentifier, serverSchema } from '../database/server-database.js';
import { credentialContext } from './postgres-credential-store.js';
import type { SecretBox } from './secret-box.js';

/** The sealing context of a tenant's integration configuration. */
export function integrationContext(tenantId: string, kind: string): string {
  return `integration:${tenantId}:${kind}`;
}

/** The sealing context of the secrets of a tenant's alert channel. */
export function alertChannelContext(tenantId: string, id: string): string {
  return `alert-channel:${tenantId}:${id}`;
}

/** How many secrets were sealed again, and how many already used the current key. */
export interface RotationReport {
  readonly rotated: number;
  readonly current: number;
}

/** Re-seals every secret of a previous key with the current one (see the module comment). */
export async function rotateSecrets(input: {
  readonly db: Database;
  readonly box: SecretBox;
  readonly schema?: string;
}): Promise<RotationReport> {
  const { db, box } = input;
  const schema = quoteIdentifier(input.schema ?? serverSchema);
  let rotated = 0;
  let current = 0;
  const integrations = await db.query(
    'keys.rotate.integrations',
    `SELECT tenant_id, kind, config_ciphertext FROM ${schema}.integrations WHERE config_ciphertext IS NOT NULL`,
  );
  for (const row of integrations) {
    const [tenantId, kind, sealed] = [String(row['tenant_id']), String(row['kind']), String(row['config_ciphertext'])];
    if (!box.needsRotation(sealed)) {
      current += 1;
      continue;
    }
    const context = integrationContext(tenantId, kind);
    const resealed = box.seal(box.open(sealed, context), context);
    const written = await db.write(
      'keys.rotate.integration',
      `UPDATE ${schema}.integrations SET config_ciphertext = $4 WHERE tenant_id = $1 AND kind = $2 AND config_ciphertext = $3 RETURNING kind`,
      [tenantId, kind, sealed, resealed],
    );
    rotated += written.length;
  }
  const credentials = await db.query(
    'keys.rotate.credentials',
    `SELECT tenant_id, kind, key, ciphertext FROM ${schema}.integration_credentials`,
  );
  for (const row of credentials) {
    const [tenantId, kind, key, sealed] = [String(row['tenant_id']), String(row['kind']), String(row['key']), String(row['ciphertext'])];
    if (!box.needsRotation(sealed)) {
      current += 1;
      continue;
    }
    const context = credentialContext(tenantId, kind, key);
    const resealed = box.seal(box.open(sealed, context), context);
    const written = await db.write(
      'keys.rotate.credential',
      `UPDATE ${schema}.integration_credentials SET ciphertext = $5 WHERE tenant_id = $1 AND kind = $2 AND key = $3 AND ciphertext = $4 RETURNING key`,
      [tenantId, kind, key, sealed, resealed],
    );
    rotated += written.length;
  }
  const channels = await db.query('keys.rotate.alert_channels', `SELECT tenant_id, id, secrets FROM ${schema}.alert_channels`);
  for (const row of channels) {
    const [tenantId, id, sealed] = [String(row['tenant_id']), String(row['id']), String(row['secrets'])];
    if (!box.needsRotation(sealed)) {
      current += 1;
      continue;
    }
    const context = alertChannelContext(tenantId, id);
    const resealed = box.seal(box.open(sealed, context), context);
    const written = await db.write(
      'keys.rotate.alert_channel',
      `UPDATE ${schema}.alert_channels SET secrets = $4 WHERE tenant_id = $1 AND id = $2 AND secrets = $3 RETURNING id`,
      [tenantId, id, sealed, resealed],
    );
    rotated += written.length;
  }
  return { rotated, current };
}
