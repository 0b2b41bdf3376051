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
    // The demo tenant starts with its offline phone line (`sdr call`): that row only.
    const before = await storedRows();
    expect(before.map((row) => `${String(row.kind)}:${String(row.provider)}`)).toEqual(['voice:twilio']);
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
    expect(await storedRows()).toEqual(before);
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
      'voice:twilio:true',
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
    expect(rows.map((row) => String(row.kind)).sort()).toEqual(['crm', 'voice']);
    expect(JSON.stringify(rows)).not.toContain(secretToken);
  });

  it('DELETE returns the kind to its default, on every server', async () => {
    const removed = await a.request<IntegrationJson>('DELETE', '/v1/integrations/crm');
    expect(removed.body).toMatchObject({ provider: 'sandbox', configured: false });
    await vi.waitFor(() => expect(serverB.composition.ports.crmFor(tenantId).provider).toBe('sandbox'), { timeout: 5_000, interval: 100 });
    expect((await a.request('GET', '/v1/integrations/sms')).status).toBe(400);
  });

  it('the OpenAPI document shows each provider’s configuration per kind, secrets write-only', async () => {
    interface Schema {
      readonly [keyword: string]: unknown;
      readonly properties?: Record<string, Schema>;
      readonly oneOf?: Schema[];
      readonly anyOf?: Schema[];
    }
    const document = (await (await fetch(`${servers[0]?.url ?? ''}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: Schema }> } }>>;
    };
    const bodyOf = (path: string, method: string) => document.paths[path]?.[method]?.requestBody?.content['application/json']?.schema;
    const put = bodyOf('/v1/integrations/{kind}', 'put');
    const kinds = put?.anyOf ?? [];
    const crm = kinds.find((kind) => kind['title'] === 'crm integration');
    expect(crm?.['discriminator']).toEqual({ propertyName: 'provider' });
    // `provider` is a one-value enum (the document's rendering of a literal).
    const providerOf = (entry: Schema) => (entry.properties?.['provider']?.['enum'] as string[] | undefined)?.[0];
    const providers = (crm?.oneOf ?? []).map(providerOf);
    expect(providers).toEqual(['acme-crm', 'kommo', 'sandbox']);
    const option = (provider: string) => crm?.oneOf?.find((entry) => providerOf(entry) === provider);
    // The third party's plugin, as documented as the shipped ones.
    expect(option('acme-crm')?.properties?.['config']?.properties?.['token']).toMatchObject({ type: 'string', writeOnly: true });
    const kommoAuth = option('kommo')?.properties?.['config']?.properties?.['auth']?.oneOf ?? [];
    expect(kommoAuth.map((auth) => auth.properties?.['token']?.['writeOnly'] ?? auth.properties?.['clientSecret']?.['writeOnly'])).toEqual([
      true,
      true,
    ]);
    expect(option('kommo')?.properties?.['config']?.properties?.['subdomain']?.['writeOnly']).toBeUndefined();
    const whatsapp = kinds.find((kind) => kind['title'] === 'whatsapp integration');
    expect((whatsapp?.oneOf ?? []).map(providerOf)).toEqual(['evolution', 'sandbox']);
    // Connecting by OAuth takes the same body.
    expect(bodyOf('/v1/integrations/{kind}/oauth/start', 'post')).toEqual(put);
    // The document still refuses nothing the service would explain better: a bad config is the service's 422.
    const bad = await a.request<{ errors: { field: string }[] }>('PUT', '/v1/integrations/crm', { provider: 'kommo', config: {} });
    expect(bad.status).toBe(422);
    expect(bad.body.errors.map((error) => error.field)).toContain('config.subdomain');
  });
});
