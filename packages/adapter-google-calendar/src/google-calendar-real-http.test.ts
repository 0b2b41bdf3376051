/**
 * The port over real sockets (no msw): the generated client through the global fetch against the
 * fake Google on a loopback HTTP server — token endpoint, insert, free/busy and delete — and a
 * refused connection mapped to a retryable `ProviderUnavailableError`.
 */
import { ProviderUnavailableError } from '@sdr/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGoogleCalendar } from './google-calendar.js';
import { startFakeGoogleCalendarServer, type FakeGoogleCalendarServer } from './testing/index.js';
import { at, eventId, rejection } from './__fixtures__/msw-google.js';

const auth = { type: 'oauth', clientId: 'client-1', clientSecret: 'client-secret-1', refreshToken: 'refresh-token-1' } as const;
let server: FakeGoogleCalendarServer;

beforeAll(async () => {
  server = await startFakeGoogleCalendarServer({ latencyMs: 5 });
});
afterAll(() => server.close());

describe('over real HTTP', () => {
  it('books, reads free/busy and deletes through the loopback fake', async () => {
    const port = createGoogleCalendar({ auth, rootUrl: server.rootUrl, tokenUrl: server.tokenUrl });
    const id = eventId();
    await port.createEvent({ calendarId: 'primary', eventId: id, start: at(10), end: at(11), summary: 'Demo' });
    expect(await port.freeBusy({ calendarId: 'primary', timeMin: at(0), timeMax: at(24) })).toEqual([{ start: at(10), end: at(11) }]);
    expect(await port.deleteEvent({ calendarId: 'primary', eventId: id })).toEqual({ deleted: true });
    expect(server.fake.requests.map((request) => `${request.method} ${request.path}`)).toEqual([
      'POST token',
      'POST calendar/v3/calendars/primary/events',
      'POST calendar/v3/freeBusy',
      `DELETE calendar/v3/calendars/primary/events/${id}`,
    ]);
  });

  it('a refused connection is a retryable ProviderUnavailableError', async () => {
    const closed = await startFakeGoogleCalendarServer();
    await closed.close();
    const port = createGoogleCalendar({
      auth,
      rootUrl: closed.rootUrl,
      tokenUrl: closed.tokenUrl,
      retryPolicy: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1, factor: 2 },
    });
    const error = await rejection(port.freeBusy({ calendarId: 'primary', timeMin: at(0), timeMax: at(1) }));
    expect(ProviderUnavailableError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ retryable: true });
  });
});
