/**
 * Kommo deliveries survive a restart: an API-only server (no workers) writes accepted deliveries
 * to the inbox and answers 200, a re-sent delivery is stored once, the server stops with them
 * unprocessed, and a server started afterwards on the same PostgreSQL database applies each once
 * (re-fetching its leads from the fake Kommo over HTTP).
 */
import { buildKommoDelivery, createFakeKommo, startFakeKommoServer, type FakeKommoServer } from '@sdr/adapter-kommo/testing';
import { noopLogger } from '@sdr/core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { clientFor, createTestDatabase, databaseUrl, quickWorkers, type TestDatabase } from '../runtime/__fixtures__/server-harness.js';
import { loadConfig } from '../runtime/config.js';
import { startServer, type RunningServer } from '../runtime/start-server.js';

const webhookSecret = 'kommo-restart-secret-8e1f4b2a6c';

describe.skipIf(databaseUrl === undefined)('Kommo inbox across a restart [postgres]', () => {
  let database: TestDatabase | undefined;
  let fakeServer: FakeKommoServer | undefined;
  const servers: RunningServer[] = [];
  const fake = createFakeKommo();

  const start = async (role: 'api' | 'all') => {
    const server = await startServer({ config: loadConfig({ ...quickWorkers, ...database?.env, SDR_ROLE: role }), logger: noopLogger });
    servers.push(server);
    return server;
  };

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    fakeServer = await startFakeKommoServer(fake);
  }, 300_000);

  afterAll(async () => {
    await Promise.all(servers.map((server) => server.stop()));
    await fakeServer?.close();
    await database?.drop();
  }, 120_000);

  it('stores deliveries before answering, once each, and applies them after a restart', async () => {
    const first = await start('api');
    const tenantId = first.demo?.tenant.id ?? '';
    const api = clientFor(first.url ?? '', first.demo?.apiKey ?? '');
    const put = await api.request('PUT', '/v1/integrations/crm', {
      provider: 'kommo',
      config: {
        subdomain: 'acme',
        baseUrl: fakeServer?.baseUrl,
        auth: { type: 'long_lived', token: fake.token },
        accountId: fake.accountId,
        pipeline: 'Funil de vendas',
        webhookSecret,
      },
    });
    expect(put.status).toBe(200);

    const deliver = async (body: string) =>
      (
        await fetch(`${first.url ?? ''}/webhooks/kommo/${tenantId}/${webhookSecret}`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body,
        })
      ).status;
    const one = buildKommoDelivery({ accountId: fake.accountId, status: [{ id: 9001, statusId: 143, pipelineId: 7001 }] });
    const two = buildKommoDelivery({ accountId: fake.accountId, update: [{ id: 9002 }] });
    expect(await deliver(one)).toBe(200);
    expect(await deliver(two)).toBe(200);
    // Kommo re-sends a delivery: stored once.
    expect(await deliver(one)).toBe(200);
    expect(await first.composition.kommo.inbox.counts(tenantId)).toEqual({ pending: 2, done: 0, dead: 0 });
    const leadReads = () => fake.requests.filter((request) => request.method === 'GET' && request.path === '/api/v4/leads').length;
    const readsBefore = leadReads();
    // Nothing applied them: this process runs no workers. It stops.
    await first.stop();
    servers.splice(servers.indexOf(first), 1);

    const second = await start('all');
    await vi.waitFor(async () => expect(await second.composition.kommo.inbox.counts(tenantId)).toEqual({ pending: 0, done: 2, dead: 0 }), {
      timeout: 30_000,
      interval: 100,
    });
    // Each delivery re-fetched its leads from Kommo once.
    expect(leadReads() - readsBefore).toBe(2);
  }, 120_000);
});
