/**
 * The fake Google Calendar mounted in msw for the wire tests: one msw server per test file,
 * listening with `onUnhandledRequest: 'error'`, so a request to anything but the fake fails.
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '@sdr/core';
import { http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { createGoogleCalendar, type GoogleCalendar, type GoogleCalendarOptions } from '../google-calendar.js';
import { createFakeGoogleCalendar, type FakeGoogleCalendar, type FakeGoogleCalendarOptions } from '../testing/index.js';

/** Starts msw for the file with a fake Google behind it (API and token endpoint); reset after each test. */
export function useFakeGoogle(options: FakeGoogleCalendarOptions = {}): FakeGoogleCalendar {
  const fake = createFakeGoogleCalendar(options);
  const server = setupServer(
    http.all(`${fake.rootUrl}*`, ({ request }) => fake.handle(request)),
    http.post(fake.tokenUrl, ({ request }) => fake.handle(request)),
  );
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => fake.reset());
  afterAll(() => server.close());
  return fake;
}

/** A port on the fake with OAuth, quick retries and a short timeout. */
export function portOn(fake: FakeGoogleCalendar, overrides: Partial<GoogleCalendarOptions> = {}): GoogleCalendar {
  return createGoogleCalendar({
    auth: { type: 'oauth', clientId: 'client-1', clientSecret: 'client-secret-1', refreshToken: 'refresh-token-1' },
    rootUrl: fake.rootUrl,
    tokenUrl: fake.tokenUrl,
    requestTimeoutMs: 2_000,
    retryPolicy: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5, factor: 2 },
    ...overrides,
  });
}

/** The requests of one kind, as the fake received them. */
export function requestsTo(fake: FakeGoogleCalendar, method: string, pathSuffix: string): FakeGoogleCalendar['requests'] {
  return fake.requests.filter((request) => request.method === method && request.path.endsWith(pathSuffix));
}

/** The error `promise` rejects with; fails the test when it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.fail('expected the call to reject'),
    (error: unknown) => error,
  );
}

/** A clock whose sleeps return at once and are recorded, so backoffs are asserted, not waited. */
export function recordingClock(): Clock & { readonly sleeps: number[] } {
  const sleeps: number[] = [];
  return {
    contractVersion: 'v1',
    sleeps,
    now: () => new Date(),
    sleep: (ms: number) => {
      sleeps.push(ms);
      return Promise.resolve();
    },
  };
}

/** A random event id in Google's alphabet (a UUID's 32 hex digits, as bookings use). */
export function eventId(): string {
  return randomUUID().replace(/-/g, '');
}

/** Whole hours from a fixed day far ahead. */
export function at(hours: number): Date {
  return new Date(Date.UTC(2041, 2, 4) + hours * 3_600_000);
}
