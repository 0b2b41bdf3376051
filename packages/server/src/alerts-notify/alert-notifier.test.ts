/** Alert notifications on the wire (msw): Slack's incoming webhook and Telegram's Bot API. */
import { createDomainEvents, VirtualClock, type Logger } from '@sdr/core';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AlertChannel } from './alert-channel.js';
import { createAlertNotifier, type AlertNotifierOptions } from './alert-notifier.js';

const slackUrl = 'https://hooks.slack.com/services/T000/B000/XXXXSECRET';
const botToken = '123456:ABC-telegram-token';
const channels: AlertChannel[] = [
  { kind: 'slack', webhookUrl: slackUrl },
  { kind: 'telegram', botToken, chatId: '-100200300' },
];
const tenantId = '0b7c3f1e-5d2a-4c8e-9f6b-1a2b3c4d5e6f';

interface Seen {
  readonly url: string;
  readonly method: string;
  readonly contentType: string | null;
  readonly body: Record<string, unknown>;
}
const seen: Seen[] = [];
let slackStatus = 200;
const server = setupServer(
  http.post(slackUrl, async ({ request }) => {
    seen.push({
      url: request.url,
      method: request.method,
      contentType: request.headers.get('content-type'),
      body: (await request.json()) as Record<string, unknown>,
    });
    return slackStatus === 200 ? HttpResponse.text('ok') : HttpResponse.text('no_service', { status: slackStatus });
  }),
  http.post(`https://api.telegram.org/bot${botToken}/sendMessage`, async ({ request }) => {
    seen.push({
      url: request.url,
      method: request.method,
      contentType: request.headers.get('content-type'),
      body: (await request.json()) as Record<string, unknown>,
    });
    return HttpResponse.json({ ok: true, result: { message_id: 1 } });
  }),
);

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => {
  server.resetHandlers();
  seen.length = 0;
  slackStatus = 200;
});
afterAll(() => server.close());

function world(options: Partial<Pick<AlertNotifierOptions, 'tenantId' | 'retryDelaysMs' | 'tenantChannels'>> = {}) {
  const events = createDomainEvents();
  const clock = new VirtualClock(new Date('2026-03-02T13:00:00Z'));
  const warnings: Record<string, unknown>[] = [];
  const ignore = () => undefined;
  const logger: Logger = { debug: ignore, info: ignore, error: ignore, warn: (fields) => void warnings.push(fields) };
  const notifier = createAlertNotifier({ events, channels, clock, logger, cooldownMs: 10 * 60_000, retryDelaysMs: [], ...options });
  const raise = () =>
    events.emit('alert.raised', {
      tenantId,
      at: clock.now(),
      kind: 'channel_down',
      key: 'inst-1',
      severity: 'critical',
      message: 'WhatsApp instance inst-1 is down',
    });
  const resolve = () => events.emit('alert.resolved', { tenantId, at: clock.now(), kind: 'channel_down', key: 'inst-1' });
  return { events, clock, warnings, notifier, raise, resolve };
}

describe('alert notifications', () => {
  it('posts a raised and a resolved alert to Slack and to the Telegram chat', async () => {
    const w = world();
    w.raise();
    await w.notifier.settled();
    w.resolve();
    await w.notifier.stop();

    const slack = seen.filter((request) => request.url === slackUrl);
    const telegram = seen.filter((request) => request.url.startsWith('https://api.telegram.org/'));
    expect(slack.map((request) => [request.method, request.contentType])).toEqual([
      ['POST', 'application/json'],
      ['POST', 'application/json'],
    ]);
    expect(slack[0]?.body).toEqual({ text: `🚨 CRITICAL: channel_down (inst-1) — tenant ${tenantId}\nWhatsApp instance inst-1 is down` });
    expect(slack[1]?.body).toEqual({ text: `✅ Resolved: channel_down (inst-1) — tenant ${tenantId}` });
    expect(telegram.map((request) => request.body)).toEqual([
      { chat_id: '-100200300', text: slack[0]?.body['text'], disable_web_page_preview: true },
      { chat_id: '-100200300', text: slack[1]?.body['text'], disable_web_page_preview: true },
    ]);
  });

  it('keeps a flapping alert quiet within the cooldown, and speaks again after it', async () => {
    const w = world();
    w.raise();
    w.resolve();
    w.raise();
    w.resolve();
    await w.notifier.settled();
    expect(seen).toHaveLength(4);
    await w.clock.advance(10 * 60_000);
    w.raise();
    await w.notifier.stop();
    expect(seen).toHaveLength(6);
  });

  it('a failing channel is logged without its URL or token and does not stop the others', async () => {
    slackStatus = 500;
    const w = world();
    w.raise();
    await w.notifier.stop();
    expect(seen.map((request) => request.url.startsWith('https://api.telegram.org/'))).toEqual([false, true]);
    expect(w.warnings).toEqual([
      { channel: 'slack', alertKind: 'channel_down', attempts: 1, error: expect.stringContaining('slack answered 500') as unknown },
    ]);
    expect(JSON.stringify(w.warnings)).not.toContain('SECRET');
  });

  it('a tenant’s notifier hears only its own alerts', async () => {
    const w = world({ tenantId: '7d1f3a2b-4c5e-4f60-8a7b-9c0d1e2f3a4b' });
    w.raise();
    await w.notifier.stop();
    expect(seen).toEqual([]);
  });
});

describe('alert notifications with retries and tenant channels', () => {
  it('tries a failing send again after a delay, and gives up after the last one with one warning', async () => {
    slackStatus = 503;
    const w = world({ retryDelaysMs: [5, 5] });
    w.raise();
    await w.notifier.settled();
    expect(seen.filter((request) => request.url === slackUrl)).toHaveLength(3);
    expect(w.warnings).toEqual([expect.objectContaining({ channel: 'slack', attempts: 3 })]);

    slackStatus = 200;
    let failures = 1;
    server.use(
      http.post(slackUrl, () => {
        if (failures > 0) {
          failures -= 1;
          return HttpResponse.text('busy', { status: 500 });
        }
        seen.push({ url: slackUrl, method: 'POST', contentType: null, body: {} });
        return HttpResponse.text('ok');
      }),
    );
    seen.length = 0;
    w.warnings.length = 0;
    w.resolve();
    await w.notifier.settled();
    expect(seen.filter((request) => request.url === slackUrl)).toHaveLength(1);
    expect(w.warnings).toEqual([]);
    await w.notifier.stop();
  });

  it('sends a tenant’s alerts to its own channels too, for the transitions each asked for, under the same cooldown', async () => {
    const asked: string[] = [];
    const tenantChannels = (id: string) => {
      asked.push(id);
      return Promise.resolve([
        {
          id: 'c1',
          events: ['resolved' as const],
          channel: { kind: 'telegram' as const, botToken, chatId: '-999' },
        },
      ]);
    };
    const w = world({ tenantChannels });
    w.raise();
    await w.notifier.settled();
    const toTenantChat = () => seen.filter((request) => request.body['chat_id'] === '-999');
    expect(toTenantChat()).toEqual([]);
    w.resolve();
    w.resolve();
    await w.notifier.stop();
    expect(toTenantChat().map((request) => request.body['text'])).toEqual([`✅ Resolved: channel_down (inst-1) — tenant ${tenantId}`]);
    // Read once per notification that passed the cooldown: the second resolve was inside it.
    expect(asked).toEqual([tenantId, tenantId]);
  });

  it('a process-wide alert goes to the operator’s channels only', async () => {
    const asked: string[] = [];
    const w = world({ tenantChannels: (id) => (asked.push(id), Promise.resolve([])) });
    w.events.emit('alert.resolved', { tenantId: null, at: w.clock.now(), kind: 'worker_silent', key: '' });
    await w.notifier.stop();
    expect(asked).toEqual([]);
    expect(seen).toHaveLength(2);
  });
});
