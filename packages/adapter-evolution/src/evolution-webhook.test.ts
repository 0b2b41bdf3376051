import { ValidationError } from '@sdr/core';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { parseEvolutionWebhook, verifyEvolutionWebhook } from './evolution-webhook.js';
import type { EvolutionWebhookEvent, EvolutionWebhookMessage } from './map-evolution-webhook.js';
import { buildConnectionUpdate, buildMessagesUpdate, buildMessagesUpsert } from './testing/index.js';

const secret = 'tenant-webhook-secret-0123456789';
const now = new Date('2026-03-02T13:00:00Z');
const seconds = (date: Date) => Math.floor(date.getTime() / 1000);

async function evolutionJwt(key: string, options: { issuedAt?: Date; expiresInSeconds?: number } = {}): Promise<string> {
  const issuedAt = options.issuedAt ?? now;
  return await new SignJWT({ app: 'evolution', action: 'webhook' })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt(seconds(issuedAt))
    .setExpirationTime(seconds(issuedAt) + (options.expiresInSeconds ?? 600))
    .sign(new TextEncoder().encode(key));
}

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

describe('verifyEvolutionWebhook', () => {
  it('accepts the secret header, in any case and from a Headers object', async () => {
    expect(await verifyEvolutionWebhook({ headers: { 'x-webhook-secret': secret }, secret, now })).toEqual({ ok: true, method: 'header' });
    expect(await verifyEvolutionWebhook({ headers: { 'X-Webhook-Secret': secret }, secret, now })).toEqual({ ok: true, method: 'header' });
    expect(await verifyEvolutionWebhook({ headers: new Headers({ 'x-webhook-secret': secret }), secret, now })).toEqual({
      ok: true,
      method: 'header',
    });
  });

  it('refuses a wrong, a longer, an empty or a repeated secret header', async () => {
    for (const value of ['wrong', `${secret}x`, secret.slice(0, -1), '']) {
      expect(await verifyEvolutionWebhook({ headers: { 'x-webhook-secret': value }, secret, now })).toEqual({
        ok: false,
        reason: 'wrong_secret',
      });
    }
    expect(await verifyEvolutionWebhook({ headers: { 'x-webhook-secret': [secret, 'other'] }, secret, now })).toEqual({
      ok: false,
      reason: 'wrong_secret',
    });
  });

  it('refuses a delivery without credentials', async () => {
    expect(await verifyEvolutionWebhook({ headers: { 'content-type': 'application/json' }, secret, now })).toEqual({
      ok: false,
      reason: 'missing',
    });
  });

  it("accepts Evolution's HS256 JWT signed with the secret, within its 10 minutes", async () => {
    const token = await evolutionJwt(secret);
    expect(await verifyEvolutionWebhook({ headers: { authorization: `Bearer ${token}` }, secret, now })).toEqual({
      ok: true,
      method: 'jwt',
    });
    const later = new Date(now.getTime() + 9 * 60_000);
    expect(await verifyEvolutionWebhook({ headers: { authorization: `Bearer ${token}` }, secret, now: later })).toEqual({
      ok: true,
      method: 'jwt',
    });
  });

  it('refuses an expired JWT', async () => {
    const token = await evolutionJwt(secret, { issuedAt: new Date(now.getTime() - 11 * 60_000) });
    expect(await verifyEvolutionWebhook({ headers: { authorization: `Bearer ${token}` }, secret, now })).toEqual({
      ok: false,
      reason: 'expired_token',
    });
  });

  it('refuses a JWT signed with another key, a tampered one, one without exp, alg none and garbage', async () => {
    const other = await evolutionJwt('another-secret-entirely-0000000');
    const valid = await evolutionJwt(secret);
    const [header = '', , signature = ''] = valid.split('.');
    const tampered = `${header}.${base64url({ app: 'evolution', action: 'webhook', iat: seconds(now), exp: seconds(now) + 86_400 })}.${signature}`;
    const noExp = await new SignJWT({ app: 'evolution' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuedAt(seconds(now))
      .sign(new TextEncoder().encode(secret));
    const algNone = `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url({ iat: seconds(now), exp: seconds(now) + 600 })}.`;
    for (const token of [other, tampered, noExp, algNone, 'not-a-jwt']) {
      expect(await verifyEvolutionWebhook({ headers: { authorization: `Bearer ${token}` }, secret, now })).toEqual({
        ok: false,
        reason: 'invalid_token',
      });
    }
    expect(
      await verifyEvolutionWebhook({ headers: { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` }, secret, now }),
    ).toEqual({
      ok: false,
      reason: 'invalid_token',
    });
  });

  it('refuses to verify against an empty secret (a configuration error)', async () => {
    await expect(verifyEvolutionWebhook({ headers: { 'x-webhook-secret': '' }, secret: '', now })).rejects.toThrow(ValidationError);
  });
});

function message(event: EvolutionWebhookEvent): EvolutionWebhookMessage {
  if (event.kind !== 'message') return expect.fail(`expected a message event, got ${event.kind}`);
  return event.message;
}

describe('parseEvolutionWebhook', () => {
  it('returns the envelope without apikey, and a plain text message from a phone JID', () => {
    const body = buildMessagesUpsert({
      instance: 'acme',
      remoteJid: '5511987654321@s.whatsapp.net',
      id: '3EB0AAA',
      text: 'Quanto custa?',
      apikey: 'instance-token-secret',
    });
    const parsed = parseEvolutionWebhook(body);
    expect(parsed.envelope).not.toHaveProperty('apikey');
    expect(JSON.stringify(parsed)).not.toContain('instance-token-secret');
    expect(parsed.envelope).toMatchObject({ event: 'messages.upsert', instance: 'acme', server_url: 'http://evolution.test' });
    const inbound = message(parsed.event);
    expect(inbound).toMatchObject({
      providerMessageId: '3EB0AAA',
      instance: 'acme',
      fromMe: false,
      origin: 'upsert',
      lid: undefined,
      pushName: 'Ana Souza',
      text: 'Quanto custa?',
      media: undefined,
      messageType: 'conversation',
      timestamp: new Date(1_772_456_400_000),
    });
    expect(inbound.counterpart.kind === 'phone' && inbound.counterpart.phone.e164).toBe('+5511987654321');
  });

  it('reads extendedTextMessage.text, and canonicalises a JID without the 9th digit', () => {
    const body = buildMessagesUpsert({
      remoteJid: '551187654321@s.whatsapp.net',
      message: { extendedTextMessage: { text: 'Veja https://example.com' } },
    });
    const inbound = message(parseEvolutionWebhook(body).event);
    expect(inbound.text).toBe('Veja https://example.com');
    expect(inbound.messageType).toBe('extendedTextMessage');
    expect(inbound.counterpart.kind === 'phone' && inbound.counterpart.phone.e164).toBe('+5511987654321');
  });

  it('resolves an @lid sender through senderPn, and through remoteJidAlt, keeping the lid', () => {
    const viaSenderPn = message(
      parseEvolutionWebhook(buildMessagesUpsert({ remoteJid: '98765432109876@lid', senderPn: '5511987654321@s.whatsapp.net' })).event,
    );
    expect(viaSenderPn.lid).toBe('98765432109876');
    expect(viaSenderPn.counterpart.kind === 'phone' && viaSenderPn.counterpart.phone.e164).toBe('+5511987654321');
    const viaAlt = message(
      parseEvolutionWebhook(buildMessagesUpsert({ remoteJid: '98765432109876@lid', remoteJidAlt: '5521998765432@s.whatsapp.net' })).event,
    );
    expect(viaAlt.counterpart.kind === 'phone' && viaAlt.counterpart.phone.e164).toBe('+5521998765432');
    const lidOnly = message(parseEvolutionWebhook(buildMessagesUpsert({ remoteJid: '98765432109876@lid' })).event);
    expect(lidOnly.counterpart).toEqual({ kind: 'whatsapp_lid', lid: '98765432109876' });
  });

  it('takes media captions as text and describes the media, with inline base64 when sent', () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47]).toString('base64');
    const body = buildMessagesUpsert({
      remoteJid: '5511987654321@s.whatsapp.net',
      message: { imageMessage: { caption: 'comprovante', mimetype: 'image/png', fileLength: '2048', mediaKey: 'k' }, base64: png },
    });
    const inbound = message(parseEvolutionWebhook(body).event);
    expect(inbound.text).toBe('comprovante');
    expect(inbound.media).toEqual({
      kind: 'image',
      mimeType: 'image/png',
      fileName: undefined,
      caption: 'comprovante',
      declaredSize: 2048,
      durationSeconds: undefined,
      voiceNote: false,
      inlineBase64: png,
      url: undefined,
    });
    expect(inbound.source.message).not.toHaveProperty('base64');
    expect(inbound.source.message).toHaveProperty('imageMessage.mediaKey', 'k');
  });

  it('describes voice notes and documents with a caption; a media without caption has no text', () => {
    const voice = message(
      parseEvolutionWebhook(
        buildMessagesUpsert({
          remoteJid: '5511987654321@s.whatsapp.net',
          message: { audioMessage: { ptt: true, seconds: 7, mimetype: 'audio/ogg; codecs=opus' } },
        }),
      ).event,
    );
    expect(voice.text).toBeUndefined();
    expect(voice.media).toMatchObject({ kind: 'audio', voiceNote: true, durationSeconds: 7 });
    const document = message(
      parseEvolutionWebhook(
        buildMessagesUpsert({
          remoteJid: '5511987654321@s.whatsapp.net',
          message: {
            documentWithCaptionMessage: {
              message: { documentMessage: { fileName: 'nota.pdf', caption: 'segue', mimetype: 'application/pdf' } },
            },
          },
        }),
      ).event,
    );
    expect(document).toMatchObject({ text: 'segue', media: { kind: 'document', fileName: 'nota.pdf' } });
  });

  it('keeps messages of an unknown type (a location is still a reply) without text', () => {
    const inbound = message(
      parseEvolutionWebhook(
        buildMessagesUpsert({ remoteJid: '5511987654321@s.whatsapp.net', message: { locationMessage: { degreesLatitude: -23.5 } } }),
      ).event,
    );
    expect(inbound).toMatchObject({ messageType: 'locationMessage', text: undefined, media: undefined });
  });

  it('marks our own messages fromMe, with the lead as counterpart and no push name; send.message too', () => {
    const echo = message(
      parseEvolutionWebhook(buildMessagesUpsert({ remoteJid: '5511987654321@s.whatsapp.net', fromMe: true, text: 'Oi Ana' })).event,
    );
    expect(echo).toMatchObject({ fromMe: true, pushName: undefined, origin: 'upsert' });
    expect(echo.counterpart.kind === 'phone' && echo.counterpart.phone.e164).toBe('+5511987654321');
    const sent = parseEvolutionWebhook({
      ...buildMessagesUpsert({ remoteJid: '5511987654321@s.whatsapp.net', fromMe: true }),
      event: 'send.message',
    });
    expect(message(sent.event)).toMatchObject({ origin: 'send', fromMe: true });
  });

  it('ignores groups, status broadcasts and WhatsApp bookkeeping', () => {
    expect(parseEvolutionWebhook(buildMessagesUpsert({ remoteJid: '120363025246125486@g.us' })).event).toEqual({
      kind: 'ignored',
      event: 'messages.upsert',
      reason: 'group_chat',
    });
    expect(parseEvolutionWebhook(buildMessagesUpsert({ remoteJid: 'status@broadcast' })).event).toMatchObject({ reason: 'broadcast' });
    expect(
      parseEvolutionWebhook(buildMessagesUpsert({ remoteJid: '5511987654321@s.whatsapp.net', message: { protocolMessage: { type: 0 } } }))
        .event,
    ).toMatchObject({
      reason: 'protocol_message',
    });
  });

  it('maps messages.update statuses by name and by number; ignores DELETED', () => {
    const cases: [string | number, string][] = [
      ['SERVER_ACK', 'sent'],
      ['DELIVERY_ACK', 'delivered'],
      ['READ', 'read'],
      ['PLAYED', 'played'],
      ['ERROR', 'failed'],
      ['PENDING', 'pending'],
      [3, 'delivered'],
    ];
    for (const [status, expected] of cases) {
      const { event } = parseEvolutionWebhook(buildMessagesUpdate({ instance: 'acme', keyId: 'BAE5F00', status }));
      expect(event).toEqual({ kind: 'status', update: { providerMessageId: 'BAE5F00', instance: 'acme', status: expected, fromMe: true } });
    }
    expect(parseEvolutionWebhook(buildMessagesUpdate({ keyId: 'BAE5F00', status: 'DELETED' })).event).toMatchObject({
      kind: 'ignored',
      reason: 'unknown_status',
    });
  });

  it('maps connection.update states, also when the event name is in the settings form', () => {
    expect(parseEvolutionWebhook(buildConnectionUpdate({ instance: 'acme', state: 'close', statusReason: 401 })).event).toEqual({
      kind: 'connection',
      update: { instance: 'acme', state: 'close', statusReason: 401 },
    });
    const upper = { ...buildConnectionUpdate({ instance: 'acme', state: 'open' }), event: 'CONNECTION_UPDATE' };
    expect(parseEvolutionWebhook(upper).event).toMatchObject({ kind: 'connection', update: { state: 'open' } });
    expect(parseEvolutionWebhook(buildConnectionUpdate({ state: 'sleeping' })).event).toMatchObject({
      kind: 'ignored',
      reason: 'unknown_state',
    });
  });

  it('ignores unknown events, whatever their data', () => {
    const parsed = parseEvolutionWebhook({ event: 'presence.update', instance: 'acme', data: { anything: [1, 2] }, apikey: 'token' });
    expect(parsed.event).toEqual({ kind: 'ignored', event: 'presence.update', reason: 'unknown_event' });
    expect(parsed.envelope).toEqual({ event: 'presence.update', instance: 'acme', data: { anything: [1, 2] } });
  });

  it('refuses a malformed envelope or event data with a ValidationError naming the field', () => {
    const expectField = (body: unknown, field: string) => {
      try {
        parseEvolutionWebhook(body);
        expect.fail('expected a ValidationError');
      } catch (error) {
        expect(ValidationError.isInstance(error)).toBe(true);
        expect((error as ValidationError).fieldErrors.map((entry) => entry.field)).toContain(field);
      }
    };
    expectField('not json', '');
    expectField({ instance: 'acme', data: {} }, 'event');
    expectField(
      { event: 'messages.upsert', instance: 'acme', data: { key: { remoteJid: '5511987654321@s.whatsapp.net' } } },
      'data.key.id',
    );
    expectField(buildMessagesUpsert({ remoteJid: 'garbage' }), 'data.key.remoteJid');
    expectField({ event: 'messages.update', instance: 'acme', data: { status: 'READ' } }, 'data.keyId');
  });
});
