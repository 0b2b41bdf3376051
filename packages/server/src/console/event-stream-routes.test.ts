/**
 * The live stream on a real listening app: a tenant receives its own domain events and never
 * another tenant's, the key is required in the header, a stream ends after its lifetime, and
 * closing the server ends open streams instead of waiting for the browsers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestWorld, type TestWorld } from '../http/__fixtures__/test-context.js';
import { createDomainEventFeed } from './event-feed.js';
import { createEventStreamRoutes } from './event-stream-routes.js';

interface Frame {
  readonly event: string;
  readonly data: Record<string, unknown>;
  readonly id?: string | undefined;
}

/** Reads SSE frames from a response until `until` holds or the stream ends. */
async function readFrames(response: Response, until: (frames: readonly Frame[]) => boolean): Promise<Frame[]> {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  const frames: Frame[] = [];
  let buffer = '';
  try {
    while (!until(frames)) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      let boundary = buffer.indexOf('\n\n');
      while (boundary !== -1) {
        const block = buffer.slice(0, boundary);
        buffer = buffer.slice(boundary + 2);
        const fields = Object.fromEntries(
          block
            .split('\n')
            .filter((line) => !line.startsWith(':') && line.includes(': '))
            .map((line) => [line.slice(0, line.indexOf(': ')), line.slice(line.indexOf(': ') + 2)]),
        );
        if (fields.event !== undefined) {
          frames.push({ event: fields.event, data: JSON.parse(fields.data ?? 'null') as Record<string, unknown>, id: fields.id });
        }
        boundary = buffer.indexOf('\n\n');
      }
    }
  } finally {
    await reader.cancel();
  }
  return frames;
}

describe('GET /v1/events/stream', () => {
  let world: TestWorld;
  let url: string;

  beforeAll(async () => {
    world = await createTestWorld({
      extraRoutes: (context) => [createEventStreamRoutes({ feed: createDomainEventFeed(context.events), maxLifetimeMs: 3_000 })],
    });
    url = await world.app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await world.app.close();
  });

  const open = (key: string) => fetch(`${url}/v1/events/stream`, { headers: { authorization: `Bearer ${key}` } });
  const createLead = (key: string, phone: string) =>
    fetch(`${url}/v1/leads`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ phone, name: 'Ana' }),
    }).then(async (response) => (await response.json()) as { id: string });

  it('sends the tenant its own events, and none of another tenant', async () => {
    const stream = await open(world.acme.key);
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(stream.headers.get('cache-control')).toBe('no-store');
    const reading = readFrames(stream, (frames) => frames.some((frame) => frame.event === 'lead.created'));
    const other = await createLead(world.globex.key, '+55 11 91234-0001');
    const own = await createLead(world.acme.key, '+55 11 91234-0002');
    const frames = await reading;
    expect(frames[0]).toEqual({ event: 'ready', data: { tenantId: world.acme.tenant.id }, id: undefined });
    const created = frames.filter((frame) => frame.event === 'lead.created');
    expect(created).toHaveLength(1);
    expect(created[0]?.data).toMatchObject({ tenantId: world.acme.tenant.id, leadId: own.id });
    expect(created[0]?.id).toMatch(/^[a-z0-9]+-\d+$/);
    expect(JSON.stringify(frames)).not.toContain(other.id);
    expect(JSON.stringify(frames)).not.toContain(world.globex.tenant.id);
  });

  it('needs the key in the Authorization header', async () => {
    const missing = await fetch(`${url}/v1/events/stream`);
    expect(missing.status).toBe(401);
    const inQuery = await fetch(`${url}/v1/events/stream?key=${world.acme.key}`);
    expect(inQuery.status).toBe(401);
  });

  it('ends a stream after its lifetime with an end event, so the client reconnects with its key', async () => {
    const stream = await open(world.acme.key);
    const frames = await readFrames(stream, () => false);
    expect(frames.map((frame) => frame.event)).toEqual(['ready', 'end']);
  });
});

describe('closing the server with streams open', () => {
  it('ends them instead of waiting for the browser', async () => {
    const world = await createTestWorld({
      extraRoutes: (context) => [createEventStreamRoutes({ feed: createDomainEventFeed(context.events) })],
    });
    const url = await world.app.listen({ host: '127.0.0.1', port: 0 });
    const stream = await fetch(`${url}/v1/events/stream`, { headers: { authorization: `Bearer ${world.acme.key}` } });
    const reading = readFrames(stream, () => false);
    await world.app.close();
    expect((await reading).map((frame) => frame.event)).toEqual(['ready', 'end']);
  });
});
