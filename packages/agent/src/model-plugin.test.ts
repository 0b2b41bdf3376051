import { redactSecrets, validatePluginConfig, ValidationError } from '@sdr/core';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createAgentWorld } from './__fixtures__/agent-world.js';
import { createOpenAiCompatibleModel, openAiCompatibleModelPlugin } from './model-plugin.js';

const baseUrl = 'http://models.test/v1';
const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

function sse(chunks: readonly unknown[]): Response {
  const body = [...chunks.map((chunk) => `data: ${JSON.stringify(chunk)}\n\n`), 'data: [DONE]\n\n'].join('');
  return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
}

const chunk = (delta: Record<string, unknown>, finishReason: string | null = null) => ({
  id: 'chatcmpl-1',
  object: 'chat.completion.chunk',
  created: 1_772_448_000,
  model: 'qwen2.5:7b',
  choices: [{ index: 0, delta, finish_reason: finishReason }],
});

interface ChatRequest {
  readonly model: string;
  readonly stream: boolean;
  readonly temperature?: number;
  readonly max_tokens?: number;
  readonly tools?: readonly { readonly function: { readonly name: string } }[];
  readonly messages: readonly {
    readonly role: string;
    readonly content?: string | null;
    readonly tool_call_id?: string;
    readonly tool_calls?: unknown[];
  }[];
}

/** A model server: first a find_slots call (arguments as `argumentChunks`), then a text that quotes nothing. */
function modelServer(argumentChunks: readonly string[], requests: ChatRequest[], headers: Headers[]) {
  return http.post(`${baseUrl}/chat/completions`, async ({ request }) => {
    headers.push(request.headers);
    const body = (await request.json()) as ChatRequest;
    requests.push(body);
    if (requests.length === 1) {
      return sse([
        chunk({
          role: 'assistant',
          tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'find_slots', arguments: argumentChunks[0] } }],
        }),
        ...argumentChunks.slice(1).map((part) => chunk({ tool_calls: [{ index: 0, function: { arguments: part } }] })),
        chunk({}, 'tool_calls'),
      ]);
    }
    return sse([chunk({ role: 'assistant', content: 'Tenho terça ' }), chunk({ content: 'às 09:00.' }), chunk({}, 'stop')]);
  });
}

describe('openai-compatible model plugin on the wire', () => {
  it('assembles tool-call arguments streamed in fragments across chunks, and sends the tool result back', async () => {
    const requests: ChatRequest[] = [];
    const headers: Headers[] = [];
    server.use(modelServer(['{"fr', 'om": "2026-03-03T00:00', ':00-03:00"}'], requests, headers));
    const model = await openAiCompatibleModelPlugin.create(
      validatePluginConfig(openAiCompatibleModelPlugin, {
        baseUrl,
        apiKey: 'sk-test-123',
        model: 'qwen2.5:7b',
        temperature: 0.2,
        maxOutputTokens: 300,
      }),
      {
        tenantId: 't',
        clock: undefined as never,
        logger: undefined as never,
        lock: undefined as never,
        rateLimiter: undefined as never,
        credentials: undefined as never,
      },
    );
    const world = await createAgentWorld({ model });
    await world.leadSays('quero agendar uma reunião amanhã');
    await world.agent.idle();

    expect(requests).toHaveLength(2);
    expect(headers[0]?.get('authorization')).toBe('Bearer sk-test-123');
    expect(requests[0]).toMatchObject({ model: 'qwen2.5:7b', stream: true, temperature: 0.2, max_tokens: 300 });
    expect(requests[0]?.tools?.map((tool) => tool.function.name)).toContain('book_meeting');
    expect(requests[0]?.messages[0]?.role).toBe('system');
    const followUp = requests[1]?.messages ?? [];
    expect(followUp.at(-2)).toMatchObject({
      role: 'assistant',
      tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'find_slots', arguments: '{"from":"2026-03-03T00:00:00-03:00"}' } }],
    });
    const toolMessage = followUp.at(-1);
    expect(toolMessage).toMatchObject({ role: 'tool', tool_call_id: 'call_1' });
    expect(JSON.parse(toolMessage?.content ?? '{}')).toMatchObject({ ok: true, slots: [{ start: '2026-03-03T09:00:00-03:00' }, {}, {}] });
    expect(world.messaging.sent.map((sent) => sent.text)).toEqual(['Tenho terça às 09:00.']);
  });

  it("takes Ollama's complete arguments in one chunk, with no key sent when none is configured", async () => {
    const requests: ChatRequest[] = [];
    const headers: Headers[] = [];
    server.use(modelServer(['{"from":"2026-03-03T00:00:00-03:00"}'], requests, headers));
    const world = await createAgentWorld({ model: createOpenAiCompatibleModel({ baseUrl, model: 'qwen2.5:7b' }) });
    await world.leadSays('quero agendar');
    await world.agent.idle();
    expect(headers[0]?.get('authorization')).toBeNull();
    expect(requests[0]?.temperature).toBeUndefined();
    expect(JSON.parse(requests[1]?.messages.at(-1)?.content ?? '{}')).toMatchObject({ ok: true });
    expect(world.messaging.sent).toHaveLength(1);
  });

  it('a server error twice ends in a handoff, not silence', async () => {
    let calls = 0;
    server.use(
      http.post(`${baseUrl}/chat/completions`, () => {
        calls += 1;
        return HttpResponse.json({ error: { message: 'model overloaded' } }, { status: 503 });
      }),
    );
    const world = await createAgentWorld({ model: createOpenAiCompatibleModel({ baseUrl, model: 'm' }) });
    const lead = await world.leadSays('oi');
    await world.agent.idle();
    expect(calls).toBe(2);
    expect((await world.store.leads.get(world.tenant.id, lead.id))?.automation).toBe('paused_handoff');
    expect(world.messaging.sent).toHaveLength(1);
  });

  it('validates its configuration and keeps the key secret', () => {
    expect(() => validatePluginConfig(openAiCompatibleModelPlugin, { baseUrl: 'ftp://x', model: '' })).toThrow(ValidationError);
    const config = validatePluginConfig(openAiCompatibleModelPlugin, { baseUrl, apiKey: 'sk-secret', model: 'gpt-4o-mini' });
    expect(JSON.stringify(redactSecrets(openAiCompatibleModelPlugin.configSchema, config))).not.toContain('sk-secret');
  });
});
