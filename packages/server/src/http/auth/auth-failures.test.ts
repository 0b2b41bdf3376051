/**
 * Guessing API keys is slowed per client address: after `authFailuresPerMinute` refused keys,
 * the address gets 429 with Retry-After — even for a valid key, so a guess that happens to be
 * right teaches nothing while blocked — until the failures have drained; other addresses are
 * not affected.
 */
import { describe, expect, it } from 'vitest';
import { createTestWorld, operatorKey, type TestWorld } from '../__fixtures__/test-context.js';
import { authFailuresPerMinute } from './auth-failures.js';

async function get(world: TestWorld, input: { readonly key: string; readonly from: string; readonly url?: string }) {
  const response = await world.app.inject({
    method: 'GET',
    url: input.url ?? '/v1/leads',
    remoteAddress: input.from,
    headers: { authorization: `Bearer ${input.key}` },
  });
  return { status: response.statusCode, retryAfter: response.headers['retry-after'], code: response.json<{ code?: string }>().code };
}

describe('refused API keys per client address', () => {
  it(`answers 429 with Retry-After after ${authFailuresPerMinute} refused keys, to that address only, until they drain`, async () => {
    const world = await createTestWorld();
    const guesser = '203.0.113.7';
    const statuses: number[] = [];
    for (let attempt = 0; attempt < authFailuresPerMinute; attempt += 1) {
      statuses.push((await get(world, { key: `sdr_guess_${String(attempt)}`, from: guesser })).status);
    }
    expect(new Set(statuses)).toEqual(new Set([401]));

    const limited = await get(world, { key: 'sdr_guess_again', from: guesser });
    expect(limited).toMatchObject({ status: 429, code: 'rate_limited' });
    expect(Number(limited.retryAfter)).toBeGreaterThanOrEqual(1);
    // Blocked: even the right key is not checked from there.
    expect((await get(world, { key: world.acme.key, from: guesser })).status).toBe(429);
    // Neither are the operator routes.
    expect((await get(world, { key: 'wrong-operator-key', from: guesser, url: '/v1/tenants' })).status).toBe(429);
    // Another address is unaffected.
    expect((await get(world, { key: 'sdr_guess_elsewhere', from: '198.51.100.9' })).status).toBe(401);
    expect((await get(world, { key: world.acme.key, from: '198.51.100.9' })).status).toBe(200);
    expect((await get(world, { key: operatorKey, from: '198.51.100.9', url: '/v1/tenants' })).status).toBe(200);

    await world.clock.advance(Number(limited.retryAfter) * 1000);
    expect((await get(world, { key: world.acme.key, from: guesser })).status).toBe(200);
  });
});
