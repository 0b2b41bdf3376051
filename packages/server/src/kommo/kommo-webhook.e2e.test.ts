/**
 * Kommo's webhooks on the real server over PostgreSQL, with the fake Kommo behind a loopback HTTP
 * server: the tenant configures Kommo through `PUT /v1/integrations/crm`; a person moving the card
 * to lost stops the lead's automation; a wrong secret is a 401 and a foreign account a 403, both
 * processing nothing; the secret of the URL is in no log line and no metric.
 */
import { Writable } from 'node:stream';
import {
  buildKommoDelivery,
  createFakeKommo,
  startFakeKommoServer,
  type FakeKommo,
  type FakeKommoServer,
} from '@sdr/adapter-kommo/testing';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
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

const webhookSecret = 'kommo-hook-secret-5f2a9c7e1b3d';

describe.skipIf(databaseUrl === undefined)('Kommo webhooks [postgres]', () => {
  let database: TestDatabase | undefined;
  let server: RunningServer | undefined;
  let fake: FakeKommo;
  let fakeServer: FakeKommoServer | undefined;
  let api: Client;
  let tenantId: string;
  const logLines: string[] = [];

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    fake = createFakeKommo();
    fakeServer = await startFakeKommoServer(fake);
    const logger = pino(
      { level: 'debug' },
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          logLines.push(chunk.toString('utf8'));
          done();
        },
      }),
    );
    const config = loadConfig({ ...quickWorkers, ...database.env, SDR_LOG_LEVEL: 'debug' });
    server = await startServer({ config, logger, httpLogger: logger });
    api = clientFor(server.url ?? '', server.demo?.apiKey ?? '');
    tenantId = server.demo?.tenant.id ?? '';
  }, 300_000);

  afterAll(async () => {
    await server?.stop();
    await fakeServer?.close();
    await database?.drop();
  }, 120_000);

  const deliver = async (secret: string, body: string) => {
    const response = await fetch(`${server?.url ?? ''}/webhooks/kommo/${tenantId}/${secret}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  it('configures Kommo, and a person moving the card to lost stops the lead’s automation', async () => {
    const store = server?.composition.context.store;
    if (store === undefined) throw new Error('no server');
    const put = await api.request<{ provider: string; config: Record<string, unknown> }>('PUT', '/v1/integrations/crm', {
      provider: 'kommo',
      config: {
        subdomain: 'acme',
        baseUrl: fakeServer?.baseUrl,
        auth: { type: 'long_lived', token: fake.token },
        accountId: fake.accountId,
        pipeline: 'Funil de vendas',
        // As Kommo shows them, in any case and without accents; the closing statuses by id.
        stages: { meeting_scheduled: 'reuniao AGENDADA', not_interested: 'Não interessado', won: 142, lost: '143' },
        webhookSecret,
      },
    });
    expect(put.status).toBe(200);
    expect(put.body.provider).toBe('kommo');
    expect(JSON.stringify(put.body)).not.toContain(webhookSecret);
    // The names were resolved to Kommo's ids at PUT time and became the tenant's stage mapping (the CRM sync's).
    const tenant = await store.tenants.get(tenantId);
    if (tenant === null) throw new Error('no demo tenant');
    expect(tenant.stageMapping).toEqual({
      meeting_scheduled: { pipelineId: '7001', statusId: '70013' },
      not_interested: { pipelineId: '7001', statusId: '70014' },
      won: { pipelineId: '7001', statusId: '142' },
      lost: { pipelineId: '7001', statusId: '143' },
    });
    // A name Kommo does not have: a 422 naming the stage and the pipeline's statuses; the mapping is unchanged.
    const refused = await api.request<{ errors: { field: string; message: string }[] }>('PUT', '/v1/integrations/crm', {
      provider: 'kommo',
      config: {
        subdomain: 'acme',
        baseUrl: fakeServer?.baseUrl,
        auth: { type: 'long_lived', token: fake.token },
        accountId: fake.accountId,
        pipeline: 'Funil de vendas',
        stages: { meeting_scheduled: 'Reunião marcada' },
        webhookSecret,
      },
    });
    expect(refused.status).toBe(422);
    expect(refused.body.errors).toMatchObject([
      { field: 'config.stages.meeting_scheduled', message: expect.stringContaining('Reunião agendada') as string },
    ]);
    expect((await store.tenants.get(tenantId))?.stageMapping).toEqual(tenant.stageMapping);
    // This test keeps Kommo's closing statuses only, so the sync moves no card on its own.
    await store.tenants.update({ ...tenant, stageMapping: {} });

    const created = await api.post<{ id: string }>('/v1/leads', { phone: '+5511987650011' });
    const linked = await vi.waitFor(
      async () => {
        const lead = await store.leads.get(tenantId, created.id);
        if (lead === null || lead.crmLeadId === null) throw new Error('not linked yet');
        return lead;
      },
      { timeout: 60_000, interval: 200 },
    );
    expect(linked.automation).toBe('active');
    const card = fake.leads.get(Number(linked.crmLeadId));
    if (card === undefined) throw new Error('the card is not in the fake Kommo');

    // Echo: a delivery about a card where the sync left it changes nothing.
    const echo = await deliver(webhookSecret, buildKommoDelivery({ accountId: fake.accountId, update: [{ id: card.id }] }));
    expect(echo).toEqual({ status: 200, body: { status: 'accepted', leads: 1 } });
    await server?.composition.kommo.idle();
    expect((await store.leads.get(tenantId, created.id))?.automation).toBe('active');

    // A person drags the card to "Venda perdida" (143); Kommo tells the server.
    const oldStatus = card.status_id;
    card.status_id = 143;
    const moved = await deliver(
      webhookSecret,
      buildKommoDelivery({
        accountId: fake.accountId,
        status: [{ id: card.id, statusId: 143, pipelineId: card.pipeline_id, oldStatusId: oldStatus, oldPipelineId: card.pipeline_id }],
      }),
    );
    expect(moved.status).toBe(200);
    await server?.composition.kommo.idle();
    const after = await store.leads.get(tenantId, created.id);
    expect(after).toMatchObject({ stage: 'lost', automation: 'stopped' });
    // The lead was re-fetched through the API before acting.
    expect(fake.requests.some((request) => request.operation === 'leads.get')).toBe(true);
  }, 120_000);

  it('a wrong secret is a 401 and a foreign account a 403, and neither is processed', async () => {
    const before = fake.requests.length;
    const body = buildKommoDelivery({ accountId: fake.accountId, status: [{ id: 999_001, statusId: 142, pipelineId: 7001 }] });
    const wrongSecret = await deliver('not-the-secret-0123456789', body);
    expect(wrongSecret.status).toBe(401);
    expect(wrongSecret.body).toMatchObject({ status: 401, code: 'unauthorized' });
    const foreign = await deliver(
      webhookSecret,
      buildKommoDelivery({ accountId: 4242, status: [{ id: 999_001, statusId: 142, pipelineId: 7001 }] }),
    );
    expect(foreign.status).toBe(403);
    expect(foreign.body).toMatchObject({ status: 403, code: 'forbidden' });
    expect(JSON.stringify(foreign.body)).not.toContain(webhookSecret);
    await server?.composition.kommo.idle();
    expect(fake.requests.slice(before).filter((request) => request.operation === 'leads.get')).toEqual([]);
  });

  it('the secret of the URL reaches no log line and no metric; request logs show the route redacted', async () => {
    const metrics = await fetch(`${server?.url ?? ''}/metrics`);
    const text = await metrics.text();
    expect(text).toContain('/webhooks/kommo/:tenantId/:secret');
    expect(text).not.toContain(webhookSecret);
    const logs = logLines.join('');
    expect(logs).toContain(`/webhooks/kommo/${tenantId}/[redacted]`);
    expect(logs).not.toContain(webhookSecret);
  });
});
