import { describe, expect, it, vi } from 'vitest';
import type * as ErrorsIndex from './index.js';
import {
  AuthError,
  ConflictError,
  DuplicateError,
  LockNotAcquiredError,
  NotFoundError,
  ProviderError,
  ProviderUnavailableError,
  RateLimitedError,
  SdrError,
  SlotUnavailableError,
  ValidationError,
  VersionConflictError,
  sdrErrorKinds,
} from './index.js';

type ErrorsModule = typeof ErrorsIndex;

/** A second, independent copy of the errors module, as a duplicate install of `@sdr/core` would load. */
async function loadSecondCopy(): Promise<ErrorsModule> {
  vi.resetModules();
  const copy = await import('./index.js');
  vi.resetModules();
  return copy;
}

describe('SdrError across two copies of the package', () => {
  it('loads a genuinely separate copy (bare instanceof fails across it)', async () => {
    const copy = await loadSecondCopy();
    expect(copy.SdrError).not.toBe(SdrError);
    expect(copy.SlotUnavailableError).not.toBe(SlotUnavailableError);
    const foreign = new copy.SlotUnavailableError('slot taken');
    expect(foreign instanceof SlotUnavailableError).toBe(false);
    expect(foreign instanceof SdrError).toBe(false);
  });

  it('recognises an error of copy 2 with the isInstance of copy 1, through the whole class chain', async () => {
    const copy = await loadSecondCopy();
    const foreign = new copy.SlotUnavailableError('slot taken', {
      alternatives: [{ start: new Date('2026-03-02T13:00:00Z'), end: new Date('2026-03-02T13:30:00Z') }],
    });

    expect(SlotUnavailableError.isInstance(foreign)).toBe(true);
    expect(ConflictError.isInstance(foreign)).toBe(true);
    expect(SdrError.isInstance(foreign)).toBe(true);
    expect(NotFoundError.isInstance(foreign)).toBe(false);
    expect(DuplicateError.isInstance(foreign)).toBe(false);
    expect(ValidationError.isInstance(foreign)).toBe(false);
    // The narrowed type gives access to the subclass fields.
    if (SlotUnavailableError.isInstance(foreign)) expect(foreign.alternatives).toHaveLength(1);
  });

  it('recognises errors of copy 1 with the isInstance of copy 2 (symmetric)', async () => {
    const copy = await loadSecondCopy();
    const local = new RateLimitedError('slow down', { retryAfterMs: 5000 });
    expect(copy.RateLimitedError.isInstance(local)).toBe(true);
    expect(copy.SdrError.isInstance(local)).toBe(true);
    expect(copy.ProviderError.isInstance(local)).toBe(false);
    expect(copy.sdrErrorKinds(local)).toEqual(['RateLimitedError', 'SdrError']);
  });
});

describe('SdrError.isInstance', () => {
  it.each([null, undefined, 'ValidationError', 42, {}, new Error('plain'), { name: 'SdrError', code: 'internal' }])(
    'rejects a value that is not an SdrError: %o',
    (value) => {
      expect(SdrError.isInstance(value)).toBe(false);
      expect(sdrErrorKinds(value)).toEqual([]);
    },
  );

  it('does not accept a forged marker that is not an array', () => {
    const forged = { [Symbol.for('@sdr/core.error')]: 'SdrError' };
    expect(SdrError.isInstance(forged)).toBe(false);
    expect(sdrErrorKinds(forged)).toEqual([]);
  });

  it('lists the class chain, most specific first, and names the error after it', () => {
    const error = new VersionConflictError('lead', 'a1', 3);
    expect(sdrErrorKinds(error)).toEqual(['VersionConflictError', 'ConflictError', 'SdrError']);
    expect(error.name).toBe('VersionConflictError');
    expect(error).toBeInstanceOf(Error);
  });

  it('keeps the marker out of enumeration and JSON', () => {
    const error = new SdrError('boom');
    expect(Object.getOwnPropertySymbols(error)).toContain(Symbol.for('@sdr/core.error'));
    expect(Object.prototype.propertyIsEnumerable.call(error, Symbol.for('@sdr/core.error'))).toBe(false);
    expect(JSON.stringify(error)).not.toContain('SdrError"]');
  });
});

describe('SdrError base', () => {
  it('defaults to code internal, not retryable, empty details', () => {
    const error = new SdrError('boom');
    expect(error.code).toBe('internal');
    expect(error.retryable).toBe(false);
    expect(error.details).toEqual({});
    expect(Object.isFrozen(error.details)).toBe(true);
    expect(error.cause).toBeUndefined();
  });

  it('keeps the cause for logs but does not serialise it', () => {
    const cause = new Error('socket hang up');
    const error = new SdrError('boom', 'internal', { cause, retryable: true });
    expect(error.cause).toBe(cause);
    expect(error.retryable).toBe(true);
    expect(error.toJSON()).not.toHaveProperty('cause');
  });

  it('redacts details', () => {
    const error = new SdrError('boom', 'internal', { details: { apiKey: 'sk_live_123', lead: { phone: '+55 11 98765-4321' } } });
    expect(error.details).toEqual({ apiKey: '[redacted]', lead: { phone: '+55119****4321' } });
  });

  it('serialises to { name, code, message, retryable, details }', () => {
    const error = new SdrError('boom', 'internal', { details: { attempt: 2 } });
    expect(error.toJSON()).toEqual({ name: 'SdrError', code: 'internal', message: 'boom', retryable: false, details: { attempt: 2 } });
    expect(JSON.parse(JSON.stringify(error))).toEqual(error.toJSON());
  });
});

describe('retryable per class', () => {
  const start = new Date('2026-03-02T13:00:00Z');
  const cases: ReadonlyArray<readonly [string, SdrError, boolean, string]> = [
    ['ValidationError', ValidationError.forField('phone', 'is empty'), false, 'validation_failed'],
    ['NotFoundError', new NotFoundError('lead', 'a1'), false, 'not_found'],
    ['ConflictError', new ConflictError('not allowed'), false, 'conflict'],
    ['ConflictError (retryable by choice)', new ConflictError('busy', { retryable: true }), true, 'conflict'],
    ['SlotUnavailableError', new SlotUnavailableError('taken', { alternatives: [{ start, end: start }] }), false, 'slot_unavailable'],
    ['DuplicateError', new DuplicateError('lead', 'k'), false, 'duplicate'],
    ['VersionConflictError', new VersionConflictError('lead', 'a1', 1), true, 'version_conflict'],
    ['RateLimitedError', new RateLimitedError('slow down'), true, 'rate_limited'],
    [
      'ProviderError 500',
      new ProviderError({ provider: 'kommo', operation: 'updateLead', message: 'oops', status: 500 }),
      true,
      'provider_error',
    ],
    [
      'ProviderError 400',
      new ProviderError({ provider: 'kommo', operation: 'updateLead', message: 'bad', status: 400 }),
      false,
      'provider_error',
    ],
    ['ProviderUnavailableError', new ProviderUnavailableError({ provider: 'kommo', operation: 'getLead' }), true, 'provider_unavailable'],
    ['AuthError', new AuthError('token expired'), false, 'auth_failed'],
    ['LockNotAcquiredError', new LockNotAcquiredError('lead:a1'), true, 'lock_not_acquired'],
  ];

  it.each(cases)('%s', (_name, error, retryable, code) => {
    expect(error.retryable).toBe(retryable);
    expect(error.code).toBe(code);
    expect(SdrError.isInstance(error)).toBe(true);
  });
});
