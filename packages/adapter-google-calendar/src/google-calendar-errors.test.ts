/**
 * Free/busy never guessed, the one retry policy and the error mapping, on the wire: rate limits
 * (403 reasons, 429 + Retry-After), 5xx with backoff, 400/404 permanent, no token or personal
 * data in any error.
 */
import { AuthError, ProviderError, RateLimitedError, type SdrError } from '@sdr/core';
import { describe, expect, it } from 'vitest';
import { toGoogleCalendarError } from './google-calendar-errors.js';
import { at, eventId, portOn, recordingClock, rejection, requestsTo, useFakeGoogle } from './__fixtures__/msw-google.js';

const fake = useFakeGoogle();
const calendarId = 'sales@example.com';
const range = { calendarId, timeMin: at(0), timeMax: at(24) };
const rateLimited = (reason: string) => ({
  error: { code: 403, message: 'Rate Limit Exceeded', errors: [{ domain: 'usageLimits', reason, message: 'Rate Limit Exceeded' }] },
});

/** Everything an error shows: message, JSON and details. */
const shown = (error: unknown) => `${(error as Error).message} ${JSON.stringify(error)}`;

describe('freeBusy', () => {
  it('queries the calendar over the range and returns its busy intervals in order', async () => {
    const port = portOn(fake);
    await port.createEvent({ calendarId, eventId: eventId(), start: at(14), end: at(15), summary: 'B' });
    await port.createEvent({ calendarId, eventId: eventId(), start: at(9), end: at(10), summary: 'A' });
    const busy = await port.freeBusy(range);
    expect(busy).toEqual([
      { start: at(9), end: at(10) },
      { start: at(14), end: at(15) },
    ]);
    const [query] = requestsTo(fake, 'POST', 'calendar/v3/freeBusy');
    expect(query?.body).toEqual({ timeMin: at(0).toISOString(), timeMax: at(24).toISOString(), items: [{ id: calendarId }] });
  });

  it('a 200 whose calendar carries errors[] is a failure, never a free calendar (and notFound is not retried)', async () => {
    const port = portOn(fake);
    fake.markUnreadable(calendarId, 'notFound');
    const error = await rejection(port.freeBusy(range));
    expect(ProviderError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ retryable: false, status: 200 });
    expect((error as Error).message).toContain('notFound');
    expect(requestsTo(fake, 'POST', 'calendar/v3/freeBusy')).toHaveLength(1);
  });

  it('errors[] with backendError is retried, then fails', async () => {
    const clock = recordingClock();
    const port = portOn(fake, { clock });
    fake.markUnreadable(calendarId, 'backendError');
    const error = await rejection(port.freeBusy(range));
    expect(error).toMatchObject({ retryable: true });
    expect(requestsTo(fake, 'POST', 'calendar/v3/freeBusy')).toHaveLength(3);
  });
});

describe('the retry policy', () => {
  it.each(['rateLimitExceeded', 'userRateLimitExceeded'])('a 403 %s is backed off and retried', async (reason) => {
    const clock = recordingClock();
    const port = portOn(fake, { clock });
    fake.failNext('freeBusy', { kind: 'status', status: 403, body: rateLimited(reason) });
    expect(await port.freeBusy(range)).toEqual([]);
    expect(requestsTo(fake, 'POST', 'calendar/v3/freeBusy')).toHaveLength(2);
    expect(clock.sleeps).toHaveLength(1);
  });

  it('a 429 waits at least its Retry-After before the insert is tried again', async () => {
    const clock = recordingClock();
    const port = portOn(fake, { clock });
    fake.failNext('insert', {
      kind: 'status',
      status: 429,
      body: { error: { code: 429, message: 'Too many' } },
      headers: { 'retry-after': '7' },
    });
    await port.createEvent({ calendarId, eventId: eventId(), start: at(10), end: at(11), summary: 'Demo' });
    expect(clock.sleeps).toEqual([7_000]);
    expect(fake.events(calendarId)).toHaveLength(1);
  });

  it('5xx on patch are retried with backoff until the attempts run out', async () => {
    const clock = recordingClock();
    const port = portOn(fake, { clock });
    const id = eventId();
    await port.createEvent({ calendarId, eventId: id, start: at(10), end: at(11), summary: 'Demo' });
    for (let index = 0; index < 3; index += 1)
      fake.failNext('patch', { kind: 'status', status: 500, body: { error: { code: 500, message: 'Backend Error' } } });
    const error = await rejection(port.updateEvent({ calendarId, eventId: id, summary: 'Moved' }));
    expect(ProviderError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ status: 500, retryable: true });
    expect(requestsTo(fake, 'PATCH', id)).toHaveLength(3);
    expect(clock.sleeps).toHaveLength(2);
  });

  it('a 400 is permanent: one request, not retryable', async () => {
    const clock = recordingClock();
    const port = portOn(fake, { clock });
    fake.failNext('insert', {
      kind: 'status',
      status: 400,
      body: { error: { code: 400, message: 'Invalid start time.', errors: [{ reason: 'invalid' }] } },
    });
    const error = await rejection(port.createEvent({ calendarId, eventId: eventId(), start: at(10), end: at(11), summary: 'Demo' }));
    expect(error).toMatchObject({ code: 'provider_error', status: 400, retryable: false });
    expect((error as Error).message).toContain('Invalid start time.');
    expect(clock.sleeps).toEqual([]);
  });

  it('a malformed 200 is a retryable ProviderError', async () => {
    const port = portOn(fake, { clock: recordingClock(), retryPolicy: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1, factor: 2 } });
    fake.failNext('get', { kind: 'status', status: 200, body: { summary: 'no id' } });
    const error = await rejection(port.getEvent({ calendarId, eventId: eventId() }));
    expect(error).toMatchObject({ code: 'provider_error', retryable: true });
  });
});

describe('tokens', () => {
  it('a 401 on the API refreshes the token once and repeats the request', async () => {
    const port = portOn(fake);
    await port.freeBusy(range);
    fake.revokeAccessTokens();
    await port.freeBusy(range);
    expect(requestsTo(fake, 'POST', 'token')).toHaveLength(2);
    const queries = requestsTo(fake, 'POST', 'calendar/v3/freeBusy');
    expect(queries).toHaveLength(3);
    expect(queries[2]?.headers.get('authorization')).not.toBe(queries[1]?.headers.get('authorization'));
  });

  it('a refused refresh token is an AuthError that names neither the token nor the client secret', async () => {
    const port = portOn(fake, {
      auth: { type: 'oauth', clientId: 'client-1', clientSecret: 'client-secret-1', refreshToken: 'revoked-refresh-token' },
    });
    const error = await rejection(port.freeBusy(range));
    expect(AuthError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain('invalid_grant');
    expect(shown(error)).not.toContain('revoked-refresh-token');
    expect(shown(error)).not.toContain('client-secret-1');
    expect(requestsTo(fake, 'POST', 'calendar/v3/freeBusy')).toEqual([]);
  });

  it('a 401 that persists after the refresh is an AuthError without the bearer token', async () => {
    const port = portOn(fake);
    fake.failNext('freeBusy', { kind: 'status', status: 401, body: { error: { code: 401, message: 'Invalid Credentials' } } });
    fake.failNext('freeBusy', { kind: 'status', status: 401, body: { error: { code: 401, message: 'Invalid Credentials' } } });
    const error = await rejection(port.freeBusy(range));
    expect(AuthError.isInstance(error)).toBe(true);
    expect(shown(error)).not.toMatch(/ya29\./);
  });
});

describe('toGoogleCalendarError', () => {
  const map = (status: number, body: unknown, retryAfter: string | null = null): SdrError =>
    toGoogleCalendarError(
      { kind: 'http', status, body, retryAfter },
      { operation: 'createEvent', now: new Date(0), secrets: ['s3cret-value'] },
    );

  it('maps quotaExceeded and 429 to RateLimitedError, forbidden to AuthError, 5xx and 408 to retryable', () => {
    expect(RateLimitedError.isInstance(map(403, rateLimited('quotaExceeded')))).toBe(true);
    expect(map(429, {}, 'Thu, 01 Jan 1970 00:00:05 GMT')).toMatchObject({ retryAfterMs: 5_000 });
    expect(AuthError.isInstance(map(403, { error: { code: 403, errors: [{ reason: 'forbidden' }] } }))).toBe(true);
    expect(map(503, 'Service Unavailable')).toMatchObject({ retryable: true });
    expect(map(408, null)).toMatchObject({ retryable: true });
    expect(map(412, null)).toMatchObject({ retryable: false });
  });

  it('keeps no secret, token or e-mail address of the answer in the error', () => {
    const error = map(400, { error: { code: 400, message: 'Bad attendee ana@example.com with s3cret-value and ya29.a0AfH6SMB-token' } });
    expect(shown(error)).not.toContain('ana@example.com');
    expect(shown(error)).not.toContain('s3cret-value');
    expect(shown(error)).not.toContain('ya29.a0AfH6SMB');
  });

  it('never throws on bodies of any shape', () => {
    for (const body of [undefined, null, 42, '<html>502</html>', { error: 7 }, []]) expect(map(502, body).retryable).toBe(true);
  });
});
