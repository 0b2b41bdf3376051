import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '@sdr/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createAlertChannelService } from '../../alerts-notify/alert-channel-service.js';
import { createPostgresCredentialStore } from '../../integrations/postgres-credential-store.js';
import { createSecretBox } from '../../integrations/secret-box.js';
import { openServerDatabase } from '../../runtime/open-database.js';
import { runCommandLine } from '../__fixtures__/run-command-line.js';

describe('sdr keys rotate', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('re-seals the secrets of a previous key with SDR_ENCRYPTION_KEY; the previous key can then be retired', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'sdr-keys-'));
    try {
      const [oldKey, newKey] = [randomBytes(32), randomBytes(32)];
      const credentialsWith = (db: Parameters<typeof createPostgresCredentialStore>[0]['db'], key: Buffer) =>
        createPostgresCredentialStore({ db, box: createSecretBox({ key }), clock: systemClock, tenantId: 't1', kind: 'crm' });
      const before = await openServerDatabase({ kind: 'pglite', dataDir });
      await credentialsWith(before.database, oldKey).compareAndSet('oauth', { refreshToken: 'kept-across-rotation' }, null);
      const channelsWith = (db: Parameters<typeof createPostgresCredentialStore>[0]['db'], key: Buffer) =>
        createAlertChannelService({ database: db, box: createSecretBox({ key }), clock: systemClock, allowPrivate: false });
      await channelsWith(before.database, oldKey).create('t1', {
        type: 'telegram',
        config: { botToken: '123456:ABCdefGHIjklMNOpqrSTUvwx', chatId: '-1001' },
      });
      await before.close();

      vi.stubEnv('DATABASE_URL', '');
      vi.stubEnv('SDR_DATA_DIR', dataDir);
      vi.stubEnv('SDR_ENCRYPTION_KEY', newKey.toString('base64'));
      vi.stubEnv('SDR_ENCRYPTION_KEYS_PREVIOUS', oldKey.toString('base64'));
      const first = await runCommandLine(['keys', 'rotate']);
      expect(first.stderr).toBe('');
      expect(first.code).toBe(0);
      expect(first.stdout).toContain('re-encrypted 2 secret(s)');

      const after = await openServerDatabase({ kind: 'pglite', dataDir });
      try {
        expect(await credentialsWith(after.database, newKey).get('oauth')).toMatchObject({
          value: { refreshToken: 'kept-across-rotation' },
        });
        expect((await channelsWith(after.database, newKey).channelsOf('t1')).map((entry) => entry.channel)).toEqual([
          { kind: 'telegram', botToken: '123456:ABCdefGHIjklMNOpqrSTUvwx', chatId: '-1001' },
        ]);
      } finally {
        await after.close();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
    // The embedded database is opened three times: slow on a busy machine.
  }, 300_000);

  it('refuses a malformed key, naming the variable (exit 2)', async () => {
    vi.stubEnv('SDR_ENCRYPTION_KEY', 'too-short');
    const result = await runCommandLine(['keys', 'rotate']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('SDR_ENCRYPTION_KEY');
    expect(result.stderr).not.toContain('too-short');
  });
});
