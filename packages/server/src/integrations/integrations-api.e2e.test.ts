/**
 * The integrations API on the real server, over PostgreSQL, with a third party's CRM plugin
 * given to `startServer({ plugins })`: bad configurations are 422s that store nothing, secrets
 * never leave in an answer, a log line or the database in plain text, and a change made through
 * one server is used by a second server on the same database without a restart.
 */
import { Writable } from 'node:stream';
import { definePlugin, secret } from '@sdr/core';
import { createInMemoryCrm } from '@sdr/core/testing';
import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import {
  clientFor,
  createTestDatabase,
  databaseUrl,
  quickWorkers,
  type Client,
  type TestDatabase,
} from '../runtime/__fixtures__/server-harness.js';
import { loadConfig } from '../runtime/config.js';
import { startServer, type RunningServer } from '../runtime/start-server.js';

const secretToken = 'acme-crm-token-8c1f0e7d2b5a4c39';

const acmeCrm = definePlugin({
  contractVersion: 'v1',
  kind: 'crm',
  provider: 'acme-crm',
  displayName: 'Acme CRM',
  configSchema: z.strictObject({ subdomain: z.string().min(1), token: secret(z.string().min(10)) }),
  create: (_config, deps) => Object.assign(createInMemoryCrm({ clock: deps.clock }), { provider: 'acme-crm' }),
});

interface IntegrationJson {
  readonly kind: string;
  readonly provider: string;
  readonly configured: boolean;
  readonly config: Record<string, unknown>;
  readonly version: number;
  readonly health: { status: string } | null;
}

describe.skipIf(databaseUrl === undefined)('the integrations API [postgres]', () => {
  let database: TestDatabase | undefined;
  const servers: RunningServer[] = [];
  const logLines: string[] = [];
  let a: Client;
  let serverB: RunningServer;
  let tenantId: string;

  const start = async () => {
    const logger = pino(
      { level: 'debug' },
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          logLines.push(chunk.toString('utf8'));
          done();
        },
      }),
    );
    const config = loadConfig({ ...quickWorkers, ...database?.env, SDR_LOG_LEVEL: 'debug' });
    const server = await startServer({ config, logger, httpLogger: logger, plugins: [acmeCrm] });
    servers.push(server);
    return server;
  };

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    const serverA = await start();
    serverB = await start();
    a = clientFor(serverA.url ?? '', serverA.demo?.apiKey ?? '');
    tenantId = serverA.demo?.tenant.id ?? '';
  }, 300_000);

  afterAll(async () => {
    await Promise.all(servers.map((server) => server.stop()));
    await database?.drop();
  }, 120_000);

  const storedRows = async () => {
    const sql = new pg.Pool({ connectionString: database?.url ?? '' });
    try {
      return (await sql.query<Record<string, unknown>>('SELECT * FROM sdr_server.integrations')).rows;
    } finally {
      await sql.end();
    }
  };

  it('an unknown provider is a 422 listing the known ones; a bad configuration a 422 naming each field; nothing is stored', async () => {
    const unknown = await a.request<{ detail: string; errors: { field: string }[] }>('PUT', '/v1/integrations/crm', {
      provider: 'nope',
      config: {},
    });
    expect(unknown.status).toBe(422);
    expect(unknown.body.errors.map((error) => error.field)).toEqual(['provider']);
    expect(unknown.body.detail).toContain('known: acme-crm, kommo, sandbox');
    const bad = await a.request<{ errors: { field: string }[] }>('PUT', '/v1/integrations/crm', {
      provider: 'acme-crm',
      config: { subdomain: '', token: 'short' },
    });
    expect(bad.status).toBe(422);
    expect(bad.body.errors.map((error) => error.field).sort()).toEqual(['config.subdomain', 'config.token']);
    // The server ships the Evolution plugin: its schema names each bad field, secrets included, without their values.
    const evolution = await a.request<{ detail: string; errors: { field: string }[] }>('PUT', '/v1/integrations/whatsapp', {
      provider: 'evolution',
      config: { baseUrl: 'ftp://x', apiKey: '', instance: 'main', webhookSecret: 'short-secret' },
    });
    expect(evolution.status).toBe(422);
    expect(evolution.body.errors.map((error) => error.field).sort()).toEqual(['config.apiKey', 'config.baseUrl', 'config.webhookSecret']);
    expect(JSON.stringify(evolution.body)).not.toContain('short-secret');
    expect(await storedRows()).toEqual([]);
  });

  it('configures, answers with the secret redacted, and the second server uses it without a restart', async () => {
    const put = await a.request<IntegrationJson>('PUT', '/v1/integrations/crm', {
      provider: 'acme-crm',
      config: { subdomain: 'acme', token: secretToken },
    });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({
      kind: 'crm',
      provider: 'acme-crm',
      configured: true,
      config: { subdomain: 'acme', token: '[redacted]' },
    });
    const listed = await a.get<{ items: IntegrationJson[] }>('/v1/integrations');
    expect(listed.items.map((item) => `${item.kind}:${item.provider}:${String(item.configured)}`)).toEqual([
      'crm:acme-crm:true',
      'calendar:sandbox:false',
      'whatsapp:sandbox:false',
      'voice:sandbox:false',
      'model:sandbox:false',
    ]);
    // The second process polls the table: the change reaches its resolver within 5 s.
    await vi.waitFor(() => expect(serverB.composition.ports.crmFor(tenantId).provider).toBe('acme-crm'), { timeout: 5_000, interval: 100 });

    const checked = await a.post<IntegrationJson>('/v1/integrations/crm/check');
    expect(checked.health?.status).toBe('up');

    // The secret: in no answer above, in no log line, and not in plain text in the database.
    expect(JSON.stringify([put.body, listed, checked])).not.toContain(secretToken);
    expect(logLines.join('')).not.toContain(secretToken);
    const rows = await storedRows();
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(secretToken);
  });

  it('DELETE returns the kind to its default, on every server', async () => {
    const removed = await a.request<IntegrationJson>('DELETE', '/v1/integrations/crm');
    expect(removed.body).toMatchObject({ provider: 'sandbox', configured: false });
    await vi.waitFor(() => expect(serverB.composition.ports.crmFor(tenantId).provider).toBe('sandbox'), { timeout: 5_000, interval: 100 });
    expect((await a.request('GET', '/v1/integrations/sms')).status).toBe(400);
  });
});
