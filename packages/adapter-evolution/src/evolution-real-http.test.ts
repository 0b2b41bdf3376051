/**
 * The port against the fake Evolution behind a real HTTP server: real sockets, so the network
 * failures are undici's own — a connection reset after the request was written is looked up, a
 * refused connection is not.
 */
import { ProviderUnavailableError } from '@sdr/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { portOn, rejection, requestsTo, textToAna } from './__fixtures__/msw-evolution.js';
import { createFakeEvolution, startFakeEvolutionServer, type FakeEvolutionServer } from './testing/index.js';

const fake = createFakeEvolution({ instances: ['acme'] });
let server: FakeEvolutionServer;

beforeEach(async () => {
  server = await startFakeEvolutionServer(fake);
});
afterEach(async () => {
  fake.reset();
  await server.close();
});

// Generous: the first request over a fresh socket on a loaded machine can take a while. Only the
// stall test waits out a timeout, and it sets its own.
const port = (requestTimeoutMs = 5_000) => portOn(fake, { baseUrl: server.baseUrl, requestTimeoutMs });

describe('over a real HTTP connection', () => {
  it('sends, with the apikey header and the JSON body on the wire', async () => {
    const result = await port().sendText(textToAna('Oi Ana'));
    expect(requestsTo(fake, 'sendText')).toEqual([
      expect.objectContaining({
        method: 'POST',
        path: '/message/sendText/acme',
        apikey: fake.apiKey,
        body: { number: '5511987654321', text: 'Oi Ana' },
      }),
    ]);
    expect(result.providerMessageId).toBe(fake.deliveries[0]?.record.key.id);
  });

  it('a connection reset after the request was written is looked up before failing retryably', async () => {
    const messaging = port();
    await messaging.sendText(textToAna('aquecimento'));
    fake.failNext('sendText', { kind: 'network' });
    const error = await rejection(messaging.sendText(textToAna('Oi Ana')));
    expect(ProviderUnavailableError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(/the connection failed \((UND_ERR_SOCKET|ECONNRESET)\)/);
    expect(requestsTo(fake, 'findMessages').length).toBeGreaterThan(0);
  });

  it('a send accepted and then stalled past the timeout goes out once', async () => {
    fake.failNext('sendText', { kind: 'accept_then_stall' });
    const result = await port(1_500).sendText(textToAna('Oi Ana'));
    expect(fake.deliveries).toHaveLength(1);
    expect(result.providerMessageId).toBe(fake.deliveries[0]?.record.key.id);
  });

  it('a refused connection is not looked up: nothing can have been sent', async () => {
    // An address nothing listens on any more (and that no pooled connection points to): sends go there.
    const gone = await startFakeEvolutionServer(fake);
    const deadOrigin = new URL(gone.baseUrl).origin;
    await gone.close();
    const liveOrigin = new URL(server.baseUrl).origin;
    const messaging = portOn(fake, {
      baseUrl: server.baseUrl,
      requestTimeoutMs: 5_000,
      fetch: (input, init) => {
        const request = new Request(input, init);
        const url = request.url.includes('/message/') ? request.url.replace(liveOrigin, deadOrigin) : request.url;
        return fetch(new Request(url, request));
      },
    });
    const error = await rejection(messaging.sendText(textToAna('Oi Ana')));
    expect(ProviderUnavailableError.isInstance(error)).toBe(true);
    expect((error as Error).message).toBe('evolution sendText unavailable: network failure (ECONNREFUSED)');
    expect(fake.requests.map((request) => request.path)).toEqual(['/chat/whatsappNumbers/acme']);
  });
});
