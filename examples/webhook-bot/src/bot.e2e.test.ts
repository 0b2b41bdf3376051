/**
 * The bot end to end against the real server on PostgreSQL (`DATABASE_URL`): a lead writes in the
 * sandbox, the server delivers the signed `message.received` to the bot on a real socket, and the
 * bot's answer lands in the lead's conversation.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { noopLogger } from '@sdr/core';
import { loadConfig, startServer, type RunningServer } from '@sdr/server';
import pg from 'pg';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createBot, type Bot } from './bot.js';

const databaseUrl = process.env['DATABASE_URL'];

/** A fresh database on the `DATABASE_URL` server, and how to drop it. */
async function createDatabase(url: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `sdr_bot_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE ${name}`);
  const created = new URL(url);
  created.pathname = `/${name}`;
  return { url: created.toString(), drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

interface Message {
  readonly direction: string;
  readonly body: string;
  readonly providerMessageId: string | null;
}

describe.skipIf(databaseUrl === undefined)('the webhook bot against the real server', () => {
  let database: Awaited<ReturnType<typeof createDatabase>> | undefined;
  let server: RunningServer | undefined;
  let listener: RequestListener = (_request, response) => void response.writeHead(503).end();
  let botServer: Server | undefined;
  let bot: Bot;
  let botUrl = '';
  let apiUrl = '';
  let apiKey = '';
  let secret = '';
  const api = async <Body>(method: string, path: string, body?: unknown): Promise<Body> => {
    const response = await fetch(`${apiUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${apiKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path} answered ${String(response.status)}: ${text}`);
    return JSON.parse(text) as Body;
  };
  const postToBot = (body: string, headers: Record<string, string>) =>
    fetch(botUrl, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

  beforeAll(async () => {
    database = await createDatabase(databaseUrl ?? '');
    server = await startServer({
      config: loadConfig({
        PORT: '0',
        DATABASE_URL: database.url,
        SDR_WEBHOOKS_ALLOW_PRIVATE: 'true',
        SDR_WEBHOOKS_POLL_MS: '50',
        SDR_DISPATCH_POLL_MS: '50',
        SDR_SHUTDOWN_DEADLINE_MS: '5000',
        SDR_LOG_LEVEL: 'silent',
      }),
      logger: noopLogger,
    });
    apiUrl = server.url ?? '';
    apiKey = server.demo?.apiKey ?? '';
    // The socket listens first: its URL is what the endpoint subscribes, and the subscription gives the secret.
    botServer = createServer((request, response) => {
      listener(request, response);
    });
    await new Promise<void>((resolve) => botServer?.listen(0, '127.0.0.1', resolve));
    botUrl = `http://127.0.0.1:${String((botServer.address() as AddressInfo).port)}/hooks`;
    ({ secret } = await api<{ secret: string }>('POST', '/v1/webhook-endpoints', { url: botUrl, events: ['message.received'] }));
    bot = createBot({ secret, apiUrl, apiKey, answer: (message) => `Oi! Recebemos: “${message.body}”` });
    listener = bot.listener;
  }, 60_000);

  afterAll(async () => {
    await new Promise((resolve) => botServer?.close(resolve));
    await server?.stop();
    await database?.drop();
  }, 60_000);

  it('answers a lead who wrote, once, and its answer is in the lead’s conversation', async () => {
    await api('POST', '/v1/sandbox/inbound', { from: '+5511987650001', text: 'Quanto custa o plano anual?' });
    await vi.waitFor(() => expect(bot.answered).toHaveLength(1), { timeout: 30_000, interval: 50 });
    const [answer] = bot.answered;
    expect(answer?.body).toBe('Oi! Recebemos: “Quanto custa o plano anual?”');

    const messages = await api<{ items: Message[] }>('GET', `/v1/leads/${answer?.leadId ?? ''}/messages`);
    const inbound = messages.items.filter((message) => message.direction === 'inbound').map((message) => message.body);
    expect(inbound).toEqual(['Quanto custa o plano anual?']);
    const fromBot = messages.items.filter((message) => message.providerMessageId === `bot-${answer?.webhookId ?? ''}`);
    expect(fromBot).toEqual([expect.objectContaining({ direction: 'outbound', body: answer?.body })]);
  }, 60_000);

  it('handles a re-delivery of one webhook-id once, and refuses a forged or tampered delivery', async () => {
    const lead = await api<{ items: { id: string }[] }>('GET', '/v1/leads?limit=1');
    const leadId = lead.items[0]?.id ?? '';
    const body = JSON.stringify({
      type: 'message.received',
      id: 'evt_redelivered',
      timestamp: new Date().toISOString(),
      tenantId: server?.demo?.tenant.id,
      data: { leadId, messageId: 'msg_redelivered', phone: '+5511987650001', channel: 'whatsapp', body: 'Olá de novo' },
    });
    const sentAt = new Date();
    const headers = {
      'webhook-id': 'msg_redelivered_1',
      'webhook-timestamp': String(Math.floor(sentAt.getTime() / 1000)),
      'webhook-signature': new Webhook(secret).sign('msg_redelivered_1', sentAt, body),
    };
    const before = bot.answered.length;
    const replies = await Promise.all([postToBot(body, headers), postToBot(body, headers)]);
    expect((await postToBot(body, headers)).status).toBe(204);
    expect(replies.map((reply) => reply.status)).toEqual([204, 204]);
    expect(bot.answered.slice(before).map((answered) => answered.webhookId)).toEqual(['msg_redelivered_1']);

    expect((await postToBot(body.replace('Olá de novo', 'Olá de novo!'), headers)).status).toBe(401);
    const forged = new Webhook(`whsec_${Buffer.alloc(32, 9).toString('base64')}`).sign('msg_forged', sentAt, body);
    expect((await postToBot(body, { ...headers, 'webhook-id': 'msg_forged', 'webhook-signature': forged })).status).toBe(401);
    const old = new Date(sentAt.getTime() - 10 * 60_000);
    const stale = { 'webhook-id': 'msg_old', 'webhook-timestamp': String(Math.floor(old.getTime() / 1000)) };
    expect((await postToBot(body, { ...stale, 'webhook-signature': new Webhook(secret).sign('msg_old', old, body) })).status).toBe(401);
    expect(bot.answered.slice(before)).toHaveLength(1);
  }, 60_000);
});
