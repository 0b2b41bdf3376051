/**
 * Integration health on the real server, over PostgreSQL, with a third party's WhatsApp and CRM
 * plugins whose health the test controls: the periodic checks store it without anyone calling
 * `/check`; a stored `down` of the WhatsApp integration holds the tenant's scheduled sends (they
 * wait, pending, no attempt spent) until a check finds it up; `/readyz` reports broken
 * integrations and stays 200; `GET /v1/integrations` and `sdr_integration_up` show the health.
 */
import { definePlugin, noopLogger, secret, type PortHealth } from '@sdr/core';
import { createInMemoryCrm, createInMemoryMessaging, type InMemoryMessaging } from '@sdr/core/testing';
import pg from 'pg';
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

let whatsappStatus: PortHealth['status'] = 'up';
let crmStatus: PortHealth['status'] = 'up';
const channels: InMemoryMessaging[] = [];

const acmeWhatsapp = definePlugin({
  contractVersion: 'v1',
  kind: 'whatsapp',
  provider: 'acme-wa',
  displayName: 'Acme WhatsApp',
  configSchema: z.strictObject({ token: secret(z.string().min(10)) }),
  create: (_config, deps) => {
    const messaging = createInMemoryMessaging({ clock: deps.clock });
    channels.push(messaging);
    return Object.assign(messaging, {
      health: (): Promise<PortHealth> =>
        Promise.resolve({ status: whatsappStatus, detail: `acme-wa is ${whatsappStatus}`, checkedAt: deps.clock.now() }),
    });
  },
});

const acmeCrm = definePlugin({
  contractVersion: 'v1',
  kind: 'crm',
  provider: 'acme-crm',
  displayName: 'Acme CRM',
  configSchema: z.strictObject({ token: secret(z.string().min(10)) }),
  create: (_config, deps) =>
    Object.assign(createInMemoryCrm({ clock: deps.clock }), {
      provider: 'acme-crm',
      health: (): Promise<PortHealth> =>
        Promise.resolve({ status: crmStatus, detail: `acme-crm is ${crmStatus}`, checkedAt: deps.clock.now() }),
    }),
});

interface IntegrationJson {
  readonly kind: string;
  readonly provider: string;
  readonly health: { status: string; detail?: string } | null;
}

interface ReadyJson {
  readonly status: string;
  readonly checks: Record<string, { status: string; detail?: string }>;
}

describe.skipIf(databaseUrl === undefined)('integration health [postgres]', () => {
  let database: TestDatabase | undefined;
  let server: RunningServer;
  let api: Client;
  let sql: pg.Pool;

  const healthOf = async (kind: string) =>
    (await api.get<{ items: IntegrationJson[] }>('/v1/integrations')).items.find((item) => item.kind === kind)?.health ?? null;
  const integrationUp = async (kind: string, provider: string) => {
    const text = await (await fetch(`${server.url ?? ''}/metrics`)).text();
    const line = text.split('\n').find((entry) => entry.startsWith(`sdr_integration_up{kind="${kind}",provider="${provider}"}`));
    return line === undefined ? undefined : Number(line.split(' ').at(-1));
  };
  const ready = async () => {
    const response = await fetch(`${server.url ?? ''}/readyz`);
    return { status: response.status, body: (await response.json()) as ReadyJson };
  };
  const scheduled = async () =>
    (await sql.query<{ status: string; attempts: number }>(`SELECT status, attempts FROM sdr.scheduled_messages WHERE kind = 'reengage_1'`))
      .rows;

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    sql = new pg.Pool({ connectionString: database.url ?? '' });
    // Checks are due once configured, then only after a day: the test decides when health changes.
    const config = loadConfig({ ...quickWorkers, ...database.env, SDR_INTEGRATION_HEALTH_INTERVAL_MS: String(24 * 3_600_000) });
    server = await startServer({ config, logger: noopLogger, plugins: [acmeWhatsapp, acmeCrm] });
    api = clientFor(server.url ?? '', server.demo?.apiKey ?? '');
  }, 300_000);

  afterAll(async () => {
    await sql.end();
    await server.stop();
    await database?.drop();
  }, 120_000);

  it('checks on its own; a broken CRM is reported by /readyz, which stays 200', async () => {
    crmStatus = 'down';
    await api.request('PUT', '/v1/integrations/crm', { provider: 'acme-crm', config: { token: 'crm-token-0123456789' } });
    // No call to /check: the periodic pass stores the result.
    await vi.waitFor(async () => expect(await healthOf('crm')).toMatchObject({ status: 'down', detail: 'acme-crm is down' }), {
      timeout: 15_000,
      interval: 200,
    });
    const probe = await ready();
    expect(probe.status).toBe(200);
    expect(probe.body.status).toBe('ready');
    expect(probe.body.checks['integrations']).toMatchObject({
      status: 'degraded',
      detail: expect.stringContaining('crm/acme-crm down: 1'),
    });
    await vi.waitFor(async () => expect(await integrationUp('crm', 'acme-crm')).toBe(0), { timeout: 5_000, interval: 200 });

    crmStatus = 'up';
    expect((await api.post<IntegrationJson>('/v1/integrations/crm/check')).health?.status).toBe('up');
    await vi.waitFor(async () => expect(await integrationUp('crm', 'acme-crm')).toBe(1), { timeout: 5_000, interval: 200 });
    expect((await ready()).body.checks['integrations']).toMatchObject({ status: 'up' });
  }, 60_000);

  it('a WhatsApp integration whose last check is down holds the scheduled sends; they go once a check finds it up', async () => {
    whatsappStatus = 'down';
    await api.request('PUT', '/v1/integrations/whatsapp', { provider: 'acme-wa', config: { token: 'wa-token-0123456789' } });
    await vi.waitFor(async () => expect((await healthOf('whatsapp'))?.status).toBe('down'), { timeout: 15_000, interval: 200 });
    // The channel itself answers up again, but the stored check (the one every process reads) says down.
    whatsappStatus = 'up';

    const lead = await api.post<{ id: string }>('/v1/leads', { phone: '+5511987650001' });
    await api.post(`/v1/leads/${lead.id}/messages`, { direction: 'outbound', body: 'Olá! Posso te mostrar como funciona?' });
    await api.post('/v1/sandbox/clock/advance', { minutes: 31 });
    // Several dispatcher polls (every 50 ms) go by: the message waits, pending, without an attempt.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(await scheduled()).toEqual([{ status: 'pending', attempts: 0 }]);
    expect(channels.flatMap((channel) => channel.sent)).toEqual([]);
    expect((await ready()).body.checks['integrations']).toMatchObject({ detail: expect.stringContaining('whatsapp/acme-wa down: 1') });

    expect((await api.post<IntegrationJson>('/v1/integrations/whatsapp/check')).health?.status).toBe('up');
    // Past the dispatcher's cached health answer and its retry delay.
    await api.post('/v1/sandbox/clock/advance', { minutes: 2 });
    await vi.waitFor(async () => expect((await scheduled()).map((row) => row.status)).toEqual(['sent']), {
      timeout: 15_000,
      interval: 100,
    });
    expect(channels.flatMap((channel) => channel.sent).map((sent) => sent.to)).toEqual(['+5511987650001']);
  }, 60_000);
});
