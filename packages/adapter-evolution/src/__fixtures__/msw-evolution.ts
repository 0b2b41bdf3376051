/**
 * The fake Evolution mounted in msw for the wire tests: one msw server per test file, listening
 * with `onUnhandledRequest: 'error'`, so a request to anything but the fake fails the test.
 */
import { randomUUID } from 'node:crypto';
import { PhoneNumber, type SendTextInput } from '@sdr/core';
import { http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { createEvolutionMessaging, type EvolutionMessaging, type EvolutionMessagingOptions } from '../evolution-messaging.js';
import { createFakeEvolution, type FakeEvolution, type FakeEvolutionOptions } from '../testing/index.js';

/** Starts msw for the file with a fake Evolution behind it; the fake is reset after each test. */
export function useFakeEvolution(options: FakeEvolutionOptions = {}): FakeEvolution {
  const fake = createFakeEvolution(options);
  const server = setupServer(http.all(`${fake.baseUrl}/*`, ({ request }) => fake.handle(request)));
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => fake.reset());
  afterAll(() => server.close());
  return fake;
}

/** The requests of one operation (`sendText`), as the fake received them on the wire. */
export function requestsTo(fake: FakeEvolution, operation: string): FakeEvolution['requests'] {
  return fake.requests.filter((request) => request.path.split('/')[2] === operation);
}

/** The error `promise` rejects with; fails the test when it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.fail('expected the call to reject'),
    (error: unknown) => error,
  );
}

/** A port on instance `acme` of the fake, with quick lookups; tests that wait out a timeout set a short one. */
export function portOn(fake: FakeEvolution, overrides: Partial<EvolutionMessagingOptions> = {}): EvolutionMessaging {
  return createEvolutionMessaging({
    baseUrl: fake.baseUrl,
    apiKey: fake.apiKey,
    instance: 'acme',
    requestTimeoutMs: 5_000,
    sendLookup: { attempts: 2, delayMs: 1 },
    ...overrides,
  });
}

/** A text to Ana from instance `acme`, with a fresh idempotency key. */
export function textToAna(text: string, overrides: Partial<SendTextInput> = {}): SendTextInput {
  return { instance: 'acme', to: PhoneNumber.parse('+55 11 98765-4321'), text, idempotencyKey: randomUUID(), ...overrides };
}
