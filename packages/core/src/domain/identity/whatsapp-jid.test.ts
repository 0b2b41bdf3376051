import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../errors/index.js';
import { PhoneNumber } from './phone-number.js';
import { formatWhatsAppJid, identityFromWhatsApp, parseWhatsAppJid } from './whatsapp-jid.js';

describe('parseWhatsAppJid', () => {
  it.each([
    ['5511987654321@s.whatsapp.net', '5511987654321@s.whatsapp.net', '+5511987654321'],
    ['5511987654321@c.us', '5511987654321@s.whatsapp.net', '+5511987654321'],
    ['5511987654321:12@s.whatsapp.net', '5511987654321@s.whatsapp.net', '+5511987654321'],
    ['  5511987654321@s.whatsapp.net ', '5511987654321@s.whatsapp.net', '+5511987654321'],
    // a legacy account: the JID keeps WhatsApp's digits, the phone is canonical
    ['551187654321@s.whatsapp.net', '551187654321@s.whatsapp.net', '+5511987654321'],
    ['12125550123@s.whatsapp.net', '12125550123@s.whatsapp.net', '+12125550123'],
    ['351912345678:3@c.us', '351912345678@s.whatsapp.net', '+351912345678'],
  ])('%s is a phone JID', (input, jid, e164) => {
    const address = parseWhatsAppJid(input);
    expect(address.kind).toBe('phone');
    expect(address.jid).toBe(jid);
    if (address.kind === 'phone') expect(address.phone.e164).toBe(e164);
  });

  it('parses an opaque @lid alias', () => {
    expect(parseWhatsAppJid('123456789012345@lid')).toEqual({ kind: 'lid', jid: '123456789012345@lid', lid: '123456789012345' });
    expect(parseWhatsAppJid('123456789012345:7@lid')).toEqual({ kind: 'lid', jid: '123456789012345@lid', lid: '123456789012345' });
  });

  it('parses a group', () => {
    expect(parseWhatsAppJid('120363025246125486@g.us')).toEqual({ kind: 'group', jid: '120363025246125486@g.us' });
  });

  it.each([
    '',
    'garbage',
    '5511987654321',
    '5511987654321@example.com',
    '+5511987654321@s.whatsapp.net',
    'abc@s.whatsapp.net',
    '1234@s.whatsapp.net',
    '123456789012345678901@lid',
    '5511987654321@s.whatsapp.net.evil',
    'status@broadcast',
  ])('rejects %j with a ValidationError naming the field', (input) => {
    expect(() => parseWhatsAppJid(input, 'key.remoteJid')).toThrow(ValidationError);
    expect(() => parseWhatsAppJid(input, 'key.remoteJid')).toThrow(/^key\.remoteJid: is not a WhatsApp id/);
  });

  it('rejects a non-string without crashing', () => {
    expect(() => parseWhatsAppJid(undefined as unknown as string)).toThrow(/^jid: /);
  });

  it('rejects a phone JID whose digits are not a valid number, naming the field', () => {
    expect(() => parseWhatsAppJid('99912345678@s.whatsapp.net', 'remoteJid')).toThrow(/^remoteJid: /);
  });

  it('reads a number seen again without parsing it again, and never remembers a refusal', () => {
    const first = parseWhatsAppJid('5511987651111@s.whatsapp.net');
    const again = parseWhatsAppJid('5511987651111:7@c.us', 'senderPn');
    expect(first.kind === 'phone' && again.kind === 'phone' && again.phone === first.phone).toBe(true);
    expect(again).toEqual({ kind: 'phone', jid: '5511987651111@s.whatsapp.net', phone: PhoneNumber.parse('+5511987651111') });
    // The same number in its legacy form is another key with the same canonical phone.
    const legacy = parseWhatsAppJid('551187651111@s.whatsapp.net');
    expect(legacy.kind === 'phone' && legacy.phone.e164).toBe('+5511987651111');
    for (const field of ['remoteJid', 'senderPn']) {
      expect(() => parseWhatsAppJid('99912345678@s.whatsapp.net', field)).toThrow(new RegExp(`^${field}: `));
    }
  });
});

describe('formatWhatsAppJid', () => {
  it('formats the canonical JID and round-trips', () => {
    const phone = PhoneNumber.parse('+55 11 8765-4321');
    const jid = formatWhatsAppJid(phone);
    expect(jid).toBe('5511987654321@s.whatsapp.net');
    const back = parseWhatsAppJid(jid);
    expect(back.kind === 'phone' && back.phone.equals(phone)).toBe(true);
  });
});

describe('identityFromWhatsApp', () => {
  it('uses the phone of a phone JID', () => {
    const result = identityFromWhatsApp({ remoteJid: '5511987654321@s.whatsapp.net' });
    expect(result.lid).toBeUndefined();
    expect(result.identity.kind).toBe('phone');
    if (result.identity.kind === 'phone') expect(result.identity.phone.e164).toBe('+5511987654321');
  });

  it('canonicalises a legacy Brazilian JID', () => {
    const result = identityFromWhatsApp({ remoteJid: '551187654321@s.whatsapp.net' });
    expect(result.identity.kind === 'phone' && result.identity.phone.e164).toBe('+5511987654321');
  });

  it('resolves a @lid sender through remoteJidAlt', () => {
    const result = identityFromWhatsApp({ remoteJid: '98765432109876@lid', remoteJidAlt: '5511987654321@s.whatsapp.net' });
    expect(result.lid).toBe('98765432109876');
    expect(result.identity.kind === 'phone' && result.identity.phone.e164).toBe('+5511987654321');
  });

  it('resolves a @lid sender through senderPn when remoteJidAlt is absent or another lid', () => {
    const viaSenderPn = identityFromWhatsApp({
      remoteJid: '98765432109876@lid',
      remoteJidAlt: null,
      senderPn: '5511987654321@s.whatsapp.net',
    });
    expect(viaSenderPn.identity.kind === 'phone' && viaSenderPn.identity.phone.e164).toBe('+5511987654321');
    const altIsLid = identityFromWhatsApp({
      remoteJid: '98765432109876@lid',
      remoteJidAlt: '98765432109876@lid',
      senderPn: '5511987654321@c.us',
    });
    expect(altIsLid.identity.kind === 'phone' && altIsLid.identity.phone.e164).toBe('+5511987654321');
    expect(altIsLid.lid).toBe('98765432109876');
  });

  it('falls back to the @lid alias when no phone is known', () => {
    expect(identityFromWhatsApp({ remoteJid: '98765432109876@lid' })).toEqual({
      identity: { kind: 'whatsapp_lid', lid: '98765432109876' },
      lid: '98765432109876',
    });
    expect(identityFromWhatsApp({ remoteJid: '98765432109876@lid', remoteJidAlt: '', senderPn: undefined }).identity).toEqual({
      kind: 'whatsapp_lid',
      lid: '98765432109876',
    });
  });

  it('rejects groups and garbage, naming the field', () => {
    expect(() => identityFromWhatsApp({ remoteJid: '120363025246125486@g.us' })).toThrow(/^remoteJid: is a group/);
    expect(() => identityFromWhatsApp({ remoteJid: 'garbage' })).toThrow(/^remoteJid: /);
  });

  it('ignores a malformed optional alternate: the primary id is what Evolution guarantees', () => {
    expect(identityFromWhatsApp({ remoteJid: '98765432109876@lid', remoteJidAlt: 'garbage' })).toEqual({
      identity: { kind: 'whatsapp_lid', lid: '98765432109876' },
      lid: '98765432109876',
    });
  });

  it('keeps the lid of an alternate when the primary id is the phone, so the alias can be linked', () => {
    const result = identityFromWhatsApp({ remoteJid: '5511987654321@s.whatsapp.net', remoteJidAlt: '98765432109876@lid' });
    expect(result.identity.kind).toBe('phone');
    expect(result.lid).toBe('98765432109876');
  });
});
