import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { REDACTED, maskDigits, maskPersonalData, redact } from './redact.js';

describe('maskDigits', () => {
  it.each([
    ['5511987654321', '55119****4321'],
    ['551134567890', '5511****7890'],
    ['12125550123', '121****0123'],
    ['351912345678', '3519****5678'],
    ['87654321', '****4321'],
    ['1234567', '****567'],
    ['1234', '****'],
    ['12', '**'],
    ['', ''],
  ])('%s ⇒ %s', (digits, masked) => {
    expect(maskDigits(digits)).toBe(masked);
  });

  it('always hides at least four digits (or all of a short string) and keeps the length', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{0,20}$/), (digits) => {
        const masked = maskDigits(digits);
        expect(masked).toHaveLength(digits.length);
        const hidden = masked.replace(/[^*]/g, '').length;
        expect(hidden).toBeGreaterThanOrEqual(Math.min(4, digits.length));
      }),
    );
  });
});

describe('maskPersonalData', () => {
  it.each([
    ['call +55 11 98765-4321 now', 'call +55119****4321 now'],
    ['call +5511987654321', 'call +55119****4321'],
    // A JID looks like an e-mail address: masked as one, which hides even more.
    ['whatsapp 5511987654321@s.whatsapp.net', 'whatsapp 5***@s.whatsapp.net'],
    ['US +1 212 555 0123.', 'US +121****0123.'],
    ['two: +55 11 98765-4321 and +351 912 345 678', 'two: +55119****4321 and +3519****5678'],
  ])('masks phones in free text: %s', (input, expected) => {
    expect(maskPersonalData(input)).toBe(expected);
  });

  it('masks the digits of a national number written with parentheses', () => {
    const masked = maskPersonalData('ligar para (11) 98765-4321');
    expect(masked).not.toContain('98765');
    expect(masked).toContain('4321');
  });

  it.each([
    ['mail john.doe@example.com please', 'mail j***@example.com please'],
    ['<maria+crm@sub.example.com.br>', '<m***@sub.example.com.br>'],
  ])('masks e-mails: %s', (input, expected) => {
    expect(maskPersonalData(input)).toBe(expected);
  });

  it.each([
    'lead 0b7c3f1e-5d2a-4c8e-9f6b-1a2b3c4d5e6f not found',
    'id 123e4567-e89b-12d3-a456-426614174000',
    'due 2026-04-21',
    'between 2026-03-08 and 2026-03-09',
    'at 2026-03-08T09:00:00Z',
    'at 2026-03-08T09:00:00.000-03:00',
    'at 2026-03-08 09:00 local',
    'short number 1234567',
    'version 12',
    'HTTP 503 after 3 attempts',
    // Package versions in stack traces have an @ and dots, but no domain ends in a number.
    'at parse (/app/node_modules/.pnpm/zod@4.6.7/node_modules/zod/v4/core/parse.js:12:3)',
    'installed @sdr/core@0.1.0 and pino@9.14.0',
  ])('leaves non-personal data alone: %s', (text) => {
    expect(maskPersonalData(text)).toBe(text);
  });

  it('is idempotent', () => {
    const once = maskPersonalData('+55 11 98765-4321 john@example.com');
    expect(maskPersonalData(once)).toBe(once);
  });
});

describe('redact', () => {
  it.each([
    'apiKey',
    'api_key',
    'API-KEY',
    'Authorization',
    'authorisation',
    'access_token',
    'refreshToken',
    'password',
    'passphrase',
    'clientSecret',
    'cookie',
    'x-twilio-signature',
    'privateKey',
    'credentials',
    'jwt',
  ])('replaces the value of a secret-named key whole: %s', (key) => {
    expect(redact({ [key]: 'sk_live_abc', other: 'kept' })).toEqual({ [key]: REDACTED, other: 'kept' });
  });

  it('redacts a secret-named key whatever its value (objects included)', () => {
    expect(redact({ auth: { password: 'x' }, token: { value: 'y' }, headers: { Authorization: 'Bearer z', accept: 'json' } })).toEqual({
      auth: { password: REDACTED },
      token: REDACTED,
      headers: { Authorization: REDACTED, accept: 'json' },
    });
  });

  it('masks personal data in nested strings and arrays', () => {
    expect(redact({ contacts: [{ phone: '+55 11 98765-4321', email: 'ana@example.com' }], note: 'ok' })).toEqual({
      contacts: [{ phone: '+55119****4321', email: 'a***@example.com' }],
      note: 'ok',
    });
  });

  it('passes primitives through and stringifies functions and symbols', () => {
    expect(redact(42)).toBe(42);
    expect(redact(true)).toBe(true);
    expect(redact(null)).toBeNull();
    expect(redact(undefined)).toBeUndefined();
    expect(redact(Symbol('s'))).toBe('Symbol(s)');
    expect(typeof redact(() => 1)).toBe('string');
  });

  it('copies dates and summarises errors', () => {
    const date = new Date('2026-03-02T13:00:00Z');
    const copy = redact(date);
    expect(copy).toEqual(date);
    expect(copy).not.toBe(date);
    expect(redact(new TypeError('bad +5511987654321'))).toEqual({ name: 'TypeError', message: 'bad +55119****4321' });
  });

  it('does not mutate its input', () => {
    const input = { password: 'p', phone: '+5511987654321' };
    redact(input);
    expect(input).toEqual({ password: 'p', phone: '+5511987654321' });
  });

  it('replaces cycles with a marker instead of recursing forever', () => {
    const node: { name: string; self?: unknown; list: unknown[] } = { name: 'a', list: [] };
    node.self = node;
    node.list.push(node);
    expect(redact(node)).toEqual({ name: 'a', self: '[circular]', list: ['[circular]'] });
  });

  it('stops at depth 8', () => {
    let deep: Record<string, unknown> = { leaf: 'x' };
    for (let level = 0; level < 10; level += 1) deep = { next: deep };
    let cursor = redact(deep) as Record<string, unknown>;
    let levels = 0;
    while (typeof cursor.next === 'object' && cursor.next !== null) {
      cursor = cursor.next as Record<string, unknown>;
      levels += 1;
    }
    expect(cursor.next).toBe('[too deep]');
    expect(levels).toBe(7);
  });

  it('truncates long strings', () => {
    const long = 'a'.repeat(5000);
    const result = redact(long) as string;
    expect(result).toBe(`${'a'.repeat(2000)}…[truncated]`);
    expect(redact('a'.repeat(2000))).toBe('a'.repeat(2000));
  });

  it('never throws, whatever it is given', () => {
    fc.assert(
      fc.property(fc.anything(), (value) => {
        expect(() => redact(value)).not.toThrow();
      }),
    );
  });
});
