/**
 * Kommo's failures on the wire, each mapped once (`kommo-errors.ts`): 400 validation-errors, 401
 * refreshed once, 402, 403 with and without a body, 429 whose body is not JSON, 5xx, timeouts and
 * malformed answers — and no token in any error.
 */
import {
  AuthError,
  NotFoundError,
  ProviderError,
  ProviderUnavailableError,
  RateLimitedError,
  ValidationError,
  isSuspectedBlock,
} from '@sdr/core';
import { describe, expect, it } from 'vitest';
import { crmOn, rejection, requestsTo, useFakeKommo } from './__fixtures__/msw-kommo.js';
import { toKommoError } from './kommo-errors.js';

const fake = useFakeKommo();
const context = { operation: 'leads.update', account: 'acme', now: new Date('2030-01-01T00:00:00Z') };

describe('toKommoError', () => {
  it('turns a 400 with validation-errors into a ValidationError naming each path, through the caller’s field names', () => {
    const error = toKommoError(
      {
        kind: 'http',
        status: 400,
        retryAfter: null,
        requestId: 'r-1',
        body: {
          title: 'Bad Request',
          status: 400,
          'validation-errors': [
            { request_id: '1', errors: [{ code: 'NotSupportedChoice', path: 'status_id', detail: 'Invalid choice.' }] },
          ],
        },
      },
      { ...context, fieldOf: (path) => `patches.${path.replace('status_id', 'stage')}` },
    );
    expect(ValidationError.isInstance(error) && error.fieldErrors).toEqual([
      { field: 'patches.1.stage', message: 'NotSupportedChoice: Invalid choice. (Kommo path 1.status_id)' },
    ]);
  });

  it('a 400 whose every error is NotFound on an id is a NotFoundError (a lead deleted in Kommo)', () => {
    const error = toKommoError(
      {
        kind: 'http',
        status: 400,
        retryAfter: null,
        requestId: null,
        body: { 'validation-errors': [{ request_id: '0', errors: [{ code: 'NotFound', path: 'id', detail: 'Element not found' }] }] },
      },
      context,
    );
    expect(NotFoundError.isInstance(error)).toBe(true);
  });

  it('a 429 waits at least one second, more when Kommo says so', () => {
    const bare = toKommoError({ kind: 'http', status: 429, body: '<html>slow down</html>', retryAfter: null, requestId: null }, context);
    expect(RateLimitedError.isInstance(bare) && bare.retryAfterMs).toBe(1000);
    const told = toKommoError({ kind: 'http', status: 429, body: undefined, retryAfter: '3', requestId: null }, context);
    expect(RateLimitedError.isInstance(told) && told.retryAfterMs).toBe(3000);
  });

  it('never carries a secret Kommo echoes', () => {
    const error = toKommoError(
      { kind: 'http', status: 500, body: { title: 'oops', detail: 'token secret-token-123 rejected' }, retryAfter: null, requestId: null },
      { ...context, secrets: ['secret-token-123'] },
    );
    expect(JSON.stringify(error)).not.toContain('secret-token-123');
    expect(error.message).toContain('[redacted]');
  });
});

describe('on the wire', () => {
  it('429 with an HTML body ⇒ RateLimitedError of at least 1 s', async () => {
    fake.failNext('pipelines.list', { kind: 'respond', status: 429, raw: '<html>Too Many Requests</html>' });
    const error = await rejection(crmOn(fake).listPipelines());
    expect(RateLimitedError.isInstance(error) && error.retryAfterMs).toBe(1000);
  });

  it('204 ⇒ an empty list', async () => {
    fake.failNext('leads.get', { kind: 'respond', status: 204 });
    expect(await crmOn(fake).getLeads(['123'])).toEqual([]);
  });

  it('402 ⇒ unavailable, naming the unpaid account (retryable: nothing is lost)', async () => {
    fake.failNext('health', { kind: 'respond', status: 402, body: { title: 'Payment Required', status: 402 } });
    const health = await crmOn(fake).health();
    expect(health).toMatchObject({ status: 'down' });
    expect(health.detail).toContain('not paid');
    fake.failNext('pipelines.list', { kind: 'respond', status: 402, body: { title: 'Payment Required', status: 402 } });
    const error = await rejection(crmOn(fake).listPipelines());
    expect(ProviderUnavailableError.isInstance(error) && error.details).toMatchObject({ reason: 'account_unpaid' });
  });

  it('403 without a body ⇒ a suspected block (no body on the error, not retryable); 403 with JSON ⇒ an ordinary refusal', async () => {
    fake.failNext('pipelines.list', { kind: 'respond', status: 403 });
    const blocked = await rejection(crmOn(fake).listPipelines());
    expect(ProviderError.isInstance(blocked) && blocked.status).toBe(403);
    expect(isSuspectedBlock(blocked)).toBe(true);
    expect(blocked).toMatchObject({ retryable: false });
    fake.failNext('pipelines.list', { kind: 'respond', status: 403, body: { title: 'Forbidden', detail: 'No rights', status: 403 } });
    const refused = await rejection(crmOn(fake).listPipelines());
    expect(isSuspectedBlock(refused)).toBe(false);
  });

  it('401 with a long-lived token ⇒ AuthError after one request (nothing to refresh), without the token', async () => {
    const crm = crmOn(fake, { auth: { type: 'long_lived', token: 'revoked-token-value' } });
    const error = await rejection(crm.listPipelines());
    expect(AuthError.isInstance(error)).toBe(true);
    expect(JSON.stringify(error)).not.toContain('revoked-token-value');
    expect(requestsTo(fake, 'pipelines.list')).toHaveLength(1);
  });

  it('5xx and a malformed 2xx ⇒ retryable ProviderError; a timeout ⇒ ProviderUnavailableError', async () => {
    fake.failNext('pipelines.list', { kind: 'respond', status: 503, raw: 'upstream down' });
    expect(await rejection(crmOn(fake).listPipelines())).toMatchObject({ code: 'provider_error', retryable: true, status: 503 });
    fake.failNext('pipelines.list', { kind: 'respond', status: 200, raw: 'not json' });
    expect(await rejection(crmOn(fake).listPipelines())).toMatchObject({ code: 'provider_error', retryable: true });
    fake.failNext('pipelines.list', { kind: 'accept_then_stall' });
    const timedOut = await rejection(crmOn(fake, { requestTimeoutMs: 200 }).listPipelines());
    expect(ProviderUnavailableError.isInstance(timedOut)).toBe(true);
    fake.failNext('pipelines.list', { kind: 'network' });
    expect(ProviderUnavailableError.isInstance(await rejection(crmOn(fake).listPipelines()))).toBe(true);
  });

  it('a 400 validation-errors on a batch ⇒ ValidationError naming the patch', async () => {
    const crm = crmOn(fake);
    const [lead] = await crm.upsertLeads([{ phone: (await import('@sdr/core')).PhoneNumber.parse('+5511987650000') }]);
    fake.failNext('leads.update', {
      kind: 'respond',
      status: 400,
      body: {
        title: 'Bad Request',
        status: 400,
        'validation-errors': [{ request_id: '0', errors: [{ code: 'InvalidType', path: 'name', detail: 'Too long' }] }],
      },
    });
    const error = await rejection(crm.updateLeads([{ leadId: lead?.lead.leadId ?? '', name: 'x' }]));
    expect(ValidationError.isInstance(error) && error.fieldErrors[0]?.field).toBe('patch.name');
  });
});
