import { AbortedError, ProviderError, ProviderUnavailableError, type Clock, type Logger, type SendTextInput } from '@sdr/core';
import { describe, expect, it } from 'vitest';
import { portOn, rejection, requestsTo, textToAna, useFakeEvolution } from './__fixtures__/msw-evolution.js';
import { createEvolutionMessaging, type EvolutionMessagingOptions } from './evolution-messaging.js';

const fake = useFakeEvolution({ instances: ['acme'] });

/** A clock the test moves by hand; waits between lookups pass at once. */
function manualClock(start = Date.now()) {
  let now = start;
  const clock: Clock & { advance(ms: number): void } = {
    contractVersion: 'v1',
    now: () => new Date(now),
    sleep: (_ms, signal) => (signal?.aborted ? Promise.reject(signal.reason as Error) : Promise.resolve()),
    advance: (ms) => {
      now += ms;
    },
  };
  return clock;
}

function recordingLogger() {
  const lines: { level: string; context: Record<string, unknown>; message: string }[] = [];
  const at =
    (level: string) =>
    (context: Record<string, unknown>, message: string): void => {
      lines.push({ level, context, message });
    };
  const logger: Logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  return { logger, lines };
}

const port = (overrides: Partial<EvolutionMessagingOptions> = {}) => portOn(fake, { requestTimeoutMs: 400, ...overrides });
const text = (overrides: Partial<SendTextInput> = {}) => textToAna('Oi Ana!\nO boleto vence amanhã.', overrides);

describe('a send whose answer is lost is not sent twice', () => {
  it('accepted, then stalled past the client timeout: the lookup finds it and its id is the result', async () => {
    const messaging = port();
    fake.failNext('sendText', { kind: 'accept_then_stall' });
    const result = await messaging.sendText(text());

    expect(fake.deliveries).toHaveLength(1);
    expect(result.providerMessageId).toBe(fake.deliveries[0]?.record.key.id);
    const [lookup] = requestsTo(fake, 'findMessages');
    expect(lookup).toMatchObject({
      method: 'POST',
      path: '/chat/findMessages/acme',
      apikey: fake.apiKey,
      body: {
        where: {
          key: { remoteJid: '5511987654321@s.whatsapp.net', fromMe: true },
          messageTimestamp: { gte: expect.any(String), lte: expect.any(String) },
        },
        page: 1,
        offset: 50,
      },
    });
    const window = (lookup?.body as { where: { messageTimestamp: { gte: string; lte: string } } }).where.messageTimestamp;
    const sentAt = (fake.deliveries[0]?.record.messageTimestamp ?? 0) * 1000;
    expect(Date.parse(window.gte)).toBeLessThanOrEqual(sentAt);
    expect(Date.parse(window.lte)).toBeGreaterThanOrEqual(sentAt);
  });

  it('accepted, then answered with a garbled body: the lookup finds it', async () => {
    const messaging = port();
    fake.failNext('sendText', { kind: 'accept_then_garble' });
    const result = await messaging.sendText(text());
    expect(fake.deliveries).toHaveLength(1);
    expect(result.providerMessageId).toBe(fake.deliveries[0]?.record.key.id);
  });

  it('compares the text with whitespace normalised, and never claims a message another send was answered with', async () => {
    const messaging = port();
    const first = await messaging.sendText(text({ text: 'Oi Ana!  O boleto vence amanhã.' }));
    fake.failNext('sendText', { kind: 'accept_then_stall' });
    const second = await messaging.sendText(text());
    expect(fake.deliveries).toHaveLength(2);
    expect(second.providerMessageId).toBe(fake.deliveries[1]?.record.key.id);
    expect(second.providerMessageId).not.toBe(first.providerMessageId);
  });

  it('timed out without being carried out: a retryable error; the retry looks up first, then sends once', async () => {
    const messaging = port();
    const input = text();
    fake.failNext('sendText', { kind: 'stall' });
    const error = await rejection(messaging.sendText(input));
    expect(ProviderUnavailableError.isInstance(error)).toBe(true);
    expect((error as ProviderUnavailableError).retryable).toBe(true);
    expect((error as Error).message).toContain('no answer within 400 ms');
    expect((error as Error).message).toContain('taken as not sent');
    expect(JSON.stringify(error)).not.toContain('boleto');

    const lookupsBefore = requestsTo(fake, 'findMessages').length;
    const retried = await messaging.sendText(input);
    expect(requestsTo(fake, 'findMessages').length).toBeGreaterThan(lookupsBefore);
    expect(fake.deliveries).toHaveLength(1);
    expect(retried.providerMessageId).toBe(fake.deliveries[0]?.record.key.id);
  });

  it('a connection failure before Evolution received the request is not looked up', async () => {
    const messaging = createEvolutionMessaging({
      baseUrl: fake.baseUrl,
      apiKey: fake.apiKey,
      instance: 'acme',
      fetch: (input, init) => {
        const url = String(input instanceof Request ? input.url : input);
        if (url.includes('/message/'))
          return Promise.reject(new TypeError('fetch failed', { cause: Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }) }));
        return fake.fetch(input, init);
      },
    });
    const error = await rejection(messaging.sendText(text()));
    expect(ProviderUnavailableError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain('ECONNREFUSED');
    expect(requestsTo(fake, 'findMessages')).toHaveLength(0);
  });

  it('a reset connection after the request was written is looked up', async () => {
    const messaging = port();
    await messaging.sendText(text({ text: 'aquecimento' }));
    fake.failNext('sendText', { kind: 'network' });
    const error = await rejection(messaging.sendText(text()));
    expect(ProviderUnavailableError.isInstance(error)).toBe(true);
    expect(requestsTo(fake, 'findMessages').length).toBeGreaterThan(0);
  });

  it('a send aborted by the caller mid-flight is looked up before it is sent again', async () => {
    const messaging = port({ requestTimeoutMs: 5_000 });
    const input = text();
    fake.failNext('sendText', { kind: 'accept_then_stall' });
    const controller = new AbortController();
    const pending = messaging.sendText(input, { signal: controller.signal });
    await expect.poll(() => fake.deliveries.length).toBe(1);
    controller.abort(new Error('worker stopping'));
    const aborted = await rejection(pending);
    expect(AbortedError.isInstance(aborted)).toBe(true);
    expect((aborted as AbortedError).cause).toEqual(new Error('worker stopping'));

    const again = await messaging.sendText(input);
    expect(again.providerMessageId).toBe(fake.deliveries[0]?.record.key.id);
    expect(fake.deliveries).toHaveLength(1);
  });
});

describe('a retried send (attempt > 1) looks up before sending again', () => {
  it('finds the message an earlier attempt (another process) delivered and does not send', async () => {
    const clock = manualClock();
    const firstAttemptAt = clock.now();
    const input = text();
    await port({ clock }).sendText(input);
    clock.advance(60_000);

    const result = await port({ clock }).sendText({ ...input, attempt: { number: 2, firstAttemptAt } });
    expect(fake.deliveries).toHaveLength(1);
    expect(result.providerMessageId).toBe(fake.deliveries[0]?.record.key.id);
    const lookup = requestsTo(fake, 'findMessages')[0]?.body as { where: { messageTimestamp: { gte: string } } };
    expect(Date.parse(lookup.where.messageTimestamp.gte)).toBeLessThan(firstAttemptAt.getTime());
  });

  it('sends when nothing was delivered', async () => {
    const clock = manualClock();
    const result = await port({ clock }).sendText(
      text({ attempt: { number: 3, firstAttemptAt: new Date(clock.now().getTime() - 600_000) } }),
    );
    expect(requestsTo(fake, 'findMessages').length).toBeGreaterThan(0);
    expect(fake.deliveries).toHaveLength(1);
    expect(result.providerMessageId).toBe(fake.deliveries[0]?.record.key.id);
  });

  it('does not send when the lookup itself fails: a retryable error instead of a possible duplicate', async () => {
    // Every lookup attempt (two in these tests) fails.
    fake.failNext('findMessages', { kind: 'respond', status: 503, raw: 'unavailable' });
    fake.failNext('findMessages', { kind: 'respond', status: 503, raw: 'unavailable' });
    const error = await rejection(port().sendText(text({ attempt: { number: 2, firstAttemptAt: new Date(Date.now() - 60_000) } })));
    expect(ProviderError.isInstance(error)).toBe(true);
    expect((error as ProviderError).retryable).toBe(true);
    expect(fake.deliveries).toHaveLength(0);
  });
});

describe('when Evolution keeps no messages, lookups are reported unusable', () => {
  it('an empty store: retryable error saying why, a warning once, and health degraded', async () => {
    fake.setMessageStore(false);
    const clock = manualClock();
    const { logger, lines } = recordingLogger();
    const messaging = port({ clock, logger });
    await messaging.sendText(text({ text: 'primeira' }));
    clock.advance(30_000);

    fake.failNext('sendText', { kind: 'accept_then_stall' });
    const error = await rejection(messaging.sendText(text()));
    expect(ProviderUnavailableError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain('DATABASE_SAVE_DATA_NEW_MESSAGE');
    expect(requestsTo(fake, 'findMessages').at(-1)?.body).toEqual({
      where: { key: { id: fake.deliveries[0]?.record.key.id } },
      page: 1,
      offset: 1,
    });
    expect(lines.filter((line) => line.level === 'warn')).toHaveLength(1);
    expect(lines[0]?.context).toEqual({ provider: 'evolution', instance: 'acme', reason: expect.stringContaining('message store') });

    const health = await messaging.health({ instance: 'acme' });
    expect(health.status).toBe('degraded');
    expect(health.detail).toContain('DATABASE_SAVE_DATA_NEW_MESSAGE');
  });

  it('findMessages answering 404: unusable, retryable error', async () => {
    const messaging = port();
    fake.failNext('sendText', { kind: 'accept_then_stall' });
    fake.failNext('findMessages', {
      kind: 'respond',
      status: 404,
      body: { status: 404, error: 'Not Found', response: { message: ['Cannot POST'] } },
    });
    const error = await rejection(messaging.sendText(text()));
    expect(ProviderUnavailableError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain('findMessages answered 404');
    expect((await messaging.health({ instance: 'acme' })).status).toBe('degraded');
  });
});
