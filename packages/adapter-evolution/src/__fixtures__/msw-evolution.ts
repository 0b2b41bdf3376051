/**
 * The fake Evolution mounted in msw for the wire tests: one msw server per test file, listening
 * with `onUnhandledRequest: 'error'`, so a request to anything but the fake fails the test.
 */
import { http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll } from 'vitest';
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
