/**
 * A tag of 60 emoji (60 code points, 120 UTF-16 units) through the API: `PATCH /v1/leads/{id}`
 * accepts it, and the CRM sync takes it to the sandbox CRM with the lead's other changes —
 * validation and the CRM count in one unit — instead of dead-lettering the lead's entries.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RunningServer } from './start-server.js';
import {
  clientFor,
  createTestDatabase,
  databaseUrl,
  startTestServer,
  type Client,
  type TestDatabase,
} from './__fixtures__/server-harness.js';

interface BoardLead {
  readonly phone: string | null;
  readonly name: string | null;
  readonly tags: readonly string[];
}

describe.skipIf(databaseUrl === undefined)('a 60-emoji tag through the API', () => {
  let database: TestDatabase | undefined;
  let server: RunningServer | undefined;
  let api: Client;

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    server = await startTestServer(database.env);
    api = clientFor(server.url ?? '', server.demo?.apiKey ?? '');
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  }, 60_000);

  it('is accepted, reaches the CRM with the name changed alongside, and leaves no dead entry nor alert', async () => {
    const phone = '+5511987650077';
    const tag = '😀'.repeat(60);
    const lead = await api.post<{ id: string }>('/v1/leads', { phone });
    const patched = await api.request<{ tags: string[] }>('PATCH', `/v1/leads/${lead.id}`, { name: 'Carla', tags: { add: [tag, 'vip'] } });
    expect(patched.status).toBe(200);
    expect(patched.body.tags).toEqual([tag, 'vip']);

    const boardLead = async () => (await api.get<{ leads: BoardLead[] }>('/v1/sandbox/crm')).leads.find((item) => item.phone === phone);
    await vi.waitFor(async () => expect(await boardLead()).toMatchObject({ name: 'Carla', tags: [tag, 'vip'] }), {
      timeout: 30_000,
      interval: 100,
    });
    const alerts = await api.get<{ items: { kind: string }[] }>('/v1/alerts');
    expect(alerts.items.map((alert) => alert.kind)).not.toContain('crm_sync_lag');
    expect(alerts.items.map((alert) => alert.kind)).not.toContain('crm_change_refused');
  }, 90_000);
});
