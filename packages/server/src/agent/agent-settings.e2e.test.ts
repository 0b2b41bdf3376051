/**
 * `/v1/agent/settings` in the running server on PostgreSQL: the defaults until set, a bad body
 * refused with a 422 naming each field (nothing stored), a valid one stored and used by the
 * tenant's agent on its next turn — and one tenant never reads or changes another's.
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

const operatorKey = 'operator-key-of-the-agent-settings-tests-01';

interface SettingsReply {
  readonly settings: { name: string; company?: string; questions: { field: string; question: string }[]; enabled: boolean };
  readonly version: number;
  readonly updatedAt: string | null;
}

describe.skipIf(databaseUrl === undefined)('the agent settings API [postgres]', () => {
  let database: TestDatabase | undefined;
  let server: RunningServer | undefined;
  let demo: Client;
  let other: Client;
  let demoTenantId: string;

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    server = await startTestServer({ ...database.env, SDR_OPERATOR_KEY: operatorKey, SDR_AGENT_DEBOUNCE_MS: '0' });
    demo = clientFor(server.url ?? '', server.demo?.apiKey ?? '');
    demoTenantId = server.demo?.tenant.id ?? '';
    const created = await clientFor(server.url ?? '', operatorKey).post<{ apiKey: { key: string } }>('/v1/tenants', {
      name: 'Globex',
      timeZone: 'America/Sao_Paulo',
    });
    other = clientFor(server.url ?? '', created.apiKey.key);
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  }, 60_000);

  const rows = () => (database!.url === null ? Promise.resolve([]) : countRows(database!.url));

  it('answers the defaults until the settings are set', async () => {
    const reply = await demo.get<SettingsReply>('/v1/agent/settings');
    expect(reply).toMatchObject({ version: 0, updatedAt: null, settings: { name: 'Ana', enabled: true, questions: [] } });
  });

  it('refuses bad settings with a 422 naming each field, and stores nothing', async () => {
    const bad = await demo.request<{ code: string; errors: { field: string }[] }>('PUT', '/v1/agent/settings', {
      name: '',
      questions: [
        { field: 'Budget', question: 'Qual o orçamento?' },
        { field: 'team', question: '' },
      ],
      tone: 42,
      mood: 'happy',
    });
    expect(bad.status).toBe(422);
    expect(bad.body.code).toBe('validation_failed');
    expect(bad.body.errors.map((error) => error.field).sort()).toEqual([
      'mood',
      'name',
      'questions.0.field',
      'questions.1.question',
      'tone',
    ]);
    const notAnObject = await demo.request<{ errors: { field: string }[] }>('PUT', '/v1/agent/settings', ['Bia']);
    expect(notAnObject.status).toBe(422);
    expect(notAnObject.body.errors.map((error) => error.field)).toEqual(['body']);
    expect(await rows()).toEqual([]);
  });

  it('stores valid settings, answers them, and the tenant’s agent speaks with that persona', async () => {
    const set = await demo.request<SettingsReply>('PUT', '/v1/agent/settings', {
      name: 'Bia',
      company: 'Acme Imóveis',
      questions: [{ field: 'budget', question: 'Qual é o seu orçamento?' }],
      facts: ['Atendemos em São Paulo.'],
    });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ version: 1, settings: { name: 'Bia', company: 'Acme Imóveis' } });
    expect(set.body.updatedAt).not.toBeNull();
    expect(await demo.get<SettingsReply>('/v1/agent/settings')).toEqual(set.body);

    const { leadId } = await demo.post<{ leadId: string }>('/v1/sandbox/inbound', { from: '+5511987654321', text: 'oi' });
    await server?.agent?.agent.idle();
    const messages = (await server?.composition.context.store.messages.listByLead(demoTenantId, leadId)) ?? [];
    expect(messages.at(-1)?.body).toBe('Olá! Eu sou Bia, da Acme Imóveis. Qual é o seu orçamento?');

    const again = await demo.request<SettingsReply>('PUT', '/v1/agent/settings', { name: 'Carla' });
    expect(again.body).toMatchObject({ version: 2, settings: { name: 'Carla', questions: [] } });
    expect(again.body.settings.company).toBeUndefined();
  }, 60_000);

  it('keeps each tenant to its own settings', async () => {
    expect(await other.get<SettingsReply>('/v1/agent/settings')).toMatchObject({ version: 0, settings: { name: 'Ana' } });
    const set = await other.request<SettingsReply>('PUT', '/v1/agent/settings', { name: 'Diego' });
    expect(set.body).toMatchObject({ version: 1, settings: { name: 'Diego' } });
    expect(await demo.get<SettingsReply>('/v1/agent/settings')).toMatchObject({ version: 2, settings: { name: 'Carla' } });
    expect(await other.get<SettingsReply>('/v1/agent/settings')).toMatchObject({ version: 1, settings: { name: 'Diego' } });
    // Without a key, nothing.
    const anonymous = await clientFor(server?.url ?? '', null).request('GET', '/v1/agent/settings');
    expect(anonymous.status).toBe(401);
  });
});

async function countRows(url: string): Promise<unknown[]> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query('SELECT tenant_id FROM sdr_server.agent_settings')).rows as unknown[];
  } finally {
    await client.end();
  }
}
