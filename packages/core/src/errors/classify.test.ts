import { describe, expect, it } from 'vitest';
import { classifyError, isTransientError } from './classify.js';
import {
  AbortedError,
  AuthError,
  NotFoundError,
  ProviderError,
  RateLimitedError,
  ValidationError,
  VersionConflictError,
} from './errors.js';

function nodeError(code: string, message = `connect ${code}`): Error {
  return Object.assign(new Error(message), { code });
}

describe('classifyError', () => {
  it('uses the retryable flag and code of SdrErrors', () => {
    expect(classifyError(ValidationError.forField('phone', 'is empty'))).toEqual({
      transient: false,
      code: 'validation_failed',
      message: 'phone: is empty',
    });
    expect(classifyError(new NotFoundError('lead', 'a1'))).toMatchObject({ transient: false, code: 'not_found' });
    expect(classifyError(new AuthError('expired'))).toMatchObject({ transient: false, code: 'auth_failed' });
    expect(classifyError(new VersionConflictError('lead', 'a1', 1))).toMatchObject({ transient: true, code: 'version_conflict' });
    expect(classifyError(new ProviderError({ provider: 'kommo', operation: 'x', message: 'm', status: 502 }))).toMatchObject({
      transient: true,
      code: 'provider_error',
    });
    expect(classifyError(new AbortedError({ provider: 'kommo', operation: 'x' }))).toMatchObject({ transient: true, code: 'aborted' });
  });

  it('passes the Retry-After of a RateLimitedError', () => {
    expect(classifyError(new RateLimitedError('429', { retryAfterMs: 7000 }))).toEqual({
      transient: true,
      code: 'rate_limited',
      retryAfterMs: 7000,
      message: '429',
    });
    expect(classifyError(new RateLimitedError('429'))).not.toHaveProperty('retryAfterMs');
  });

  it.each(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EAI_AGAIN', 'ENOTFOUND', 'EPIPE', 'UND_ERR_SOCKET'])(
    'treats the node network error %s as a transient network failure',
    (code) => {
      expect(classifyError(nodeError(code))).toEqual({ transient: true, code: 'network', message: `connect ${code}` });
    },
  );

  it('looks at the cause of fetch failures (undici puts the socket error there)', () => {
    const error = new TypeError('fetch failed', { cause: nodeError('ECONNRESET', 'other side closed') });
    expect(classifyError(error)).toEqual({ transient: true, code: 'network', message: 'fetch failed' });
    const timeout = new TypeError('fetch failed', { cause: nodeError('UND_ERR_CONNECT_TIMEOUT') });
    expect(classifyError(timeout).code).toBe('network');
  });

  it('treats AbortError and TimeoutError as network failures', () => {
    expect(classifyError(new DOMException('The operation was aborted', 'AbortError'))).toMatchObject({ transient: true, code: 'network' });
    expect(classifyError(new DOMException('signal timed out', 'TimeoutError'))).toMatchObject({ transient: true, code: 'network' });
    const abort = new Error('aborted');
    abort.name = 'AbortError';
    expect(classifyError(abort).code).toBe('network');
  });

  it('treats unknown failures as transient (bounded by max attempts) with code unknown', () => {
    expect(classifyError(new TypeError("Cannot read properties of undefined (reading 'id')"))).toEqual({
      transient: true,
      code: 'unknown',
      message: "Cannot read properties of undefined (reading 'id')",
    });
    expect(classifyError('a string was thrown')).toEqual({ transient: true, code: 'unknown', message: 'a string was thrown' });
    expect(classifyError(undefined)).toEqual({ transient: true, code: 'unknown', message: 'undefined' });
    expect(classifyError(nodeError('EACCES')).code).toBe('unknown');
    expect(classifyError({ code: 42 }).code).toBe('unknown');
  });

  it('masks personal data in the message, whatever the error', () => {
    expect(classifyError(new Error('send to +55 11 98765-4321 failed')).message).toBe('send to +55119****4321 failed');
    expect(classifyError(new AuthError('no account for ana@example.com')).message).toBe('no account for a***@example.com');
  });
});

describe('isTransientError', () => {
  it('is the transient flag of the classification', () => {
    expect(isTransientError(new RateLimitedError('x'))).toBe(true);
    expect(isTransientError(ValidationError.forField('a', 'b'))).toBe(false);
    expect(isTransientError(nodeError('ECONNRESET'))).toBe(true);
  });
});
