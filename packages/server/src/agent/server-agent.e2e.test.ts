/**
 * The running server answers a lead through a model server on localhost that speaks the OpenAI
 * wire (streamed, real HTTP): "quero agendar uma reunião amanhã" ⇒ find_slots ⇒ book_meeting ⇒
 * an appointment, a calendar event, the CRM card in "Reunião agendada", and one reply on the
 * channel. And with no model configured, the offline demo model converses on `pnpm start`.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { clientFor, createTestDatabase, startTestServer, type TestDatabase } from '../runtime/__fixtures__/server-harness.js';
import type { RunningServer } from '../runtime/start-server.js';
import { startOpenAiWireServer, type OpenAiWireServer } from './__fixtures__/openai-wire-server.js';

describe('the built-in agent in the running server', () => {
  let database: TestDatabase | undefined;
  let modelServer: OpenAiWireServer | undefined;
  let server: RunningServer | undefined;

  beforeAll(async () => {
    database = await createTestDatabase('pglite');
    modelServer = await startOpenAiWireServer();
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    await modelServer?.close();
    await database?.drop();
  }, 60_000);

  it('books through a model server on localhost speaking the OpenAI wire', async () => {
    server = await startTestServer({
      ...database!.env,
      // The embedded database serves one query at a time: a slower dispatcher leaves it to the turn.
      SDR_DISPATCH_POLL_MS: '1000',
      SDR_ALERT_INTERVAL_MS: '60000',
      SDR_AGENT_BASE_URL: modelServer!.baseUrl,
      SDR_AGENT_MODEL: 'local',
      SDR_AGENT_DEBOUNCE_MS: '0',
    });
    const client = clientFor(server.url ?? '', server.demo?.apiKey ?? '');
    const { leadId } = await client.post<{ leadId: string }>('/v1/sandbox/inbound', {
      from: '+5511987654321',
      text: 'quero agendar uma reunião amanhã',
    });
    await server.agent?.agent.idle();

    expect(modelServer!.requests.map((request) => request.messages.at(-1)?.role)).toEqual(['user', 'tool', 'tool']);
    const tenantId = server.demo?.tenant.id ?? '';
    const [appointment] = await server.composition.context.store.appointments.listByLead(tenantId, leadId);
    expect(appointment?.status).toBe('scheduled');
    const calendar = await client.get<{ events: { start: string }[] }>('/v1/sandbox/calendar');
    expect(calendar.events.map((event) => new Date(event.start).getTime())).toEqual([appointment?.start.getTime()]);
    // One reply, recorded as the agent's outbound message of the conversation.
    const conversation = await server.composition.context.store.messages.listByLead(tenantId, leadId);
    expect(conversation.map((message) => [message.direction, message.body])).toEqual([
      ['inbound', 'quero agendar uma reunião amanhã'],
      ['outbound', 'Pronto! Reunião marcada.'],
    ]);
    const state = await client.get<{ turns: { outcome: string; toolCalls: { tool: string; ok: boolean }[] }[]; offeredSlots: string[] }>(
      `/v1/leads/${leadId}/agent`,
    );
    expect(state.turns.map((turn) => [turn.outcome, turn.toolCalls])).toEqual([
      [
        'replied',
        [
          { tool: 'find_slots', ok: true },
          { tool: 'book_meeting', ok: true },
        ],
      ],
    ]);
    expect(state.offeredSlots).toHaveLength(3);
    await vi.waitFor(
      async () => {
        const board = await client.get<{ leads: { stage: { name: string | null } }[] }>('/v1/sandbox/crm');
        expect(board.leads.map((lead) => lead.stage.name)).toEqual(['Reunião agendada']);
      },
      { timeout: 20_000, interval: 100 },
    );
  }, 180_000);
});
