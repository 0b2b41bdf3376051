/**
 * Each tenant's agent talks through its own model, on PostgreSQL: a tenant whose `model`
 * integration points at a model server on localhost (OpenAI wire, streamed) is answered by that
 * server; a tenant without one by the offline demo model. A configuration change is used by the
 * tenant's next turn: another model name, then the `sandbox` provider.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  clientFor,
  createTestDatabase,
  databaseUrl,
  startTestServer,
  type Client,
  type TestDatabase,
} from '../runtime/__fixtures__/server-harness.js';
import type { RunningServer } from '../runtime/start-server.js';
import { plainAnswer, startOpenAiWireServer, type OpenAiWireServer } from './__fixtures__/openai-wire-server.js';

const operatorKey = 'operator-key-of-the-tenant-model-tests-0123';
const workday = [['09:00', '18:00']];
const zoned = new Intl.DateTimeFormat('en-US', {
  timeZone: 'America/Sao_Paulo',
  weekday: 'short',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

/** `Mon 09:30`: the weekday and time of `instant` in São Paulo. */
const inSaoPaulo = (instant: string) => {
  const parts = Object.fromEntries(zoned.formatToParts(new Date(instant)).map((part) => [part.type, part.value]));
  return `${parts['weekday'] ?? ''} ${parts['hour'] ?? ''}:${parts['minute'] ?? ''}`;
};

describe.skipIf(databaseUrl === undefined)('the model of each tenant’s agent [postgres]', () => {
  let database: TestDatabase | undefined;
  let modelServer: OpenAiWireServer | undefined;
  let server: RunningServer | undefined;
  let local: Client;
  let demo: Client;
  let localTenantId: string;
  let demoTenantId: string;

  /** Writes `text` as a lead of the client's tenant and returns the agent's reply. */
  const say = async (client: Client, tenantId: string, from: string, text: string) => {
    const { leadId } = await client.post<{ leadId: string }>('/v1/sandbox/inbound', { from, text });
    await server?.agent?.agent.idle();
    const messages = (await server?.composition.context.store.messages.listByLead(tenantId, leadId)) ?? [];
    const last = messages.at(-1);
    return { leadId, reply: last?.direction === 'outbound' ? last.body : undefined };
  };

  const setModel = async (client: Client, body: unknown) => {
    const reply = await client.request<{ version: number }>('PUT', '/v1/integrations/model', body);
    expect(reply.status).toBe(200);
    return reply.body.version;
  };

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    modelServer = await startOpenAiWireServer();
    server = await startTestServer({ ...database.env, SDR_OPERATOR_KEY: operatorKey, SDR_AGENT_DEBOUNCE_MS: '0' });
    local = clientFor(server.url ?? '', server.demo?.apiKey ?? '');
    localTenantId = server.demo?.tenant.id ?? '';
    const created = await clientFor(server.url ?? '', operatorKey).post<{ tenant: { id: string }; apiKey: { key: string } }>(
      '/v1/tenants',
      {
        name: 'Globex',
        timeZone: 'America/Sao_Paulo',
        businessHours: { mon: workday, tue: workday, wed: workday, thu: workday, fri: workday },
      },
    );
    demo = clientFor(server.url ?? '', created.apiKey.key);
    demoTenantId = created.tenant.id;
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    await modelServer?.close();
    await database?.drop();
  }, 60_000);

  it('answers each tenant through its own model', async () => {
    await setModel(local, { provider: 'openai-compatible', config: { baseUrl: modelServer!.baseUrl, model: 'local-a', temperature: 0.2 } });

    const booked = await say(local, localTenantId, '+5511987654321', 'quero agendar uma reunião amanhã');
    expect(booked.reply).toBe('Pronto! Reunião marcada.');
    expect(modelServer!.requests.map((request) => [request.model, request.messages.at(-1)?.role])).toEqual([
      ['local-a', 'user'],
      ['local-a', 'tool'],
      ['local-a', 'tool'],
    ]);
    const [appointment] = (await server?.composition.context.store.appointments.listByLead(localTenantId, booked.leadId)) ?? [];
    expect(appointment?.status).toBe('scheduled');

    // The other tenant has no model integration: the demo model answers, the model server hears nothing.
    const greeted = await say(demo, demoTenantId, '+5511912345678', 'oi');
    expect(greeted.reply).toMatch(/^Olá! Eu sou Ana, da .+\. Quer agendar uma conversa/);
    expect(modelServer!.requests).toHaveLength(3);
    // The slots it offers are real ones, inside the tenant's business hours (30-minute slots).
    const offered = await say(demo, demoTenantId, '+5511912345678', 'quero agendar');
    expect(offered.reply).toMatch(/^Tenho estes horários: 1\) .+; 2\) .+; 3\) .+\./);
    const { offeredSlots } = await demo.get<{ offeredSlots: string[] }>(`/v1/leads/${offered.leadId}/agent`);
    expect(offeredSlots).toHaveLength(3);
    for (const slot of offeredSlots) expect(inSaoPaulo(slot)).toMatch(/^(Mon|Tue|Wed|Thu|Fri) (09|1[0-7]):(00|30)$/);
    expect(modelServer!.requests).toHaveLength(3);
  }, 180_000);

  it('uses a changed configuration from the tenant’s next turn', async () => {
    const before = modelServer!.requests.length;
    const version = await setModel(local, { provider: 'openai-compatible', config: { baseUrl: modelServer!.baseUrl, model: 'local-b' } });
    expect(version).toBe(2);
    expect((await say(local, localTenantId, '+5511955554444', 'oi, tudo bem?')).reply).toBe(plainAnswer);
    expect(modelServer!.requests.slice(before).map((request) => request.model)).toEqual(['local-b']);

    await setModel(local, { provider: 'sandbox', config: {} });
    expect((await say(local, localTenantId, '+5511966667777', 'oi')).reply).toMatch(/^Olá! Eu sou Ana, da .+\. Quer agendar uma conversa/);
    expect(modelServer!.requests.length - before).toBe(1);

    // Back to no integration: the server's fallback, here the demo model.
    expect((await local.request('DELETE', '/v1/integrations/model')).status).toBe(200);
    expect((await say(local, localTenantId, '+5511977778888', 'oi')).reply).toMatch(/^Olá! Eu sou Ana/);
  }, 180_000);

  it('refuses a model configuration that is not valid, naming the field', async () => {
    const reply = await local.request<{ errors?: unknown }>('PUT', '/v1/integrations/model', {
      provider: 'openai-compatible',
      config: { baseUrl: 'ftp://example.test', model: 'x' },
    });
    expect(reply.status).toBe(422);
    expect(JSON.stringify(reply.body)).toContain('baseUrl');
  }, 60_000);
});
