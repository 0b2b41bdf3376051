/**
 * A tenant's alert channels against the real server on PostgreSQL: the API (secrets sealed and
 * redacted, each bad field named), the test route, alerts reaching a signed webhook on a real
 * socket and a real SMTP server, and tenant isolation.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { Webhook } from 'standardwebhooks';
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
import { newSecret } from '../webhooks/webhook-service.js';

interface Received {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

async function startReceiver(): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server: Server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      received.push({ headers: request.headers, body });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${String((server.address() as AddressInfo).port)}/alerts`,
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function startSmtp(): Promise<{ port: number; mails: string[]; close(): Promise<void> }> {
  const mails: string[] = [];
  const smtp = new SMTPServer({
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth: (auth, _session, callback) =>
      auth.username === 'mailer' && auth.password === 'smtp-pass-123'
        ? callback(null, { user: 'mailer' })
        : callback(new Error('Invalid login')),
    onData(stream, _session, callback) {
      let raw = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => (raw += chunk));
      stream.on('end', () => {
        mails.push(raw.replace(/\r\n[ \t]+/g, ' '));
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  return {
    port: (smtp.server.address() as AddressInfo).port,
    mails,
    close: () => new Promise((resolve) => smtp.close(() => resolve())),
  };
}

const operatorKey = 'operator-key-of-the-alert-channel-tests-0123';
const slackUrl = 'https://hooks.slack.com/services/T000/B000/SLACKSECRETPART';

interface ChannelBody {
  readonly id: string;
  readonly type: string;
  readonly events: string[];
  readonly config: Record<string, unknown>;
  readonly description: string | null;
}

describe.skipIf(databaseUrl === undefined)('alert channels of a tenant', () => {
  let database: TestDatabase | undefined;
  let server: RunningServer | undefined;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let api: Client;
  let tenantId = '';

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    server = await startTestServer({
      ...database.env,
      SDR_WEBHOOKS_ALLOW_PRIVATE: 'true',
      SDR_OPERATOR_KEY: operatorKey,
      SDR_RATE_LIMIT_PER_MINUTE: '100000',
      SDR_ALERT_NOTIFY_COOLDOWN_MS: '0',
    });
    receiver = await startReceiver();
    smtp = await startSmtp();
    api = clientFor(server.url ?? '', server.demo?.apiKey ?? '');
    tenantId = server.demo?.tenant.id ?? '';
  }, 60_000);

  afterEach(async () => {
    const channels = await api.get<{ items: { id: string }[] }>('/v1/alert-channels');
    for (const channel of channels.items) await api.request('DELETE', `/v1/alert-channels/${channel.id}`);
    receiver.received.splice(0);
    smtp.mails.splice(0);
  });

  afterAll(async () => {
    await server?.stop();
    await receiver.close();
    await smtp.close();
    await database?.drop();
  }, 60_000);

  const emailConfig = () => ({
    host: '127.0.0.1',
    port: smtp.port,
    security: 'none',
    user: 'mailer',
    password: 'smtp-pass-123',
    from: 'alerts@example.test',
    to: ['ops@example.test'],
  });

  it('keeps secrets sealed at rest and answers them redacted; a change keeps the secrets it does not name', async () => {
    const secret = newSecret();
    const slack = await api.post<ChannelBody>('/v1/alert-channels', { type: 'slack', config: { webhookUrl: slackUrl } });
    const hook = await api.post<ChannelBody>('/v1/alert-channels', {
      type: 'webhook',
      config: { url: receiver.url, secret },
      events: ['raised'],
      description: 'pager bridge',
    });
    const mail = await api.post<ChannelBody>('/v1/alert-channels', { type: 'email', config: emailConfig() });
    expect(slack).toMatchObject({ type: 'slack', events: ['raised', 'resolved'], config: { webhookUrl: '[redacted]' } });
    expect(hook).toMatchObject({ events: ['raised'], description: 'pager bridge', config: { url: receiver.url, secret: '[redacted]' } });
    expect(mail.config).toEqual({ ...emailConfig(), password: '[redacted]' });

    const listed = JSON.stringify(await api.get('/v1/alert-channels'));
    for (const plain of ['SLACKSECRETPART', secret.slice(6), 'smtp-pass-123']) expect(listed).not.toContain(plain);
    const rows = await server!.database.database.query(
      'test.alert_channels',
      'SELECT config::text AS config, secrets FROM sdr_server.alert_channels',
    );
    expect(rows).toHaveLength(3);
    for (const plain of ['SLACKSECRETPART', secret.slice(6), 'smtp-pass-123']) expect(JSON.stringify(rows)).not.toContain(plain);

    const changed = await api.request<ChannelBody>('PATCH', `/v1/alert-channels/${mail.id}`, {
      config: { to: ['ops@example.test', 'cto@example.test'], password: '[redacted]' },
      events: ['resolved'],
    });
    expect(changed.status).toBe(200);
    expect(changed.body.config).toMatchObject({ to: ['ops@example.test', 'cto@example.test'], password: '[redacted]' });
    // The stored password still logs in.
    expect(await api.post(`/v1/alert-channels/${mail.id}/test`)).toEqual({ delivered: true, error: null });
    expect(smtp.mails).toHaveLength(1);
  }, 30_000);

  it('refuses a configuration the server cannot use with a 422 naming each field', async () => {
    const bad = await api.request<{ status: number; errors: { field: string; message: string }[] }>('POST', '/v1/alert-channels', {
      type: 'email',
      config: { host: '', port: 'twenty-five', security: 'ssl', from: 'not-an-address', to: [], extra: 1 },
    });
    expect(bad.status).toBe(422);
    expect(bad.body.errors.map((error) => error.field).sort()).toEqual(
      ['config.extra', 'config.from', 'config.host', 'config.port', 'config.security', 'config.to'].sort(),
    );
    const slack = await api.request<{ errors: { field: string; message: string }[] }>('POST', '/v1/alert-channels', {
      type: 'slack',
      config: { webhookUrl: 'http://169.254.169.254/latest/meta-data' },
    });
    expect(slack.status).toBe(422);
    expect(slack.body.errors).toEqual([
      { field: 'config.webhookUrl', message: expect.stringContaining('https://hooks.slack.com') as unknown },
    ]);
    const hook = await api.request<{ errors: { field: string }[] }>('POST', '/v1/alert-channels', {
      type: 'webhook',
      config: { url: 'ftp://example.test/x', secret: 'plain' },
    });
    expect(hook.status).toBe(422);
    expect(hook.body.errors.map((error) => error.field).sort()).toEqual(['config.secret']);
    const hookUrl = await api.request<{ errors: { field: string }[] }>('POST', '/v1/alert-channels', {
      type: 'webhook',
      config: { url: 'ftp://example.test/x', secret: newSecret() },
    });
    expect(hookUrl.body.errors.map((error) => error.field)).toEqual(['config.url']);
    const unknownType = await api.request('POST', '/v1/alert-channels', { type: 'pager', config: {} });
    expect(unknownType.status).toBe(400);
    expect((await api.get<{ items: unknown[] }>('/v1/alert-channels')).items).toEqual([]);
  });

  it('sends the tenant’s alerts to its signed webhook and its mailbox; the test route sends one now', async () => {
    const secret = newSecret();
    const hook = await api.post<ChannelBody>('/v1/alert-channels', { type: 'webhook', config: { url: receiver.url, secret } });
    await api.post<ChannelBody>('/v1/alert-channels', { type: 'email', config: emailConfig(), events: ['raised'] });

    expect(await api.post(`/v1/alert-channels/${hook.id}/test`)).toEqual({ delivered: true, error: null });
    const verifier = new Webhook(secret);
    const ping = receiver.received.splice(0)[0]!;
    expect(verifier.verify(ping.body, ping.headers as Record<string, string>)).toMatchObject({
      type: 'alert.raised',
      tenantId,
      data: { kind: 'test', key: hook.id, severity: 'warning' },
    });

    const bus = server!.composition.context.events;
    const at = new Date();
    bus.emit('alert.raised', {
      tenantId,
      at,
      kind: 'channel_down',
      key: 'inst-9',
      severity: 'critical',
      message: 'instance inst-9 is down',
    });
    bus.emit('alert.resolved', { tenantId, at, kind: 'channel_down', key: 'inst-9' });
    await vi.waitFor(() => expect(receiver.received).toHaveLength(2), { timeout: 10_000, interval: 50 });
    await vi.waitFor(() => expect(smtp.mails).toHaveLength(1), { timeout: 10_000, interval: 50 });
    const payloads = receiver.received.map((received) => verifier.verify(received.body, received.headers as Record<string, string>));
    expect(payloads).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          type: 'alert.raised',
          tenantId,
          data: { kind: 'channel_down', key: 'inst-9', severity: 'critical', message: 'instance inst-9 is down' },
        }),
        expect.objectContaining({ type: 'alert.resolved', tenantId, data: { kind: 'channel_down', key: 'inst-9' } }),
      ]),
    );
    const tampered = { ...receiver.received[0]!, body: receiver.received[0]!.body.replace('channel_down', 'channel_up') };
    expect(() => verifier.verify(tampered.body, tampered.headers as Record<string, string>)).toThrow();
    expect(smtp.mails[0]).toContain(`Subject: [sdr] CRITICAL: channel_down (inst-9) - tenant ${tenantId}`);
  }, 30_000);

  it('keeps tenants apart: another tenant’s key cannot see, change, test or remove a channel, nor hear its alerts', async () => {
    const mine = await api.post<ChannelBody>('/v1/alert-channels', { type: 'webhook', config: { url: receiver.url, secret: newSecret() } });
    const other = await clientFor(server!.url ?? '', operatorKey).post<{ id: string; apiKey: { key: string } }>('/v1/tenants', {
      name: 'Initech',
      timeZone: 'America/Sao_Paulo',
    });
    const theirs = clientFor(server!.url ?? '', other.apiKey.key);
    expect((await theirs.get<{ items: unknown[] }>('/v1/alert-channels')).items).toEqual([]);
    expect((await theirs.request('GET', `/v1/alert-channels/${mine.id}`)).status).toBe(404);
    expect((await theirs.request('PATCH', `/v1/alert-channels/${mine.id}`, { events: ['resolved'] })).status).toBe(404);
    expect((await theirs.request('POST', `/v1/alert-channels/${mine.id}/test`, {})).status).toBe(404);
    expect((await theirs.request('DELETE', `/v1/alert-channels/${mine.id}`)).status).toBe(404);
    expect((await api.get<ChannelBody>(`/v1/alert-channels/${mine.id}`)).events).toEqual(['raised', 'resolved']);

    const bus = server!.composition.context.events;
    bus.emit('alert.raised', { tenantId: other.id, at: new Date(), kind: 'crm_blocked', key: 'k', severity: 'warning', message: 'theirs' });
    bus.emit('alert.raised', { tenantId, at: new Date(), kind: 'crm_blocked', key: 'k', severity: 'warning', message: 'mine' });
    await vi.waitFor(() => expect(receiver.received).toHaveLength(1), { timeout: 10_000, interval: 50 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(receiver.received.map((received) => (JSON.parse(received.body) as { data: { message: string } }).data.message)).toEqual([
      'mine',
    ]);
  }, 30_000);
});
