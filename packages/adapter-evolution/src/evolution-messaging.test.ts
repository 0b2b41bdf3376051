import { randomUUID } from 'node:crypto';
import {
  AbortedError,
  AuthError,
  PhoneNumber,
  ProviderError,
  RateLimitedError,
  RecipientUnreachableError,
  ValidationError,
  type Clock,
  type RateLimiter,
  type RateRule,
  type SendTextInput,
} from '@sdr/core';
import { createInMemoryRateLimiter } from '@sdr/core/testing';
import { describe, expect, it } from 'vitest';
import { portOn, rejection, requestsTo, textToAna, useFakeEvolution } from './__fixtures__/msw-evolution.js';
import type { EvolutionMessagingOptions } from './evolution-messaging.js';

const fake = useFakeEvolution({ instances: ['acme'] });
const ana = PhoneNumber.parse('+55 11 98765-4321');
const bob = PhoneNumber.parse('+1 212 555 0123');

const port = (overrides: Partial<EvolutionMessagingOptions> = {}) => portOn(fake, overrides);
const text = (overrides: Partial<SendTextInput> = {}) => textToAna('Oi Ana! Tudo bem?', overrides);

describe('sendText on the wire', () => {
  it('checks the number once, then posts the text as digits with the apikey header', async () => {
    const messaging = port();
    const first = await messaging.sendText(text());
    const second = await messaging.sendText(text({ text: 'Segunda mensagem' }));

    expect(fake.requests.map((request) => [request.method, request.path])).toEqual([
      ['POST', '/chat/whatsappNumbers/acme'],
      ['POST', '/message/sendText/acme'],
      ['POST', '/message/sendText/acme'],
    ]);
    for (const request of fake.requests) {
      expect(request.apikey).toBe(fake.apiKey);
      expect(request.contentType).toMatch(/^application\/json/);
    }
    expect(requestsTo(fake, 'whatsappNumbers')[0]?.body).toEqual({ numbers: ['5511987654321'] });
    expect(requestsTo(fake, 'sendText').map((request) => request.body)).toEqual([
      { number: '5511987654321', text: 'Oi Ana! Tudo bem?' },
      { number: '5511987654321', text: 'Segunda mensagem' },
    ]);
    expect(first.providerMessageId).toBe(fake.deliveries[0]?.record.key.id);
    expect(second.providerMessageId).toBe(fake.deliveries[1]?.record.key.id);
    expect(first.acceptedAt).toBeInstanceOf(Date);
  });

  it('sends to the id WhatsApp answers: a Brazilian account known without the 9th digit', async () => {
    fake.markKnownWithoutNinthDigit(ana);
    await port().sendText(text());
    expect(requestsTo(fake, 'sendText')[0]?.body).toMatchObject({ number: '551187654321' });
    expect(fake.deliveries[0]?.record.key.remoteJid).toBe('551187654321@s.whatsapp.net');
  });

  it('asks for the typing indicator with delay and waits longer than the delay', async () => {
    await port({ typingDelayMs: 1200 }).sendText(text());
    expect(requestsTo(fake, 'sendText')[0]?.body).toEqual({ number: '5511987654321', text: 'Oi Ana! Tudo bem?', delay: 1200 });
    expect(fake.deliveries[0]?.delay).toBe(1200);
  });

  it('waits the request timeout plus the typing delay before giving up on a send', async () => {
    const messaging = port({ requestTimeoutMs: 400, typingDelayMs: 150 });
    fake.failNext('sendText', { kind: 'stall' });
    const error = await rejection(messaging.sendText(text()));
    expect((error as Error).message).toContain('no answer within 550 ms');
    expect(requestsTo(fake, 'sendText')[0]?.body).toMatchObject({ delay: 150 });
  });

  it('refuses a number not on WhatsApp after the check, without sending, and remembers it', async () => {
    fake.markNotOnWhatsApp(bob);
    const messaging = port();
    const error = await rejection(messaging.sendText(text({ to: bob })));
    expect(RecipientUnreachableError.isInstance(error)).toBe(true);
    expect((error as RecipientUnreachableError).retryable).toBe(false);
    expect(JSON.stringify(error)).not.toContain('2125550123');
    expect((error as Error).message).not.toContain('2125550123');
    await rejection(messaging.sendText(text({ to: bob })));
    expect(requestsTo(fake, 'whatsappNumbers')).toHaveLength(1);
    expect(requestsTo(fake, 'sendText')).toHaveLength(0);
  });

  it('maps a send answered 400 exists:false to RecipientUnreachableError and stops sending to the number', async () => {
    const messaging = port();
    await messaging.sendText(text());
    fake.failNext('sendText', {
      kind: 'respond',
      status: 400,
      body: {
        status: 400,
        error: 'Bad Request',
        response: { message: [{ jid: '5511987654321@s.whatsapp.net', exists: false, number: '5511987654321' }] },
      },
    });
    const error = await rejection(messaging.sendText(text()));
    expect(RecipientUnreachableError.isInstance(error)).toBe(true);
    expect(JSON.stringify(error)).not.toMatch(/98765/);
    await rejection(messaging.sendText(text()));
    expect(requestsTo(fake, 'sendText')).toHaveLength(2);
  });

  it('maps another 400 to a permanent ProviderError without the text or number inside', async () => {
    const messaging = port();
    fake.failNext('sendText', {
      kind: 'respond',
      status: 400,
      body: { status: 400, error: 'Bad Request', response: { message: ['text Oi Ana! Tudo bem? to 5511987654321 is invalid'] } },
    });
    const error = await rejection(messaging.sendText(text()));
    expect(ProviderError.isInstance(error)).toBe(true);
    expect((error as ProviderError).retryable).toBe(false);
    expect((error as ProviderError).status).toBe(400);
    expect((error as Error).message).toContain('is invalid');
    expect((error as Error).message).not.toContain('Oi Ana');
    expect((error as Error).message).not.toContain('5511987654321');
    expect(JSON.stringify(error)).not.toContain(fake.apiKey);
  });

  it('maps 401 to AuthError, never echoing the key', async () => {
    const error = await rejection(port({ apiKey: 'wrong-key' }).sendText(text()));
    expect(AuthError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain('acme');
    expect(JSON.stringify(error)).not.toContain('wrong-key');
    expect(requestsTo(fake, 'whatsappNumbers')[0]?.apikey).toBe('wrong-key');
  });

  it('maps an unknown instance (404) to a permanent ProviderError naming the instance', async () => {
    fake.removeInstance('acme');
    const error = await rejection(port().sendText(text()));
    expect(ProviderError.isInstance(error)).toBe(true);
    expect((error as ProviderError).retryable).toBe(false);
    expect((error as Error).message).toContain('instance "acme" does not exist');
  });

  it('maps 429 to RateLimitedError with the Retry-After, and without one', async () => {
    const messaging = port();
    await messaging.sendText(text());
    fake.failNext('sendText', {
      kind: 'respond',
      status: 429,
      body: { status: 429, error: 'Too Many Requests' },
      headers: { 'retry-after': '7' },
    });
    const withDelay = await rejection(messaging.sendText(text()));
    expect(RateLimitedError.isInstance(withDelay)).toBe(true);
    expect((withDelay as RateLimitedError).retryAfterMs).toBe(7000);
    fake.failNext('sendText', { kind: 'respond', status: 429, raw: 'slow down' });
    const withoutDelay = await rejection(messaging.sendText(text()));
    expect(RateLimitedError.isInstance(withoutDelay)).toBe(true);
    expect((withoutDelay as RateLimitedError).retryAfterMs).toBeUndefined();
  });

  it('maps 5xx to a retryable ProviderError (the send was refused, nothing to look up)', async () => {
    const messaging = port();
    await messaging.sendText(text());
    fake.failNext('sendText', { kind: 'respond', status: 503, raw: '<html>Service Unavailable</html>' });
    const error = await rejection(messaging.sendText(text()));
    expect(ProviderError.isInstance(error)).toBe(true);
    expect((error as ProviderError).retryable).toBe(true);
    expect((error as ProviderError).status).toBe(503);
    expect(requestsTo(fake, 'findMessages')).toHaveLength(0);
  });

  it('refuses a send naming another instance, and empty text, before any request', async () => {
    const messaging = port();
    const other = await rejection(messaging.sendText(text({ instance: 'other' })));
    expect(ValidationError.isInstance(other)).toBe(true);
    expect((other as ValidationError).fieldErrors[0]?.field).toBe('instance');
    expect(ValidationError.isInstance(await rejection(messaging.sendText(text({ text: '  ' }))))).toBe(true);
    expect(fake.requests).toHaveLength(0);
  });

  it('rejects with an AbortedError carrying the reason when the signal has aborted, before any request', async () => {
    const controller = new AbortController();
    controller.abort(new Error('shutting down'));
    const error = await rejection(port().sendText(text(), { signal: controller.signal }));
    expect(AbortedError.isInstance(error)).toBe(true);
    expect((error as AbortedError).retryable).toBe(true);
    expect((error as AbortedError).cause).toEqual(new Error('shutting down'));
    expect(fake.requests).toHaveLength(0);
  });

  it('paces its WhatsApp requests through the rate limiter: its own key, its own rate, burst one', async () => {
    let now = Date.parse('2026-03-02T13:00:00Z');
    const waits: number[] = [];
    const clock: Clock = {
      contractVersion: 'v1',
      now: () => new Date(now),
      sleep: (ms) => {
        waits.push(ms);
        now += ms;
        return Promise.resolve();
      },
    };
    const limiter = createInMemoryRateLimiter({ clock });
    const consumed: { key: string; rule: RateRule }[] = [];
    const spy: RateLimiter = { ...limiter, consume: (key, rule, cost) => (consumed.push({ key, rule }), limiter.consume(key, rule, cost)) };
    await port({ rateLimiter: spy, clock }).sendText(text());
    expect(consumed.map((entry) => entry.key)).toEqual([
      'evolution:evolution.test:acme',
      'evolution:evolution.test:acme',
      'evolution:evolution.test:acme',
    ]);
    expect(consumed[0]?.rule).toEqual({ ratePerSecond: 2, burst: 1 });
    // The number check took the token; the send waited half a second for the next.
    expect(waits).toEqual([500]);
    await port({ rateLimiter: spy, clock, requestsPerSecond: 0.5 }).health({ instance: 'acme' });
    expect(consumed).toHaveLength(3);
  });
});

describe('sendMedia on the wire', () => {
  it('posts a URL with mediatype, mimetype, caption and file name', async () => {
    const result = await port().sendMedia({
      instance: 'acme',
      to: ana,
      idempotencyKey: randomUUID(),
      media: { contentType: 'image/png', url: 'https://cdn.example.com/boleto.png', fileName: 'boleto.png' },
      caption: 'Seu boleto',
    });
    expect(requestsTo(fake, 'sendMedia')[0]).toMatchObject({
      method: 'POST',
      path: '/message/sendMedia/acme',
      apikey: fake.apiKey,
      body: {
        number: '5511987654321',
        mediatype: 'image',
        mimetype: 'image/png',
        media: 'https://cdn.example.com/boleto.png',
        caption: 'Seu boleto',
        fileName: 'boleto.png',
      },
    });
    expect(result.providerMessageId).toBe(fake.deliveries[0]?.record.key.id);
  });

  it('posts bytes as base64, as a document when the type is not image, audio or video', async () => {
    await port().sendMedia({
      instance: 'acme',
      to: ana,
      idempotencyKey: randomUUID(),
      media: { contentType: 'application/pdf', data: new TextEncoder().encode('%PDF-1.7') },
    });
    expect(requestsTo(fake, 'sendMedia')[0]?.body).toEqual({
      number: '5511987654321',
      mediatype: 'document',
      mimetype: 'application/pdf',
      media: Buffer.from('%PDF-1.7').toString('base64'),
      fileName: 'document',
    });
  });

  it('needs exactly one of url and data', async () => {
    const error = await rejection(
      port().sendMedia({ instance: 'acme', to: ana, idempotencyKey: randomUUID(), media: { contentType: 'image/png' } }),
    );
    expect(ValidationError.isInstance(error)).toBe(true);
  });
});

describe('health from connectionState', () => {
  it('is up when open, down with a reason when connecting or closed', async () => {
    const messaging = port();
    expect(await messaging.health({ instance: 'acme' })).toMatchObject({ status: 'up' });
    expect(fake.requests[0]).toMatchObject({ method: 'GET', path: '/instance/connectionState/acme', apikey: fake.apiKey, body: undefined });
    fake.setInstance('acme', 'connecting');
    expect(await messaging.health({ instance: 'acme' })).toMatchObject({ status: 'down', detail: expect.stringContaining('connecting') });
    fake.setInstance('acme', 'close');
    expect(await messaging.health({ instance: 'acme' })).toMatchObject({ status: 'down', detail: expect.stringContaining('disconnected') });
  });

  it('is down, saying why, for an unknown instance, a refused key, a network failure and a 5xx', async () => {
    expect(await port().health({ instance: 'ghost' })).toMatchObject({
      status: 'down',
      detail: 'instance "ghost" does not exist on the Evolution server',
    });
    expect(await port({ apiKey: 'nope' }).health({ instance: 'acme' })).toMatchObject({
      status: 'down',
      detail: 'Evolution refused the API key (401)',
    });
    fake.failNext('connectionState', { kind: 'network' });
    expect(await port().health({ instance: 'acme' })).toMatchObject({ status: 'down', detail: expect.stringContaining('unreachable') });
    fake.failNext('connectionState', { kind: 'respond', status: 502, raw: 'bad gateway' });
    expect(await port().health({ instance: 'acme' })).toMatchObject({ status: 'down', detail: 'Evolution answered 502' });
  });
});
