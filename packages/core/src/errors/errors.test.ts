import { describe, expect, it } from 'vitest';
import { classifyError } from './classify.js';
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
  SlotUnavailableError,
  ValidationError,
  VersionConflictError,
  isRetryableStatus,
} from './index.js';

describe('ValidationError', () => {
  it('names every offending field in its message', () => {
    const error = new ValidationError([
      { field: 'lead.phone', message: 'is empty' },
      { field: 'lead.email', message: 'must be an e-mail address' },
    ]);
    expect(error.message).toBe('lead.phone: is empty; lead.email: must be an e-mail address');
    expect(error.fieldErrors).toEqual([
      { field: 'lead.phone', message: 'is empty' },
      { field: 'lead.email', message: 'must be an e-mail address' },
    ]);
    expect(error.code).toBe('validation_failed');
  });

  it('uses the bare message for a field-less error and a generic one when there are none', () => {
    expect(new ValidationError([{ field: '', message: 'expected an object' }]).message).toBe('expected an object');
    expect(new ValidationError([]).message).toBe('invalid input');
    expect(new ValidationError([{ field: 'x', message: 'bad' }], { message: 'custom summary' }).message).toBe('custom summary');
  });

  it('forField builds a single field error', () => {
    const error = ValidationError.forField('customer.phone', 'is empty');
    expect(error.fieldErrors).toEqual([{ field: 'customer.phone', message: 'is empty' }]);
    expect(error.message).toBe('customer.phone: is empty');
  });

  it('masks personal data in field messages and in the summary message alike', () => {
    const error = ValidationError.forField('lead.phone', '+55 11 98765-4321 belongs to john.doe@example.com');
    expect(error.fieldErrors[0]?.message).toBe('+55119****4321 belongs to j***@example.com');
    expect(error.message).toBe('lead.phone: +55119****4321 belongs to j***@example.com');
    expect(error.message).not.toContain('98765');
    expect(JSON.stringify(error)).not.toContain('98765');
  });

  it('freezes its field errors', () => {
    const error = ValidationError.forField('a', 'b');
    expect(Object.isFrozen(error.fieldErrors)).toBe(true);
    expect(Object.isFrozen(error.fieldErrors[0])).toBe(true);
  });

  it('serialises its field errors', () => {
    const error = ValidationError.forField('tenant.timeZone', 'must be an IANA time-zone name');
    expect(error.toJSON()).toEqual({
      name: 'ValidationError',
      code: 'validation_failed',
      message: 'tenant.timeZone: must be an IANA time-zone name',
      retryable: false,
      details: {},
      fieldErrors: [{ field: 'tenant.timeZone', message: 'must be an IANA time-zone name' }],
    });
  });
});

describe('NotFoundError / DuplicateError / VersionConflictError', () => {
  it('NotFoundError keeps resource and a redacted id', () => {
    const error = new NotFoundError('contact', '+5511987654321');
    expect(error.resource).toBe('contact');
    expect(error.id).toBe('+55119****4321');
    expect(error.message).toBe('contact +55119****4321 was not found');
  });

  it('NotFoundError leaves UUIDs readable', () => {
    const id = '0b7c3f1e-5d2a-4c8e-9f6b-1a2b3c4d5e6f';
    expect(new NotFoundError('lead', id).message).toBe(`lead ${id} was not found`);
  });

  it('DuplicateError redacts the key', () => {
    const error = new DuplicateError('contact', 'maria@example.com');
    expect(error.key).toBe('m***@example.com');
    expect(error.message).toBe('contact m***@example.com already exists');
    expect(ConflictError.isInstance(error)).toBe(true);
  });

  it('VersionConflictError says what version was expected', () => {
    const error = new VersionConflictError('lead', 'a1', 7);
    expect(error.expectedVersion).toBe(7);
    expect(error.resource).toBe('lead');
    expect(error.id).toBe('a1');
    expect(error.message).toBe('lead a1 was changed concurrently (expected version 7)');
  });
});

describe('SlotUnavailableError', () => {
  const slot = (hour: number) => ({
    start: new Date(Date.UTC(2026, 2, 2, hour)),
    end: new Date(Date.UTC(2026, 2, 2, hour, 30)),
  });

  it('keeps at most three alternatives and serialises them as ISO instants', () => {
    const error = new SlotUnavailableError('slot taken', {
      alternatives: [{ ...slot(13), localLabel: '02/03/2026 10:00' }, slot(14), slot(15), slot(16)],
    });
    expect(error.alternatives).toHaveLength(3);
    expect(error.code).toBe('slot_unavailable');
    expect(error.toJSON()).toEqual({
      name: 'SlotUnavailableError',
      code: 'slot_unavailable',
      message: 'slot taken',
      retryable: false,
      details: {},
      alternatives: [
        { start: '2026-03-02T13:00:00.000Z', end: '2026-03-02T13:30:00.000Z', localLabel: '02/03/2026 10:00' },
        { start: '2026-03-02T14:00:00.000Z', end: '2026-03-02T14:30:00.000Z' },
        { start: '2026-03-02T15:00:00.000Z', end: '2026-03-02T15:30:00.000Z' },
      ],
    });
  });

  it('defaults to no alternatives', () => {
    expect(new SlotUnavailableError('taken').alternatives).toEqual([]);
  });
});

describe('RateLimitedError', () => {
  it('carries retryAfterMs and provider in JSON', () => {
    const error = new RateLimitedError('429 from kommo', { retryAfterMs: 2000, provider: 'kommo' });
    expect(error.retryAfterMs).toBe(2000);
    expect(error.toJSON()).toEqual({
      name: 'RateLimitedError',
      code: 'rate_limited',
      message: '429 from kommo',
      retryable: true,
      details: {},
      retryAfterMs: 2000,
      provider: 'kommo',
    });
  });

  it('has no retryAfterMs when the provider gave none', () => {
    expect(new RateLimitedError('slow').retryAfterMs).toBeUndefined();
  });
});

describe('ProviderError', () => {
  it('redacts the body: secrets by key, personal data in strings', () => {
    const error = new ProviderError({
      provider: 'kommo',
      operation: 'updateLead',
      status: 400,
      message: 'validation failed for +55 11 98765-4321',
      body: {
        error: 'invalid phone +5511987654321',
        access_token: 'eyJhbGciOi',
        contact: { email: 'maria.silva@example.com', name: 'Maria' },
      },
      requestId: 'req-1',
    });
    expect(error.body).toEqual({
      error: 'invalid phone +55119****4321',
      access_token: '[redacted]',
      contact: { email: 'm***@example.com', name: 'Maria' },
    });
    expect(error.message).toBe('kommo updateLead failed: validation failed for +55119****4321');
    expect(JSON.stringify(error.body)).not.toContain('eyJhbGciOi');
  });

  it('serialises provider, operation, status and request id, without the body', () => {
    const error = new ProviderError({
      provider: 'google',
      operation: 'createEvent',
      status: 503,
      message: 'backend error',
      body: 'x',
      requestId: 'r-9',
    });
    expect(error.toJSON()).toEqual({
      name: 'ProviderError',
      code: 'provider_error',
      message: 'google createEvent failed: backend error',
      retryable: true,
      details: {},
      provider: 'google',
      operation: 'createEvent',
      status: 503,
      requestId: 'r-9',
    });
  });

  it('derives retryable from the status unless told otherwise', () => {
    expect(new ProviderError({ provider: 'p', operation: 'o', message: 'm' }).retryable).toBe(false);
    expect(new ProviderError({ provider: 'p', operation: 'o', message: 'm', status: 429 }).retryable).toBe(true);
    expect(new ProviderError({ provider: 'p', operation: 'o', message: 'm', status: 500, retryable: false }).retryable).toBe(false);
    expect(new ProviderError({ provider: 'p', operation: 'o', message: 'm', status: 404, retryable: true }).retryable).toBe(true);
  });
});

describe('other errors', () => {
  it('ProviderUnavailableError is always retryable and redacts its message', () => {
    const error = new ProviderUnavailableError({ provider: 'evolution', operation: 'sendText', message: 'ETIMEDOUT to +5511987654321' });
    expect(error.retryable).toBe(true);
    expect(error.message).toBe('evolution sendText unavailable: ETIMEDOUT to +55119****4321');
    expect(new ProviderUnavailableError({ provider: 'evolution', operation: 'sendText' }).message).toBe('evolution sendText unavailable');
  });

  it('AuthError keeps the provider', () => {
    const error = new AuthError('refresh token revoked', { provider: 'google' });
    expect(error.provider).toBe('google');
    expect(error.code).toBe('auth_failed');
  });

  it('LockNotAcquiredError has a default message', () => {
    expect(new LockNotAcquiredError('lead:a1').message).toBe('lock lead:a1 is held by someone else');
    expect(new LockNotAcquiredError('lead:a1', { message: 'lease lost' }).message).toBe('lease lost');
    expect(new LockNotAcquiredError('lead:a1').key).toBe('lead:a1');
  });
});

describe('RecipientUnreachableError', () => {
  it('is permanent, names channel and provider, and is recognised by isInstance and classifyError', () => {
    const error = new RecipientUnreachableError({ channel: 'whatsapp', provider: 'evolution' });
    expect(error.retryable).toBe(false);
    expect(error.code).toBe('recipient_unreachable');
    expect(error.message).toBe('the recipient cannot be reached on whatsapp (evolution)');
    expect(RecipientUnreachableError.isInstance(error)).toBe(true);
    expect(ProviderError.isInstance(error)).toBe(false);
    expect(classifyError(error)).toEqual({ transient: false, code: 'recipient_unreachable', message: error.message });
    expect(error.toJSON()).toEqual({
      name: 'RecipientUnreachableError',
      code: 'recipient_unreachable',
      message: 'the recipient cannot be reached on whatsapp (evolution)',
      retryable: false,
      details: {},
      channel: 'whatsapp',
      provider: 'evolution',
    });
  });

  it('cannot be made retryable and masks a number that slips into a custom message', () => {
    const error = new RecipientUnreachableError({
      channel: 'whatsapp',
      provider: 'evolution',
      message: 'not on WhatsApp: +55 11 98765-4321',
      ...({ retryable: true } as object),
    });
    expect(error.retryable).toBe(false);
    expect(error.message).not.toContain('98765');
  });

  it('is recognised across copies of the package through the marker', () => {
    const foreign = Object.assign(new Error('x'), { [Symbol.for('@sdr/core.error')]: ['RecipientUnreachableError', 'SdrError'] });
    expect(RecipientUnreachableError.isInstance(foreign)).toBe(true);
  });
});

describe('AbortedError', () => {
  it('is retryable, names the call, keeps the signal reason as cause, and is nothing else', () => {
    const reason = new Error('worker stopped');
    const error = new AbortedError({ provider: 'kommo', operation: 'updateLeads', cause: reason });
    expect(error).toMatchObject({ code: 'aborted', retryable: true, provider: 'kommo', operation: 'updateLeads' });
    expect(error.message).toBe('kommo updateLeads was aborted');
    expect(error.cause).toBe(reason);
    expect(new AbortedError().message).toBe('the call was aborted');
    expect(ProviderError.isInstance(error) || ProviderUnavailableError.isInstance(error)).toBe(false);
  });
});

describe('isRetryableStatus', () => {
  it.each([
    [undefined, false],
    [200, false],
    [400, false],
    [401, false],
    [404, false],
    [408, true],
    [409, false],
    [425, true],
    [429, true],
    [500, true],
    [502, true],
    [503, true],
    [599, true],
  ] as const)('%s ⇒ %s', (status, expected) => {
    expect(isRetryableStatus(status)).toBe(expected);
  });
});
