/**
 * The fake Kommo mounted in msw for the wire tests: one msw server per test file, listening with
 * `onUnhandledRequest: 'error'`, so a request to anything but the fake fails the test.
 */
import type { RateLimiter } from '@sdr/core';
import { http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { createKommoCrm, type KommoCrm, type KommoCrmOptions } from '../kommo-crm.js';
import { createFakeKommo, type FakeKommo, type FakeKommoOptions } from '../testing/index.js';

/** Starts msw for the file with a fake Kommo behind it; the fake is reset after each test. */
export function useFakeKommo(options: FakeKommoOptions = {}): FakeKommo {
  const fake = createFakeKommo(options);
  const server = setupServer(http.all(`${fake.baseUrl}/*`, ({ request }) => fake.handle(request)));
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => fake.reset());
  afterAll(() => server.close());
  return fake;
}

/** Grants every request at once: for tests about something else than pacing (those that prove it bring their own limiter). */
export const unlimitedRateLimiter: RateLimiter = {
  contractVersion: 'v1',
  provider: 'unlimited',
  consume: () => Promise.resolve({ allowed: true, retryAfterMs: 0, remaining: 1 }),
};

/** A CRM on the fake with a long-lived token and no pacing (tests that prove pacing set their own limiter). */
export function crmOn(fake: FakeKommo, overrides: Partial<KommoCrmOptions> = {}): KommoCrm {
  return createKommoCrm({
    subdomain: 'acme',
    baseUrl: fake.baseUrl,
    auth: { type: 'long_lived', token: fake.token },
    rateLimiter: unlimitedRateLimiter,
    requestTimeoutMs: 5_000,
    ...overrides,
  });
}

/** The requests of one operation, as the fake received them. */
export function requestsTo(fake: FakeKommo, operation: string): FakeKommo['requests'] {
  return fake.requests.filter((request) => request.operation === operation);
}

/** The error `promise` rejects with; fails the test when it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.fail('expected the call to reject'),
    (error: unknown) => error,
  );
}
