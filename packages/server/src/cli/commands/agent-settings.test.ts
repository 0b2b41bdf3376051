import { randomUUID } from 'node:crypto';
import { parseOrThrow, tenantSchema } from '@sdr/core';
import { createPostgresStore } from '@sdr/store-postgres';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createEmptyPostgresDatabase, databaseUrl } from '../../database/__fixtures__/test-database.js';
import { loadConfig } from '../../runtime/config.js';
import { openServerDatabase } from '../../runtime/open-database.js';
import { runCommandLine } from '../__fixtures__/run-command-line.js';

describe('sdr agent settings', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('refuses a call without --tenant, without settings to set, or with an unknown option (exit 2)', async () => {
    const noTenant = await runCommandLine(['agent', 'settings', 'get']);
    expect(noTenant.code).toBe(2);
    expect(noTenant.stderr).toContain('--tenant');
    const nothingToSet = await runCommandLine(['agent', 'settings', 'set', '--tenant', randomUUID()]);
    expect(nothingToSet.code).toBe(2);
    expect(nothingToSet.stderr).toContain('--json');
    const unknown = await runCommandLine(['agent', 'settings', 'get', '--tenant', randomUUID(), '--name', 'x']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('--name');
  });

  describe.skipIf(databaseUrl === undefined)('on a database [postgres]', () => {
    let created: { readonly url: string; drop(): Promise<void> } | undefined;
    const tenantId = randomUUID();

    beforeAll(async () => {
      created = await createEmptyPostgresDatabase('sdr_cli');
      const database = await openServerDatabase(loadConfig({ DATABASE_URL: created.url }).database);
      try {
        const now = new Date();
        await createPostgresStore({ db: database.connection }).tenants.create(
          parseOrThrow(tenantSchema, {
            id: tenantId,
            name: 'Acme',
            timeZone: 'America/Sao_Paulo',
            createdAt: now,
            updatedAt: now,
            version: 0,
          }),
        );
      } finally {
        await database.close();
      }
    }, 60_000);

    afterAll(async () => {
      await created?.drop();
    }, 60_000);

    it('gets the defaults, refuses bad settings naming each field, sets them from --json or --file', async () => {
      vi.stubEnv('DATABASE_URL', created?.url ?? '');
      const defaults = await runCommandLine(['agent', 'settings', 'get', '--tenant', tenantId]);
      expect(defaults.stderr).toBe('');
      expect(JSON.parse(defaults.stdout)).toMatchObject({ version: 0, updatedAt: null, settings: { name: 'Ana' } });

      const bad = await runCommandLine(['agent', 'settings', 'set', '--tenant', tenantId, '--json', '{"name":"","tone":1}']);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/name/);
      expect(bad.stderr).toMatch(/tone/);

      const set = await runCommandLine(['agent', 'settings', 'set', '--tenant', tenantId, '--json', '{"name":"Bia","company":"Acme"}']);
      expect(set.stderr).toBe('');
      expect(JSON.parse(set.stdout)).toMatchObject({ version: 1, settings: { name: 'Bia', company: 'Acme' } });

      const fromFile = await runCommandLine(['agent', 'settings', 'set', '--tenant', tenantId, '--file', 'persona.json'], {
        'persona.json': JSON.stringify({ name: 'Carla', questions: [{ field: 'budget', question: 'Qual o orçamento?' }] }),
      });
      expect(JSON.parse(fromFile.stdout)).toMatchObject({ version: 2, settings: { name: 'Carla', questions: [{ field: 'budget' }] } });
      expect(JSON.parse((await runCommandLine(['agent', 'settings', 'get', '--tenant', tenantId])).stdout)).toMatchObject({
        version: 2,
        settings: { name: 'Carla' },
      });

      const unknownTenant = await runCommandLine(['agent', 'settings', 'get', '--tenant', randomUUID()]);
      expect(unknownTenant.code).toBe(1);
      expect(unknownTenant.stderr).toContain('tenant');
    }, 120_000);
  });
});
