import { AuthError, ProviderError } from '@sdr/core';
import { describe, expect, it } from 'vitest';
import { rejection, requestsTo, useFakeEvolution } from './__fixtures__/msw-evolution.js';
import { fetchEvolutionMedia } from './evolution-media.js';
import { evolutionWebhookSetBody, registerEvolutionWebhook } from './evolution-webhook-registration.js';
import { parseEvolutionWebhook } from './evolution-webhook.js';
import type { EvolutionWebhookMessage } from './map-evolution-webhook.js';
import { buildMessagesUpsert } from './testing/index.js';

const fake = useFakeEvolution({ instances: ['acme'] });
const jpeg = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4]);

function inbound(messageContent: Record<string, unknown>, id = '3EB0MEDIA'): EvolutionWebhookMessage {
  const { event } = parseEvolutionWebhook(
    buildMessagesUpsert({ instance: 'acme', remoteJid: '5511987654321@s.whatsapp.net', id, message: messageContent }),
  );
  if (event.kind !== 'message') return expect.fail('expected a message');
  return event.message;
}

describe('fetchEvolutionMedia', () => {
  const connection = () => ({ baseUrl: fake.baseUrl, apiKey: fake.apiKey, instance: 'acme' });

  it('downloads with getBase64FromMediaMessage, sending the whole message so Evolution needs no store', async () => {
    fake.addMedia('3EB0MEDIA', { data: jpeg, mimetype: 'image/jpeg', fileName: 'foto.jpg' });
    const message = inbound({
      imageMessage: { mimetype: 'image/jpeg', caption: 'foto', mediaKey: 'secret-media-key', directPath: '/v/t62' },
    });
    const file = await fetchEvolutionMedia({ ...connection(), message });
    expect(file).toEqual({ data: jpeg, contentType: 'image/jpeg', fileName: 'foto.jpg', origin: 'download' });
    expect(requestsTo(fake, 'getBase64FromMediaMessage')).toEqual([
      {
        method: 'POST',
        path: '/chat/getBase64FromMediaMessage/acme',
        apikey: fake.apiKey,
        contentType: expect.stringMatching(/^application\/json/),
        body: {
          message: {
            key: { remoteJid: '5511987654321@s.whatsapp.net', fromMe: false, id: '3EB0MEDIA' },
            message: { imageMessage: { mimetype: 'image/jpeg', caption: 'foto', mediaKey: 'secret-media-key', directPath: '/v/t62' } },
          },
        },
      },
    ]);
  });

  it('decodes inline base64 without a request', async () => {
    const message = inbound({ audioMessage: { mimetype: 'audio/ogg', ptt: true }, base64: Buffer.from(jpeg).toString('base64') });
    expect(await fetchEvolutionMedia({ ...connection(), message })).toEqual({
      data: jpeg,
      contentType: 'audio/ogg',
      fileName: undefined,
      origin: 'inline',
    });
    expect(fake.requests).toHaveLength(0);
  });

  it('refuses media over the limit: declared, inline, or downloaded', async () => {
    const declared = inbound({ videoMessage: { mimetype: 'video/mp4', fileLength: 50_000_000 } });
    const declaredError = await rejection(fetchEvolutionMedia({ ...connection(), message: declared, maxBytes: 1000 }));
    expect((declaredError as Error).message).toContain('larger than the limit of 1000 bytes');
    expect(fake.requests).toHaveLength(0);

    const inline = inbound({ imageMessage: { mimetype: 'image/jpeg' }, base64: Buffer.alloc(2000).toString('base64') });
    expect(((await rejection(fetchEvolutionMedia({ ...connection(), message: inline, maxBytes: 1000 }))) as Error).message).toContain(
      'larger than the limit',
    );

    fake.addMedia('3EB0BIG', { data: new Uint8Array(200_000), mimetype: 'image/jpeg' });
    const big = inbound({ imageMessage: { mimetype: 'image/jpeg' } }, '3EB0BIG');
    const error = await rejection(fetchEvolutionMedia({ ...connection(), message: big, maxBytes: 1000 }));
    expect(ProviderError.isInstance(error)).toBe(true);
    expect((error as ProviderError).retryable).toBe(false);
    expect((error as Error).message).toContain('larger than the limit of 1000 bytes');
  });

  it('maps failures: a message without media, unknown media (400), a refused key', async () => {
    const text = inbound({ conversation: 'oi' });
    expect(((await rejection(fetchEvolutionMedia({ ...connection(), message: text }))) as Error).message).toContain('has no media');
    const unknown = inbound({ imageMessage: { mimetype: 'image/jpeg' } }, '3EB0GONE');
    const missing = await rejection(fetchEvolutionMedia({ ...connection(), message: unknown }));
    expect(ProviderError.isInstance(missing) && missing.status).toBe(400);
    expect(AuthError.isInstance(await rejection(fetchEvolutionMedia({ ...connection(), apiKey: 'bad', message: unknown })))).toBe(true);
  });
});

describe('registerEvolutionWebhook', () => {
  const input = {
    baseUrl: fake.baseUrl,
    apiKey: fake.apiKey,
    instance: 'acme',
    url: 'https://sdr.example.com/webhooks/evolution/t1',
    secret: 'tenant-webhook-secret-0123456789',
  };

  it('posts the v2.2 nested body with the secret header and the three events', async () => {
    const registered = await registerEvolutionWebhook(input);
    expect(registered).toEqual({ url: input.url, events: ['MESSAGES_UPSERT', 'MESSAGES_UPDATE', 'CONNECTION_UPDATE'], enabled: true });
    expect(requestsTo(fake, 'set')).toEqual([
      {
        method: 'POST',
        path: '/webhook/set/acme',
        apikey: fake.apiKey,
        contentType: expect.stringMatching(/^application\/json/),
        body: {
          webhook: {
            enabled: true,
            url: input.url,
            headers: { 'x-webhook-secret': input.secret },
            byEvents: false,
            base64: false,
            events: ['MESSAGES_UPSERT', 'MESSAGES_UPDATE', 'CONNECTION_UPDATE'],
          },
        },
      },
    ]);
    expect(fake.webhook('acme')?.url).toBe(input.url);
    expect(JSON.stringify(registered)).not.toContain(input.secret);
  });

  it('in jwt mode sends jwt_key instead, and base64 when asked', async () => {
    await registerEvolutionWebhook({ ...input, auth: 'jwt', base64: true });
    expect(requestsTo(fake, 'set')[0]?.body).toEqual(evolutionWebhookSetBody({ ...input, auth: 'jwt', base64: true }));
    expect(fake.webhook('acme')).toMatchObject({ headers: { jwt_key: input.secret }, base64: true });
  });

  it('maps errors without the secret inside', async () => {
    const unknown = await rejection(registerEvolutionWebhook({ ...input, instance: 'ghost' }));
    expect((unknown as Error).message).toContain('instance "ghost" does not exist');
    fake.failNext('set', {
      kind: 'respond',
      status: 400,
      body: { status: 400, response: { message: [`headers ${input.secret} invalid`] } },
    });
    const refused = await rejection(registerEvolutionWebhook(input));
    expect(JSON.stringify(refused)).not.toContain(input.secret);
    expect((refused as Error).message).not.toContain(input.secret);
  });

  it('refuses a URL Evolution could not call', async () => {
    await expect(registerEvolutionWebhook({ ...input, url: 'ftp://sdr.example.com' })).rejects.toThrow(/^url: /);
    expect(fake.requests).toHaveLength(0);
  });
});
