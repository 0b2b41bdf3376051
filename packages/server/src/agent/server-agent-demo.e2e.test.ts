/**
 * As a new user would try it: `pnpm start` with no model configured, writing to the demo tenant
 * as a lead gets an answer from the offline demo model that offers real slots, and picking one
 * books it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientFor, createTestDatabase, startTestServer, type TestDatabase } from '../runtime/__fixtures__/server-harness.js';
import type { RunningServer } from '../runtime/start-server.js';

describe('the embedded default converses', () => {
  let database: TestDatabase | undefined;
  let server: RunningServer | undefined;

  beforeAll(async () => {
    database = await createTestDatabase('pglite');
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  }, 60_000);

  it('answers the demo tenant’s lead, offers slots and books the one picked', async () => {
    server = await startTestServer({
      ...database!.env,
      SDR_DISPATCH_POLL_MS: '1000',
      SDR_ALERT_INTERVAL_MS: '60000',
      SDR_AGENT_DEBOUNCE_MS: '0',
    });
    const client = clientFor(server.url ?? '', server.demo?.apiKey ?? '');
    const store = server.composition.context.store;
    const tenantId = server.demo?.tenant.id ?? '';
    const say = async (text: string) => {
      const { leadId } = await client.post<{ leadId: string }>('/v1/sandbox/inbound', { from: '+5511987654321', text });
      await server?.agent?.agent.idle();
      const messages = await store.messages.listByLead(tenantId, leadId);
      return { leadId, reply: messages.at(-1)?.direction === 'outbound' ? messages.at(-1)?.body : undefined };
    };
    expect((await say('oi')).reply).toMatch(/^Olá! Eu sou Ana, da .+\. Quer agendar uma conversa/);
    expect((await say('quero agendar')).reply).toMatch(/^Tenho estes horários: 1\) .+; 2\) .+; 3\) .+\. Qual fica melhor para você\?$/);
    const booked = await say('1');
    expect(booked.reply).toMatch(/^Pronto! Sua reunião ficou marcada para .+\. Até lá!$/);
    const [appointment] = await store.appointments.listByLead(tenantId, booked.leadId);
    expect(appointment?.status).toBe('scheduled');
  }, 180_000);
});
