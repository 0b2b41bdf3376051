/**
 * A tenant connects its own Evolution instance through the integrations API, on the real server
 * over PostgreSQL: the webhook is registered on the instance, deliveries are accepted with the
 * integration's secret (and only with it), and the agent's answer to the lead goes out through
 * that tenant's Evolution instance — not through the sandbox channel.
 */
import {
  createFakeEvolution,
  startFakeEvolutionServer,
  buildMessagesUpsert,
  type FakeEvolutionServer,
} from '@sdr/adapter-evolution/testing';
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

const webhookSecret = 'acme-evolution-webhook-secret-51c0';

describe.skipIf(databaseUrl === undefined)('a tenant on its own Evolution instance [postgres]', () => {
  let database: TestDatabase | undefined;
  let server: RunningServer | undefined;
  let evolutionServer: FakeEvolutionServer | undefined;
  let client: Client;
  let tenantId: string;
  let instance: string;
  const fake = createFakeEvolution({ instances: [] });

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    const config = loadConfig({ ...quickWorkers, ...database.env, SDR_AGENT_DEBOUNCE_MS: '0' });
    server = await startServer({ config, logger: pino({ level: 'silent' }) });
    client = clientFor(server.url ?? '', server.demo?.apiKey ?? '');
    tenantId = server.demo?.tenant.id ?? '';
    instance = server.demo?.tenant.messaging.instance ?? '';
    fake.setInstance(instance, 'open');
    evolutionServer = await startFakeEvolutionServer(fake);
  }, 300_000);

  afterAll(async () => {
    await server?.stop();
    await evolutionServer?.close();
    await database?.drop();
  }, 120_000);

  const deliver = (body: unknown, secret: string) =>
    fetch(`${server?.url ?? ''}/webhooks/evolution/${tenantId}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-webhook-secret': secret },
      body: JSON.stringify(body),
    });

  it('configured with registerWebhook, the instance points at the server with the secret header', async () => {
    const put = await client.request<{ provider: string; config: Record<string, unknown> }>('PUT', '/v1/integrations/whatsapp', {
      provider: 'evolution',
      config: { baseUrl: evolutionServer?.baseUrl, apiKey: fake.apiKey, instance, webhookSecret, registerWebhook: true },
    });
    expect(put.status).toBe(200);
    expect(JSON.stringify(put.body)).not.toContain(webhookSecret);
    const registered = fake.webhook(instance);
    expect(registered?.url).toContain(`/webhooks/evolution/${tenantId}`);
    expect(registered?.headers).toMatchObject({ 'x-webhook-secret': webhookSecret });
  });

  it("deliveries carry the integration's secret or are refused; the lead's answer goes out through the tenant's instance", async () => {
    const upsert = buildMessagesUpsert({ instance, remoteJid: '5511987650001@s.whatsapp.net', id: 'WA-INT-1', text: 'Oi, quero agendar' });
    expect((await deliver(upsert, 'not-the-secret-at-all-0000')).status).toBe(401);
    expect((await deliver(upsert, webhookSecret)).status).toBe(200);
    await vi.waitFor(
      () => {
        expect(fake.deliveries.filter((delivery) => delivery.instance === instance).length).toBeGreaterThanOrEqual(1);
      },
      { timeout: 60_000, interval: 250 },
    );
    const sent = fake.deliveries.filter((delivery) => delivery.instance === instance);
    expect(sent[0]?.number).toContain('5511987650001');
    expect(
      fake.requests.filter((request) => request.path.startsWith('/message/sendText/')).every((request) => request.apikey === fake.apiKey),
    ).toBe(true);
  }, 120_000);
});
