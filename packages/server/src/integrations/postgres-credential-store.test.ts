/**
 * The PostgreSQL credential store: the testkit's CredentialStore suite on both drivers, secrets
 * sealed at rest, a tampered row failing loudly, two stores on one database refreshing one
 * rotating token at once, and a key rotation round trip.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { refreshCredential, systemClock, type CredentialValue } from '@sdr/core';
import { createPostgresLock } from '@sdr/store-postgres';
import { runCredentialStoreConformance } from '@sdr/testkit';
import { describe, expect, it } from 'vitest';
import { describeEachDriver } from '../database/__fixtures__/test-database.js';
import { rotateSecrets } from './key-rotation.js';
import { createPostgresCredentialStore } from './postgres-credential-store.js';
import { SecretBoxError, createSecretBox } from './secret-box.js';

describeEachDriver('the PostgreSQL credential store', (database) => {
  const key = randomBytes(32);
  const box = createSecretBox({ key });
  const storeFor = (tenantId: string, kind = 'crm', sealer = box) =>
    createPostgresCredentialStore({ db: database().database, box: sealer, clock: systemClock, tenantId, kind });

  runCredentialStoreConformance({ name: 'postgres', create: () => ({ store: storeFor(randomUUID()) }), timeoutMs: 60_000 });

  it('keeps values sealed: the secret is nowhere in the table, and a tampered row is an error', async () => {
    const tenantId = randomUUID();
    const store = storeFor(tenantId);
    const secretValue = `refresh-${randomUUID()}`;
    expect(await store.compareAndSet('oauth', { refreshToken: secretValue }, null)).toBe(true);
    const rows = await database().sql<{ ciphertext: string }>(
      'SELECT ciphertext FROM sdr_server.integration_credentials WHERE tenant_id = $1',
      [tenantId],
    );
    expect(JSON.stringify(rows)).not.toContain(secretValue);
    await database().sql(
      `UPDATE sdr_server.integration_credentials SET ciphertext = regexp_replace(ciphertext, '.$', CASE WHEN right(ciphertext, 1) = 'A' THEN 'B' ELSE 'A' END) WHERE tenant_id = $1`,
      [tenantId],
    );
    await expect(store.get('oauth')).rejects.toSatisfy((error) => SecretBoxError.isInstance(error));
    await database().sql('DELETE FROM sdr_server.integration_credentials WHERE tenant_id = $1', [tenantId]);
  });

  it('a row copied to another tenant does not open there', async () => {
    const [owner, other] = [randomUUID(), randomUUID()];
    await storeFor(owner).compareAndSet('oauth', { refreshToken: 'r1' }, null);
    await database().sql(
      `INSERT INTO sdr_server.integration_credentials (tenant_id, kind, key, ciphertext, version, updated_at)
       SELECT $2, kind, key, ciphertext, version, updated_at FROM sdr_server.integration_credentials WHERE tenant_id = $1`,
      [owner, other],
    );
    await expect(storeFor(other).get('oauth')).rejects.toSatisfy((error) => SecretBoxError.isInstance(error));
    await database().sql('DELETE FROM sdr_server.integration_credentials WHERE tenant_id = $1', [other]);
  });

  it('two stores on one database refreshing a rotating token at once: one refresh, the last rotated refresh token is kept', async () => {
    const tenantId = randomUUID();
    const lock = createPostgresLock({ db: database().db, clock: systemClock });
    const [first, second] = [storeFor(tenantId), storeFor(tenantId)];
    await first.compareAndSet('oauth', { accessToken: 'a1', refreshToken: 'r1', expiresAt: 0 }, null);
    let generation = 1;
    const calls: string[] = [];
    const refresh = async (current: { value: CredentialValue } | null): Promise<CredentialValue> => {
      calls.push(String(current?.value['refreshToken']));
      await new Promise((resolve) => setTimeout(resolve, 50));
      if (current?.value['refreshToken'] !== `r${String(generation)}`) throw new Error('refresh token already rotated');
      generation += 1;
      return { accessToken: `a${String(generation)}`, refreshToken: `r${String(generation)}`, expiresAt: Date.now() + 3_600_000 };
    };
    const input = (store: typeof first) => ({
      store,
      lock,
      lockKey: `credentials:test:${tenantId}`,
      key: 'oauth',
      clock: systemClock,
      isUsable: (value: CredentialValue, now: Date) => Number(value['expiresAt']) > now.getTime(),
      refresh,
    });
    const [one, two] = await Promise.all([refreshCredential(input(first)), refreshCredential(input(second))]);
    expect(calls).toEqual(['r1']);
    expect(one).toEqual(two);
    expect(await second.get('oauth')).toMatchObject({ value: { refreshToken: 'r2' }, version: 2 });
  });

  describe('key rotation', () => {
    it('re-seals every value of a previous key with the current one; afterwards the previous key is no longer needed', async () => {
      const tenantId = randomUUID();
      const oldKey = randomBytes(32);
      await storeFor(tenantId, 'calendar', createSecretBox({ key: oldKey })).compareAndSet(
        'oauth',
        { refreshToken: 'before-rotation' },
        null,
      );
      const newKey = randomBytes(32);
      // Without the old key among the previous ones, its values do not open.
      await expect(storeFor(tenantId, 'calendar', createSecretBox({ key: newKey, previous: [key] })).get('oauth')).rejects.toThrow(
        /neither SDR_ENCRYPTION_KEY/,
      );
      const withPrevious = createSecretBox({ key: newKey, previous: [key, oldKey] });
      const report = await rotateSecrets({ db: database().database, box: withPrevious });
      expect(report.rotated).toBeGreaterThanOrEqual(1);
      const onlyNew = createSecretBox({ key: newKey });
      expect(await storeFor(tenantId, 'calendar', onlyNew).get('oauth')).toMatchObject({ value: { refreshToken: 'before-rotation' } });
      expect((await rotateSecrets({ db: database().database, box: withPrevious })).rotated).toBe(0);
    });
  });
});
