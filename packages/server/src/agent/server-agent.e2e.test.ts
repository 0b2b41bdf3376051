/**
 * The running server answers a lead through a model server on localhost that speaks the OpenAI
 * wire (streamed, real HTTP): "quero agendar uma reunião amanhã" ⇒ find_slots ⇒ book_meeting ⇒
 * an appointment, a calendar event, the CRM card in "Reunião agendada", and one reply on the
 * channel. And with no model configured, the offline demo model converses on `pnpm start`.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { clientFor, createTestDatabase, startTestServer, type TestDatabase } from '../runtime/__fixtures__/server-harness.js';
import type { RunningServer } from '../runtime/start-server.js';

interface ChatRequest {
  readonly messages: readonly { readonly role: string; readonly content?: string | null }[];
}

const chunk = (delta: Record<string, unknown>, finishReason: string | null = null) =>
  `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'local', choices: [{ index: 0, delta, finish_reason: finishReason }] })}\n\n`;

const toolCall = (name: string, args: string) => [
  chunk({ role: 'assistant', tool_calls: [{ index: 0, id: `call_${name}`, type: 'function', function: { name, arguments: '' } }] }),
  // Arguments split across chunks, as OpenAI streams them.
  chunk({ tool_calls: [{ index: 0, function: { arguments: args.slice(0, 5) } }] }),
  chunk({ tool_calls: [{ index: 0, function: { arguments: args.slice(5) } }] }),
  chunk({}, 'tool_calls'),
];

/** A scripted model server: asks for slots "tomorrow", books the first one offered, then confirms. */
function startModelServer(requests: ChatRequest[]): Promise<Server> {
  const server = createServer((request, response) => {
    let raw = '';
    request.on('data', (data: Buffer) => (raw += data.toString('utf8')));
    request.on('end', () => {
      const body = JSON.parse(raw) as ChatRequest;
      requests.push(body);
      const last = body.messages.at(-1);
      let events: string[];
      if (last?.role === 'user') {
        const now = /## Now\n(\d{4}-\d{2}-\d{2})/.exec(body.messages[0]?.content ?? '')?.[1] ?? '';
        const tomorrow = new Date(`${now}T12:00:00Z`);
        tomorrow.setUTCDate(tomorrow.getUTCDate() + 1);
        events = toolCall('find_slots', JSON.stringify({ from: `${tomorrow.toISOString().slice(0, 10)}T00:00:00-03:00` }));
      } else if (last?.role === 'tool' && (last.content ?? '').includes('"slots"')) {
        const offered = JSON.parse(last.content ?? '{}') as { slots: { start: string }[] };
        events = toolCall('book_meeting', JSON.stringify({ start: offered.slots[0]?.start }));
      } else {
        events = [chunk({ role: 'assistant', content: 'Pronto! ' }), chunk({ content: 'Reunião marcada.' }), chunk({}, 'stop')];
      }
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.end([...events, 'data: [DONE]\n\n'].join(''));
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe('the built-in agent in the running server', () => {
  let database: TestDatabase | undefined;
  let modelServer: Server | undefined;
  let server: RunningServer | undefined;
  const requests: ChatRequest[] = [];

  beforeAll(async () => {
    database = await createTestDatabase('pglite');
    modelServer = await startModelServer(requests);
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    await new Promise((resolve) => modelServer?.close(resolve));
    await database?.drop();
  }, 60_000);

  it('books through a model server on localhost speaking the OpenAI wire', async () => {
    const port = (modelServer?.address() as AddressInfo).port;
    server = await startTestServer({
      ...database!.env,
      // The embedded database serves one query at a time: a slower dispatcher leaves it to the turn.
      SDR_DISPATCH_POLL_MS: '1000',
      SDR_ALERT_INTERVAL_MS: '60000',
      SDR_AGENT_BASE_URL: `http://127.0.0.1:${String(port)}/v1`,
      SDR_AGENT_MODEL: 'local',
      SDR_AGENT_DEBOUNCE_MS: '0',
    });
    const client = clientFor(server.url ?? '', server.demo?.apiKey ?? '');
    const { leadId } = await client.post<{ leadId: string }>('/v1/sandbox/inbound', {
      from: '+5511987654321',
      text: 'quero agendar uma reunião amanhã',
    });
    await server.agent?.agent.idle();

    expect(requests.map((request) => request.messages.at(-1)?.role)).toEqual(['user', 'tool', 'tool']);
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
