/**
 * A scripted model server on localhost speaking the OpenAI wire (streamed chat completions, real
 * HTTP): to a lead asking to book ("agendar") it asks for slots "tomorrow", books the first one
 * offered, then confirms; to anything else it answers a short text. Every request body is kept.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The part of a chat completion request the tests read. */
export interface ChatRequest {
  readonly model: string;
  readonly messages: readonly { readonly role: string; readonly content?: string | null }[];
}

/** The reply to a message that does not ask to book. */
export const plainAnswer = 'Claro, posso ajudar.';

const chunk = (delta: Record<string, unknown>, finishReason: string | null = null) =>
  `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'local', choices: [{ index: 0, delta, finish_reason: finishReason }] })}\n\n`;

const toolCall = (name: string, args: string) => [
  chunk({ role: 'assistant', tool_calls: [{ index: 0, id: `call_${name}`, type: 'function', function: { name, arguments: '' } }] }),
  // Arguments split across chunks, as OpenAI streams them.
  chunk({ tool_calls: [{ index: 0, function: { arguments: args.slice(0, 5) } }] }),
  chunk({ tool_calls: [{ index: 0, function: { arguments: args.slice(5) } }] }),
  chunk({}, 'tool_calls'),
];

const text = (...parts: string[]) => [
  ...parts.map((part, index) => chunk(index === 0 ? { role: 'assistant', content: part } : { content: part })),
  chunk({}, 'stop'),
];

function eventsFor(body: ChatRequest): string[] {
  const last = body.messages.at(-1);
  if (last?.role === 'user') {
    if (!(last.content ?? '').includes('agendar')) return text(plainAnswer);
    const now = /## Now\n(\d{4}-\d{2}-\d{2})/.exec(body.messages[0]?.content ?? '')?.[1] ?? '';
    const tomorrow = new Date(`${now}T12:00:00Z`);
    tomorrow.setUTCDate(tomorrow.getUTCDate() + 1);
    return toolCall('find_slots', JSON.stringify({ from: `${tomorrow.toISOString().slice(0, 10)}T00:00:00-03:00` }));
  }
  if (last?.role === 'tool' && (last.content ?? '').includes('"slots"')) {
    const offered = JSON.parse(last.content ?? '{}') as { slots: { start: string }[] };
    return toolCall('book_meeting', JSON.stringify({ start: offered.slots[0]?.start }));
  }
  return text('Pronto! ', 'Reunião marcada.');
}

/** A started model server: its `/v1` base URL and the requests it received. */
export interface OpenAiWireServer {
  readonly baseUrl: string;
  readonly requests: ChatRequest[];
  close(): Promise<void>;
}

/** Starts the scripted server on a free port of 127.0.0.1. */
export async function startOpenAiWireServer(): Promise<OpenAiWireServer> {
  const requests: ChatRequest[] = [];
  const server: Server = createServer((request, response) => {
    let raw = '';
    request.on('data', (data: Buffer) => (raw += data.toString('utf8')));
    request.on('end', () => {
      const body = JSON.parse(raw) as ChatRequest;
      requests.push(body);
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.end([...eventsFor(body), 'data: [DONE]\n\n'].join(''));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${String(port)}/v1`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
