import { AuthError, ProviderError, ProviderUnavailableError, RateLimitedError, RecipientUnreachableError, type SdrError } from '@sdr/core';
import { describe, expect, it } from 'vitest';
import { isNotOnWhatsApp, networkFailure, parseRetryAfter, toEvolutionError, type EvolutionFailure } from './evolution-errors.js';

const now = new Date('2026-03-02T13:00:00Z');
const context = { operation: 'sendText', instance: 'acme', now, secrets: ['Oi Ana, seu boleto', '5511987654321', 'sk-evolution-key'] };
const http = (status: number, body: unknown, retryAfter: string | null = null): EvolutionFailure => ({
  kind: 'http',
  status,
  body,
  retryAfter,
});
const notOnWhatsApp = {
  status: 400,
  error: 'Bad Request',
  response: { message: [{ jid: '5511987654321@s.whatsapp.net', exists: false, number: '5511987654321' }] },
};

describe('toEvolutionError', () => {
  it.each<[string, EvolutionFailure, (error: SdrError) => boolean, boolean]>([
    ['400 exists:false', http(400, notOnWhatsApp), (error) => RecipientUnreachableError.isInstance(error), false],
    [
      '400 other',
      http(400, { status: 400, error: 'Bad Request', response: { message: ['text is required'] } }),
      (error) => ProviderError.isInstance(error),
      false,
    ],
    [
      '401',
      http(401, { status: 401, error: 'Unauthorized', response: { message: 'Unauthorized' } }),
      (error) => AuthError.isInstance(error),
      false,
    ],
    ['403', http(403, 'Forbidden'), (error) => AuthError.isInstance(error), false],
    [
      '404',
      http(404, { status: 404, error: 'Not Found', response: { message: ['The "acme" instance does not exist'] } }),
      (error) => ProviderError.isInstance(error),
      false,
    ],
    ['409', http(409, {}), (error) => ProviderError.isInstance(error), false],
    ['408', http(408, ''), (error) => ProviderError.isInstance(error), true],
    ['429', http(429, 'Too Many Requests', '3'), (error) => RateLimitedError.isInstance(error), true],
    [
      '500',
      http(500, { status: 500, error: 'Internal Server Error', response: { message: ['Connection Closed'] } }),
      (error) => ProviderError.isInstance(error),
      true,
    ],
    ['503 text', http(503, '<html>unavailable</html>'), (error) => ProviderError.isInstance(error), true],
    ['timeout', { kind: 'timeout', timeoutMs: 15000 }, (error) => ProviderUnavailableError.isInstance(error), true],
    ['network', networkFailure('ECONNRESET'), (error) => ProviderUnavailableError.isInstance(error), true],
    ['malformed 201', { kind: 'malformed', status: 201, issue: 'not JSON' }, (error) => ProviderError.isInstance(error), true],
    ['too large', { kind: 'too_large', limitBytes: 1024 }, (error) => ProviderError.isInstance(error), false],
  ])('%s ⇒ the right class and retryability', (_name, failure, isClass, retryable) => {
    const error = toEvolutionError(failure, context);
    expect(isClass(error)).toBe(true);
    expect(error.retryable).toBe(retryable);
  });

  it('never lets the text, the number or the key through, even when Evolution echoes them', () => {
    const echoed = http(400, {
      status: 400,
      error: 'Bad Request',
      response: {
        message: ['could not send "Oi Ana, seu boleto" to 5511987654321 with key sk-evolution-key', '+55 21 99876-5432 invalid'],
      },
    });
    const error = toEvolutionError(echoed, context);
    const serialised = `${error.message} ${JSON.stringify(error)} ${JSON.stringify(error.details)}`;
    expect(serialised).not.toContain('Oi Ana');
    expect(serialised).not.toContain('5511987654321');
    expect(serialised).not.toContain('sk-evolution-key');
    expect(serialised).not.toContain('99876');
    expect(error.message).toContain('could not send');
    expect(ProviderError.isInstance(error) && error.body).toBeUndefined();
  });

  it('names the instance on a 404 and keeps the summary short', () => {
    const error = toEvolutionError(http(404, { response: { message: ['x'.repeat(1000)] } }), context);
    expect(error.message).toContain('instance "acme" does not exist');
    expect(error.message.length).toBeLessThan(400);
  });

  it('says what the client waited for and which network code failed', () => {
    expect(toEvolutionError({ kind: 'timeout', timeoutMs: 15000 }, context).message).toBe(
      'evolution sendText unavailable: no answer within 15000 ms',
    );
    expect(toEvolutionError(networkFailure('ECONNREFUSED'), context).message).toBe(
      'evolution sendText unavailable: network failure (ECONNREFUSED)',
    );
  });

  it('builds an error from any body without throwing', () => {
    for (const body of [undefined, null, 42, 'text', [], { response: null }, { response: { message: { nested: true } } }, { message: 7 }]) {
      expect(() => toEvolutionError(http(400, body), context)).not.toThrow();
      expect(() => toEvolutionError(http(500, body), context)).not.toThrow();
    }
  });
});

describe('networkFailure', () => {
  it('knows which failures cannot have reached Evolution', () => {
    expect(networkFailure('ECONNREFUSED')).toMatchObject({ maybeDelivered: false });
    expect(networkFailure('ENOTFOUND')).toMatchObject({ maybeDelivered: false });
    expect(networkFailure('ECONNRESET')).toMatchObject({ maybeDelivered: true });
    expect(networkFailure('UND_ERR_SOCKET')).toMatchObject({ maybeDelivered: true });
    expect(networkFailure(undefined)).toMatchObject({ maybeDelivered: true });
  });
});

describe('isNotOnWhatsApp', () => {
  it('recognises exists:false in response.message or message, and nothing else', () => {
    expect(isNotOnWhatsApp(notOnWhatsApp)).toBe(true);
    expect(isNotOnWhatsApp({ message: [{ exists: false, jid: 'x' }] })).toBe(true);
    expect(isNotOnWhatsApp({ response: { message: [{ exists: true, jid: 'x' }] } })).toBe(false);
    expect(isNotOnWhatsApp({ response: { message: ['exists: false'] } })).toBe(false);
    expect(isNotOnWhatsApp('exists:false')).toBe(false);
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter('Mon, 02 Mar 2026 13:00:10 GMT', now)).toBe(10_000);
    expect(parseRetryAfter('Mon, 02 Mar 2026 12:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
  });
});
