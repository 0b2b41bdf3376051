/**
 * The slots the agent offered outlive the process that offered them: the demo tenant's lead is
 * offered slots, the server stops and starts again on the same PostgreSQL database, and the
 * lead's pick is still booked (the offer was kept in the database, not in the stopped process).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientFor, createTestDatabase, databaseUrl, startTestServer, type TestDatabase } from '../runtime/__fixtures__/server-harness.js';
import type { RunningServer } from '../runtime/start-server.js';

describe.skipIf(databaseUrl === undefined)('the agent’s offered slots across a restart [postgres]', () => {
  let database: TestDatabase | undefined;
  let server: RunningServer | undefined;

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  }, 60_000);

  it('books the slot picked after the server was restarted between the offer and the pick', async () => {
    const env = { ...database!.env, SDR_AGENT_DEBOUNCE_MS: '0', SDR_ALERT_INTERVAL_MS: '60000' };
    server = await startTestServer(env);
    const apiKey = server.demo?.apiKey ?? '';
    const tenantId = server.demo?.tenant.id ?? '';
    const say = async (text: string) => {
      const running = server!;
      const { leadId } = await clientFor(running.url ?? '', apiKey).post<{ leadId: string }>('/v1/sandbox/inbound', {
        from: '+5511987654321',
        text,
      });
      await running.agent?.agent.idle();
      const messages = await running.composition.context.store.messages.listByLead(tenantId, leadId);
      return { leadId, reply: messages.at(-1)?.direction === 'outbound' ? messages.at(-1)?.body : undefined };
    };

    const offered = await say('quero agendar');
    expect(offered.reply).toMatch(/^Tenho estes horários: 1\) .+; 2\) .+; 3\) .+\. Qual fica melhor para você\?$/);
    const before = await clientFor(server.url ?? '', apiKey).get<{ offeredSlots: string[] }>(`/v1/leads/${offered.leadId}/agent`);
    expect(before.offeredSlots).toHaveLength(3);

    await server.stop();
    server = await startTestServer(env);
    // The demo tenant already exists: the second start issues no new key, the first one still works.
    expect(server.demo?.apiKey).toBeNull();

    const booked = await say('1');
    expect(booked.leadId).toBe(offered.leadId);
    expect(booked.reply).toMatch(/^Pronto! Sua reunião ficou marcada para .+\. Até lá!$/);
    const [appointment] = await server.composition.context.store.appointments.listByLead(tenantId, booked.leadId);
    expect(appointment?.status).toBe('scheduled');
    // The first offered slot (the one picked, "1") is the one booked.
    expect(appointment?.start.toISOString()).toBe(new Date(before.offeredSlots[0] ?? '').toISOString());
    const after = await clientFor(server.url ?? '', apiKey).get<{ turns: { outcome: string }[] }>(`/v1/leads/${offered.leadId}/agent`);
    // Both turns are on record: the one before the restart and the one after it.
    expect(after.turns.map((turn) => turn.outcome)).toEqual(['replied', 'replied']);
  }, 240_000);
});
