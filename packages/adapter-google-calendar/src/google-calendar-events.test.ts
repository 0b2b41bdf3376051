/**
 * The event calls on the wire: what the adapter sends (method, path, query, body, bearer token)
 * and how Google's answers and failures come back — duplicates, idempotent deletes, a lost
 * insert answer adopted only when the event is ours.
 */
import { randomUUID } from 'node:crypto';
import { DuplicateError, NotFoundError, ProviderUnavailableError } from '@sdr/core';
import { describe, expect, it } from 'vitest';
import { at, eventId, portOn, rejection, requestsTo, useFakeGoogle } from './__fixtures__/msw-google.js';

const fake = useFakeGoogle();
const calendarId = 'sales@example.com';
const calendarPath = `calendar/v3/calendars/${encodeURIComponent(calendarId)}/events`;

describe('createEvent', () => {
  it('inserts with the caller id, the private properties, sendUpdates and a bearer token from the token endpoint', async () => {
    const port = portOn(fake, { sendUpdates: 'externalOnly' });
    const id = eventId();
    const appointmentId = randomUUID();
    const event = await port.createEvent({
      calendarId,
      eventId: id,
      start: at(10),
      end: at(11),
      summary: 'Demo',
      description: 'Booked by the assistant',
      attendees: [{ email: 'lead@example.com', name: 'Ana' }],
      privateProperties: { appointmentId },
    });
    expect(event).toMatchObject({
      eventId: id,
      summary: 'Demo',
      status: 'confirmed',
      privateProperties: { appointmentId },
      conferenceUrl: null,
    });
    const [tokenRequest] = requestsTo(fake, 'POST', 'token');
    expect(tokenRequest?.body).toEqual({
      grant_type: 'refresh_token',
      refresh_token: 'refresh-token-1',
      client_id: 'client-1',
      client_secret: 'client-secret-1',
    });
    const [insert] = requestsTo(fake, 'POST', calendarPath);
    expect(insert?.query.get('sendUpdates')).toBe('externalOnly');
    expect(insert?.query.has('conferenceDataVersion')).toBe(false);
    expect(insert?.headers.get('authorization')).toMatch(/^Bearer ya29\.fake-/);
    expect(insert?.body).toEqual({
      id,
      summary: 'Demo',
      description: 'Booked by the assistant',
      start: { dateTime: at(10).toISOString() },
      end: { dateTime: at(11).toISOString() },
      attendees: [{ email: 'lead@example.com', displayName: 'Ana' }],
      extendedProperties: { private: { appointmentId } },
    });
  });

  it('asks for a Meet link with conferenceDataVersion=1 and a createRequest, and returns its URL', async () => {
    const port = portOn(fake);
    const id = eventId();
    const event = await port.createEvent({ calendarId, eventId: id, start: at(10), end: at(11), summary: 'Demo', conferencing: true });
    expect(event.conferenceUrl).toMatch(/^https:\/\/meet\.google\.com\//);
    const [insert] = requestsTo(fake, 'POST', calendarPath);
    expect(insert?.query.get('conferenceDataVersion')).toBe('1');
    expect(insert?.body).toMatchObject({
      conferenceData: { createRequest: { requestId: id, conferenceSolutionKey: { type: 'hangoutsMeet' } } },
    });
  });

  it('a 409 on the first attempt is a DuplicateError, and one token serves both calls', async () => {
    const port = portOn(fake);
    const id = eventId();
    await port.createEvent({ calendarId, eventId: id, start: at(10), end: at(11), summary: 'First' });
    const error = await rejection(port.createEvent({ calendarId, eventId: id, start: at(12), end: at(13), summary: 'Second' }));
    expect(DuplicateError.isInstance(error)).toBe(true);
    expect(requestsTo(fake, 'POST', 'token')).toHaveLength(1);
    expect(fake.events(calendarId).map((event) => event.summary)).toEqual(['First']);
  });

  it('an insert that timed out after Google created the event is retried, meets a 409 and adopts the event: one event', async () => {
    const port = portOn(fake, { requestTimeoutMs: 150 });
    const id = eventId();
    const appointmentId = randomUUID();
    fake.failNext('insert', { kind: 'slow', delayMs: 600 });
    const event = await port.createEvent({
      calendarId,
      eventId: id,
      start: at(10),
      end: at(11),
      summary: 'Demo',
      privateProperties: { appointmentId },
    });
    expect(event).toMatchObject({ eventId: id, status: 'confirmed', privateProperties: { appointmentId } });
    expect(requestsTo(fake, 'POST', calendarPath)).toHaveLength(2);
    expect(requestsTo(fake, 'GET', `${calendarPath}/${id}`)).toHaveLength(1);
    expect(fake.events(calendarId)).toHaveLength(1);
  });

  it('a retried insert that meets a 409 for an event that is not ours is a DuplicateError', async () => {
    const port = portOn(fake);
    const id = eventId();
    await port.createEvent({
      calendarId,
      eventId: id,
      start: at(10),
      end: at(11),
      summary: 'Theirs',
      privateProperties: { appointmentId: randomUUID() },
    });
    fake.failNext('insert', {
      kind: 'status',
      status: 503,
      body: { error: { code: 503, message: 'Backend Error', errors: [{ reason: 'backendError' }] } },
    });
    const error = await rejection(
      port.createEvent({
        calendarId,
        eventId: id,
        start: at(10),
        end: at(11),
        summary: 'Ours',
        privateProperties: { appointmentId: randomUUID() },
      }),
    );
    expect(DuplicateError.isInstance(error)).toBe(true);
    expect(fake.events(calendarId).map((event) => event.summary)).toEqual(['Theirs']);
  });

  it('an insert that never answers within the timeout, on every attempt, is a ProviderUnavailableError', async () => {
    const port = portOn(fake, { requestTimeoutMs: 100, retryPolicy: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1, factor: 2 } });
    fake.failNext('insert', { kind: 'slow', delayMs: 400 });
    const error = await rejection(port.createEvent({ calendarId, eventId: eventId(), start: at(10), end: at(11), summary: 'Demo' }));
    expect(ProviderUnavailableError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain('no answer within 100 ms');
  });
});

describe('getEvent, updateEvent, deleteEvent, listEvents', () => {
  it('patches only the given fields, with sendUpdates', async () => {
    const port = portOn(fake);
    const id = eventId();
    await port.createEvent({ calendarId, eventId: id, start: at(10), end: at(11), summary: 'Demo', description: 'kept' });
    const updated = await port.updateEvent({ calendarId, eventId: id, start: at(12), end: at(13) });
    expect(updated).toMatchObject({ summary: 'Demo', description: 'kept' });
    const [patch] = requestsTo(fake, 'PATCH', `${calendarPath}/${id}`);
    expect(patch?.query.get('sendUpdates')).toBe('none');
    expect(patch?.body).toEqual({ start: { dateTime: at(12).toISOString() }, end: { dateTime: at(13).toISOString() } });
  });

  it('one call may ask another sendUpdates through providerOptions.googleCalendar', async () => {
    const port = portOn(fake);
    const id = eventId();
    await port.createEvent({
      calendarId,
      eventId: id,
      start: at(10),
      end: at(11),
      summary: 'Demo',
      providerOptions: { googleCalendar: { sendUpdates: 'all' } },
    });
    await port.updateEvent({ calendarId, eventId: id, summary: 'Moved', providerOptions: { googleCalendar: { sendUpdates: 'everyone' } } });
    expect(requestsTo(fake, 'POST', calendarPath)[0]?.query.get('sendUpdates')).toBe('all');
    expect(requestsTo(fake, 'PATCH', `${calendarPath}/${id}`)[0]?.query.get('sendUpdates')).toBe('none');
  });

  it('a 404 on patch is a NotFoundError at once (permanent: no retry)', async () => {
    const port = portOn(fake);
    const id = eventId();
    const error = await rejection(port.updateEvent({ calendarId, eventId: id, summary: 'x' }));
    expect(NotFoundError.isInstance(error)).toBe(true);
    expect(requestsTo(fake, 'PATCH', `${calendarPath}/${id}`)).toHaveLength(1);
  });

  it('deletes with 204 ⇒ deleted, 410 (already deleted) and 404 (never existed) ⇒ not deleted, without retrying', async () => {
    const port = portOn(fake, { sendUpdates: 'all' });
    const id = eventId();
    await port.createEvent({ calendarId, eventId: id, start: at(10), end: at(11), summary: 'Demo' });
    expect(await port.deleteEvent({ calendarId, eventId: id })).toEqual({ deleted: true });
    expect(await port.deleteEvent({ calendarId, eventId: id })).toEqual({ deleted: false });
    const never = eventId();
    expect(await port.deleteEvent({ calendarId, eventId: never })).toEqual({ deleted: false });
    const deletes = requestsTo(fake, 'DELETE', `${calendarPath}/${id}`);
    expect(deletes).toHaveLength(2);
    expect(deletes[0]?.query.get('sendUpdates')).toBe('all');
    expect(requestsTo(fake, 'DELETE', `${calendarPath}/${never}`)).toHaveLength(1);
  });

  it('getEvent is null on a 404 and returns a deleted event as cancelled', async () => {
    const port = portOn(fake);
    const id = eventId();
    expect(await port.getEvent({ calendarId, eventId: id })).toBeNull();
    await port.createEvent({ calendarId, eventId: id, start: at(10), end: at(11), summary: 'Demo' });
    fake.person.deleteEvent(calendarId, id);
    expect((await port.getEvent({ calendarId, eventId: id }))?.status).toBe('cancelled');
  });

  it('lists single events in start order over the range', async () => {
    const port = portOn(fake);
    await port.createEvent({ calendarId, eventId: eventId(), start: at(10), end: at(11), summary: 'Demo' });
    const listed = await port.listEvents({ calendarId, timeMin: at(0), timeMax: at(24) });
    expect(listed).toHaveLength(1);
    const [list] = requestsTo(fake, 'GET', calendarPath);
    expect(Object.fromEntries(list?.query ?? [])).toEqual({
      timeMin: at(0).toISOString(),
      timeMax: at(24).toISOString(),
      singleEvents: 'true',
      orderBy: 'startTime',
      maxResults: '2500',
    });
  });
});
