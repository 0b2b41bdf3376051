import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runCommandLine } from '../__fixtures__/run-command-line.js';

describe('sdr integrations', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('refuses a call without --tenant or kind, naming what is missing (exit 2)', async () => {
    const noTenant = await runCommandLine(['integrations', 'list']);
    expect(noTenant.code).toBe(2);
    expect(noTenant.stderr).toContain('--tenant');
    const noKind = await runCommandLine(['integrations', 'check', '--tenant', randomUUID()]);
    expect(noKind.code).toBe(2);
    expect(noKind.stderr).toContain('kind');
  });

  it('set refuses an unknown provider listing the known ones, stores a valid one, and list shows it', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'sdr-integrations-'));
    try {
      vi.stubEnv('DATABASE_URL', '');
      vi.stubEnv('SDR_DATA_DIR', dataDir);
      const tenant = randomUUID();
      const unknown = await runCommandLine(['integrations', 'set', '--tenant', tenant, 'whatsapp', '--provider', 'nope']);
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toContain('evolution, sandbox');
      const set = await runCommandLine(['integrations', 'set', '--tenant', tenant, 'calendar', '--provider', 'sandbox', '--config', '{}']);
      expect(set.stderr).toBe('');
      expect(JSON.parse(set.stdout)).toMatchObject({ kind: 'calendar', provider: 'sandbox', configured: true, version: 1 });
      const listed = await runCommandLine(['integrations', 'list', '--tenant', tenant]);
      expect((JSON.parse(listed.stdout) as { items: { kind: string; configured: boolean }[] }).items).toContainEqual(
        expect.objectContaining({ kind: 'calendar', configured: true }),
      );
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
    // The embedded database is opened three times: slow on a busy machine.
  }, 300_000);

  it('oauth-url answers the link that connects Kommo, with a signed state; without SDR_PUBLIC_BASE_URL it names the setting', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'sdr-integrations-'));
    try {
      vi.stubEnv('DATABASE_URL', '');
      vi.stubEnv('SDR_DATA_DIR', dataDir);
      const tenant = randomUUID();
      const kommo = JSON.stringify({
        subdomain: 'acme',
        auth: {
          type: 'oauth',
          clientId: 'acme-client',
          clientSecret: 'acme-client-secret',
          redirectUri: 'https://sdr.example.com/oauth/kommo/callback',
        },
        accountId: 31337,
        pipeline: 'Funil de vendas',
        webhookSecret: 'kommo-webhook-secret-5d9a41c7',
      });
      const args = ['integrations', 'oauth-url', '--tenant', tenant, '--kind', 'crm', '--provider', 'kommo', '--config', kommo];
      const missing = await runCommandLine(args);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toContain('SDR_PUBLIC_BASE_URL');

      vi.stubEnv('SDR_PUBLIC_BASE_URL', 'https://sdr.example.com');
      const answer = await runCommandLine(args);
      expect(answer.stderr).toBe('');
      const started = JSON.parse(answer.stdout) as { url: string; state: string; redirectUri: string };
      expect(started.redirectUri).toBe('https://sdr.example.com/oauth/kommo/callback');
      expect(new URL(started.url).searchParams.get('state')).toBe(started.state);
      expect(answer.stdout).not.toContain('acme-client-secret');
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 300_000);
});
