/**
 * Outgoing webhooks against the real server on PostgreSQL and a receiver on a real socket that
 * verifies every delivery with a Standard Webhooks verifier written here from the specification
 * (not the package the server signs with).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RunningServer } from '../runtime/start-server.js';
import {
  clientFor,
  createTestDatabase,
  databaseUrl,
  startTestServer,
  type Client,
  type TestDatabase,
} from '../runtime/__fixtures__/server-harness.js';
import { sendWebhook } from './webhook-sender.js';

interface Received {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** The spec's check: HMAC-SHA256 of `id.timestamp.body` with the base64 key after `whsec_`, timestamp within 5 minutes. */
function verifyFromSpec(secret: string, received: Received, nowSeconds = Math.floor(Date.now() / 1000)): boolean {
  const id = String(received.headers['webhook-id']);
  const timestamp = Number(received.headers['webhook-timestamp']);
  if (!Number.isInteger(timestamp) || Math.abs(nowSeconds - timestamp) > 300) return false;
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const expected = createHmac('sha256', key)
    .update(`${id}.${String(timestamp)}.${received.body}`)
    .digest();
  return String(received.headers['webhook-signature'])
    .split(' ')
    .some((entry) => {
      const [version, signature] = entry.split(',');
      if (version !== 'v1' || signature === undefined) return false;
      const given = Buffer.from(signature, 'base64');
      return given.length === expected.length && timingSafeEqual(given, expected);
    });
}

/** A receiver on a real loopback socket: answers 204, or 503 while `down`. */
async function startReceiver(): Promise<{ url: string; received: Received[]; setDown(down: boolean): void; close(): Promise<void> }> {
  const received: Received[] = [];
  let down = false;
  const server: Server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      if (down) {
        response.writeHead(503).end('down for maintenance, call +5511987654321');
        return;
      }
      received.push({ headers: request.headers, body });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${String(port)}/hooks`,
    received,
    setDown: (value) => void (down = value),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const operatorKey = 'operator-key-of-the-webhook-tests-0123456789';
const payloadOf = (received: Received) =>
  JSON.parse(received.body) as { type: string; id: string; tenantId: string; data: Record<string, unknown> };

describe.skipIf(databaseUrl === undefined)('outgoing webhooks', () => {
  let database: TestDatabase | undefined;
  let server: RunningServer | undefined;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let api: Client;
  let phoneIndex = 0;
  const nextPhone = () => `+55119${String(70_000_000 + (phoneIndex += 1))}`;

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    server = await startTestServer({
      ...database.env,
      SDR_WEBHOOKS_ALLOW_PRIVATE: 'true',
      SDR_WEBHOOKS_POLL_MS: '50',
      SDR_OPERATOR_KEY: operatorKey,
      SDR_RATE_LIMIT_PER_MINUTE: '100000',
    });
    receiver = await startReceiver();
    api = clientFor(server.url ?? '', server.demo?.apiKey ?? '');
  }, 60_000);

  // Each test subscribes its own endpoints: none outlives it, whatever its outcome.
  afterEach(async () => {
    const endpoints = await api.get<{ items: { id: string }[] }>('/v1/webhook-endpoints');
    for (const endpoint of endpoints.items) await api.request('DELETE', `/v1/webhook-endpoints/${endpoint.id}`);
    receiver.setDown(false);
    receiver.received.splice(0);
  });

  afterAll(async () => {
    await server?.stop();
    await receiver.close();
    await database?.drop();
  }, 60_000);

  const subscribe = (events: string[], url = receiver.url) =>
    api.post<{ id: string; secret: string }>('/v1/webhook-endpoints', { url, events, description: 'tests' });
  const deliveries = (endpointId: string) =>
    api.get<{ items: { id: string; status: string; attempts: number }[] }>(`/v1/webhook-deliveries?endpointId=${endpointId}`);

  it('signs every delivery so that an independent verifier accepts it; a tampered body or an old timestamp fails', async () => {
    const endpoint = await subscribe(['message.received', 'lead.created']);
    const phone = nextPhone();
    await api.post('/v1/sandbox/inbound', { from: phone, text: 'Oi! Quero saber mais' });
    await vi.waitFor(() => expect(receiver.received.length).toBe(2), { timeout: 20_000, interval: 50 });

    const [first, second] = receiver.received.splice(0);
    for (const delivery of [first!, second!]) expect(verifyFromSpec(endpoint.secret, delivery)).toBe(true);
    const byType = new Map([first!, second!].map((delivery) => [payloadOf(delivery).type, payloadOf(delivery)]));
    expect(byType.get('lead.created')?.data).toMatchObject({ phone });
    expect(byType.get('message.received')).toMatchObject({
      tenantId: server!.demo?.tenant.id,
      data: { phone, body: 'Oi! Quero saber mais', channel: 'whatsapp' },
    });
    expect(first!.headers['content-type']).toBe('application/json');

    expect(verifyFromSpec(endpoint.secret, { ...first!, body: first!.body.replace('"tenantId"', '"tenantid"') })).toBe(false);
    const sentAt = Number(first!.headers['webhook-timestamp']);
    expect(verifyFromSpec(endpoint.secret, first!, sentAt + 10 * 60)).toBe(false);
    expect(verifyFromSpec('whsec_' + Buffer.alloc(32, 1).toString('base64'), first!)).toBe(false);

    // The receiver answers before the worker records the answer: wait for the record.
    await vi.waitFor(
      async () => expect((await deliveries(endpoint.id)).items.map((delivery) => delivery.status)).toEqual(['delivered', 'delivered']),
      {
        timeout: 10_000,
        interval: 50,
      },
    );
    await api.request('DELETE', `/v1/webhook-endpoints/${endpoint.id}`);
  }, 60_000);

  it('after a rotation the old secret still verifies beside the new one', async () => {
    const endpoint = await subscribe(['lead.created']);
    const rotated = await api.post<{ secret: string }>(`/v1/webhook-endpoints/${endpoint.id}/rotate-secret`);
    expect(rotated.secret).not.toBe(endpoint.secret);
    expect(rotated.secret).toMatch(/^whsec_/);
    await api.post(`/v1/webhook-endpoints/${endpoint.id}/test`);
    await vi.waitFor(() => expect(receiver.received.length).toBe(1), { timeout: 20_000, interval: 50 });
    const [ping] = receiver.received.splice(0);
    expect(payloadOf(ping!).type).toBe('ping');
    expect(verifyFromSpec(rotated.secret, ping!)).toBe(true);
    expect(verifyFromSpec(endpoint.secret, ping!)).toBe(true);
    const listed = await api.get<{ items: { id: string; secret?: string }[] }>('/v1/webhook-endpoints');
    expect(JSON.stringify(listed)).not.toContain(rotated.secret);
    await api.request('DELETE', `/v1/webhook-endpoints/${endpoint.id}`);
  }, 60_000);

  it('a receiver down for an hour gets every event afterwards, each once, with every attempt logged', async () => {
    const endpoint = await subscribe(['lead.created']);
    receiver.setDown(true);
    const phones = [nextPhone(), nextPhone(), nextPhone()];
    for (const phone of phones) await api.post('/v1/sandbox/inbound', { from: phone, text: 'Olá' });
    await vi.waitFor(
      async () => expect((await deliveries(endpoint.id)).items.every((d) => d.status === 'pending' && d.attempts >= 1)).toBe(true),
      {
        timeout: 20_000,
        interval: 100,
      },
    );
    for (let minute = 0; minute < 60; minute += 10) await api.post('/v1/sandbox/clock/advance', { minutes: 10 });
    expect(receiver.received).toEqual([]);
    receiver.setDown(false);
    await api.post('/v1/sandbox/clock/advance', { minutes: 180 });
    await vi.waitFor(() => expect(receiver.received.length).toBe(3), { timeout: 20_000, interval: 50 });

    const got = receiver.received.splice(0).map(payloadOf);
    expect(got.map((payload) => payload.data['phone']).sort()).toEqual([...phones].sort());
    const listed = await vi.waitFor(
      async () => {
        const found = await deliveries(endpoint.id);
        expect(found.items.map((delivery) => delivery.status)).toEqual(['delivered', 'delivered', 'delivered']);
        return found;
      },
      { timeout: 10_000, interval: 50 },
    );
    const detail = await api.get<{ attemptLog: { statusCode: number | null; responseSnippet: string | null }[] }>(
      `/v1/webhook-deliveries/${listed.items[0]!.id}`,
    );
    expect(detail.attemptLog.length).toBeGreaterThanOrEqual(2);
    expect(detail.attemptLog.at(-1)?.statusCode).toBe(204);
    const failedAttempt = detail.attemptLog.find((attempt) => attempt.statusCode === 503);
    expect(failedAttempt?.responseSnippet).toContain('down for maintenance');
    expect(failedAttempt?.responseSnippet).not.toContain('987654321');
    await api.request('DELETE', `/v1/webhook-endpoints/${endpoint.id}`);
  }, 90_000);

  it('holds what a disabled endpoint would have received, and replays it once enabled', async () => {
    const endpoint = await subscribe(['lead.created']);
    await api.request('PATCH', `/v1/webhook-endpoints/${endpoint.id}`, { enabled: false });
    const phone = nextPhone();
    await api.post('/v1/sandbox/inbound', { from: phone, text: 'Olá' });
    const held = await vi.waitFor(
      async () => {
        const items = (await deliveries(endpoint.id)).items;
        expect(items.map((delivery) => delivery.status)).toEqual(['held']);
        return items[0]!;
      },
      { timeout: 20_000, interval: 100 },
    );
    expect((await api.request(`POST`, `/v1/webhook-deliveries/${held.id}/retry`, {})).status).toBe(409);
    await api.request('PATCH', `/v1/webhook-endpoints/${endpoint.id}`, { enabled: true });
    expect((await api.request(`POST`, `/v1/webhook-deliveries/${held.id}/retry`, {})).status).toBe(202);
    await vi.waitFor(() => expect(receiver.received.length).toBe(1), { timeout: 20_000, interval: 50 });
    expect(payloadOf(receiver.received.splice(0)[0]!).data['phone']).toBe(phone);
    await api.request('DELETE', `/v1/webhook-endpoints/${endpoint.id}`);
  }, 60_000);

  it('keeps tenants apart: another tenant’s key cannot see, change or replay an endpoint, nor hear its events', async () => {
    const mine = await subscribe(['lead.created']);
    const other = await clientFor(server!.url ?? '', operatorKey).post<{ apiKey: { key: string } }>('/v1/tenants', {
      name: 'Globex',
      timeZone: 'America/Sao_Paulo',
    });
    const theirs = clientFor(server!.url ?? '', other.apiKey.key);
    const otherReceiver = await startReceiver();
    try {
      await theirs.post('/v1/webhook-endpoints', { url: otherReceiver.url, events: ['lead.created'] });
      await api.post('/v1/sandbox/inbound', { from: nextPhone(), text: 'Olá' });
      await vi.waitFor(() => expect(receiver.received.length).toBe(1), { timeout: 20_000, interval: 50 });
      receiver.received.splice(0);
      const [delivery] = (await deliveries(mine.id)).items;

      expect((await theirs.request('GET', `/v1/webhook-endpoints/${mine.id}`)).status).toBe(404);
      expect((await theirs.request('PATCH', `/v1/webhook-endpoints/${mine.id}`, { enabled: false })).status).toBe(404);
      expect((await theirs.request('POST', `/v1/webhook-endpoints/${mine.id}/rotate-secret`, {})).status).toBe(404);
      expect((await theirs.request('DELETE', `/v1/webhook-endpoints/${mine.id}`)).status).toBe(404);
      expect((await theirs.request('GET', `/v1/webhook-deliveries/${delivery!.id}`)).status).toBe(404);
      expect((await theirs.request('POST', `/v1/webhook-deliveries/${delivery!.id}/retry`, {})).status).toBe(404);
      expect((await theirs.get<{ items: unknown[] }>('/v1/webhook-deliveries')).items).toEqual([]);
      expect(otherReceiver.received).toEqual([]);
      expect((await api.get<{ enabled: boolean }>(`/v1/webhook-endpoints/${mine.id}`)).enabled).toBe(true);
    } finally {
      await otherReceiver.close();
    }
  }, 60_000);

  it('refuses a URL that is not http(s), naming the field', async () => {
    const reply = await api.request<{ errors: { field: string }[] }>('POST', '/v1/webhook-endpoints', {
      url: 'ftp://example.com/x',
      events: ['lead.created'],
    });
    expect(reply.status).toBe(400);
    expect(JSON.stringify(reply.body)).toContain('url');
  });
});

describe('the SSRF guard', () => {
  it('refuses loopback, private and link-local targets, by address and by a name that resolves to one, and sends nothing', async () => {
    const receiver = await startReceiver();
    try {
      const port = new URL(receiver.url).port;
      const attempt = (url: string) =>
        sendWebhook({
          url,
          messageId: 'msg_1',
          body: '{}',
          secrets: ['whsec_' + Buffer.alloc(24, 7).toString('base64')],
          timestamp: new Date(),
          allowPrivate: false,
          timeoutMs: 2_000,
        });
      for (const url of [
        receiver.url,
        `http://localhost:${port}/hooks`,
        'http://169.254.169.254/latest/meta-data',
        'http://10.0.0.1/',
        'http://[::1]:1/',
      ]) {
        const result = await attempt(url);
        expect(result.statusCode, url).toBeNull();
        expect(result.error, url).toMatch(/private, loopback or link-local/);
      }
      expect(receiver.received).toEqual([]);
      const allowed = await sendWebhook({
        url: receiver.url,
        messageId: 'msg_2',
        body: '{}',
        secrets: ['whsec_' + Buffer.alloc(24, 7).toString('base64')],
        timestamp: new Date(),
        allowPrivate: true,
        timeoutMs: 2_000,
      });
      expect(allowed.statusCode).toBe(204);
    } finally {
      await receiver.close();
    }
  });
});
