import {
  AbortedError,
  AuthError,
  ConflictError,
  DuplicateError,
  LockNotAcquiredError,
  NotFoundError,
  ProviderError,
  ProviderUnavailableError,
  RateLimitedError,
  RecipientUnreachableError,
  SdrError,
  SlotUnavailableError,
  ValidationError,
  VersionConflictError,
} from '@sdr/core';
import { describe, expect, it } from 'vitest';
import { problemFor } from './problem.js';

const origin = { instance: '/v1/leads', requestId: 'req-1' };
const start = new Date('2026-03-03T13:00:00Z');

describe('problemFor', () => {
  it.each([
    ['ValidationError', ValidationError.forField('body.phone', 'is empty'), 400, 'validation_failed'],
    ['NotFoundError', new NotFoundError('lead', 'a1'), 404, 'not_found'],
    ['ConflictError', new ConflictError('not allowed'), 409, 'conflict'],
    ['DuplicateError', new DuplicateError('lead', 'k'), 409, 'duplicate'],
    ['VersionConflictError', new VersionConflictError('lead', 'a1', 3), 409, 'version_conflict'],
    ['SlotUnavailableError', new SlotUnavailableError('taken'), 409, 'slot_unavailable'],
    ['RateLimitedError', new RateLimitedError('slow down', { retryAfterMs: 1500 }), 429, 'rate_limited'],
    ['AuthError', new AuthError('no key'), 401, 'auth_failed'],
    ['ProviderUnavailableError', new ProviderUnavailableError({ provider: 'google', operation: 'freeBusy' }), 503, 'provider_unavailable'],
    ['LockNotAcquiredError', new LockNotAcquiredError('calendar:primary'), 503, 'lock_not_acquired'],
    ['AbortedError', new AbortedError({ provider: 'sandbox', operation: 'getLeads' }), 503, 'aborted'],
    [
      'RecipientUnreachableError',
      new RecipientUnreachableError({ channel: 'whatsapp', provider: 'evolution' }),
      422,
      'recipient_unreachable',
    ],
    [
      'ProviderError',
      new ProviderError({ provider: 'kommo', operation: 'updateLead', message: 'bad', status: 400 }),
      502,
      'provider_error',
    ],
    ['a bare SdrError', new SdrError('invariant broken'), 500, 'internal'],
  ] as const)('%s ⇒ %i %s', (_name, error, status, code) => {
    const { problem } = problemFor(error, origin);
    expect(problem).toMatchObject({ status, code, type: `urn:sdr:problem:${code}`, instance: '/v1/leads', requestId: 'req-1' });
  });

  it('names every field of a ValidationError', () => {
    const { problem } = problemFor(
      new ValidationError([
        { field: 'body.phone', message: 'is empty' },
        { field: 'body.colour', message: 'unknown field' },
      ]),
      origin,
    );
    expect(problem.errors).toEqual([
      { field: 'body.phone', message: 'is empty' },
      { field: 'body.colour', message: 'unknown field' },
    ]);
  });

  it('carries the alternatives of a taken slot as ISO instants', () => {
    const { problem } = problemFor(
      new SlotUnavailableError('taken', { alternatives: [{ start, end: new Date('2026-03-03T13:30:00Z'), localLabel: 'ter., 10:00' }] }),
      origin,
    );
    expect(problem.alternatives).toEqual([
      { start: '2026-03-03T13:00:00.000Z', end: '2026-03-03T13:30:00.000Z', localLabel: 'ter., 10:00' },
    ]);
  });

  it('rounds Retry-After up to whole seconds and keeps the milliseconds', () => {
    expect(problemFor(new RateLimitedError('slow', { retryAfterMs: 1500 }), origin)).toMatchObject({
      problem: { retryAfterMs: 1500 },
      headers: { 'retry-after': '2' },
    });
  });

  it('an unexpected error is a 500 that says nothing of it', () => {
    const { problem } = problemFor(new TypeError("Cannot read properties of undefined (reading 'secret')"), origin);
    expect(problem).toMatchObject({ status: 500, code: 'internal' });
    expect(JSON.stringify(problem)).not.toContain('secret');
  });

  it('maps the framework’s body errors', () => {
    expect(problemFor({ code: 'FST_ERR_CTP_BODY_TOO_LARGE', statusCode: 413, message: 'too big' }, origin).problem.status).toBe(413);
    expect(problemFor({ code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE', statusCode: 415, message: 'no' }, origin).problem.code).toBe(
      'unsupported_media_type',
    );
    expect(problemFor({ code: 'FST_ERR_CTP_EMPTY_JSON_BODY', statusCode: 400, message: 'empty' }, origin).problem.errors).toEqual([
      { field: 'body', message: 'empty' },
    ]);
  });
});
