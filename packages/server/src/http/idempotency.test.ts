import { describe, expect, it } from 'vitest';
import { sha256Hex } from './auth/api-keys.js';
import { billingItem } from './__fixtures__/api-scenario.js';
import { call, createTestWorld, operatorKey, type IdJson, type ProblemJson } from './__fixtures__/test-context.js';
import { idempotencyLeaseMs, idempotencyTtlMs } from './idempotency.js';

const keyed = (key: string) => ({ 'idempotency-key': key });

describe('Idempotency-Key', () => {
  it('the same key and body replay the stored status and body, marked as a replay, without executing again', async () => {
    const w = await createTestWorld();
    const request = {
      method: 'POST',
      url: '/v1/leads',
      key: w.acme.key,
      body: { phone: '+5511987654321' },
      headers: keyed('k-1'),
    } as const;
    const first = await call<IdJson>(w.app, request);
    expect(first.status).toBe(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    // Whatever happens in between, the replay is the first response.
    await call(w.app, { method: 'PATCH', url: `/v1/leads/${first.body.id}`, key: w.acme.key, body: { name: 'Renamed' } });
    const again = await call<IdJson>(w.app, request);
    expect(again.status).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(again.body).toEqual(first.body);
    expect(w.store.dump().leads).toHaveLength(1);
  });

  it('the same key with another body is a 409 and executes nothing', async () => {
    const w = await createTestWorld();
    await call(w.app, { method: 'POST', url: '/v1/leads', key: w.acme.key, body: { phone: '+5511987654321' }, headers: keyed('k-1') });
    const other = await call<ProblemJson>(w.app, {
      method: 'POST',
      url: '/v1/leads',
      key: w.acme.key,
      body: { phone: '+5511900000001' },
      headers: keyed('k-1'),
    });
    expect(other.status).toBe(409);
    expect(other.body.detail).toContain('another request');
    expect(w.store.dump().leads).toHaveLength(1);
  });

  it('keys are scoped per tenant: another tenant may use the same key', async () => {
    const w = await createTestWorld();
    const body = { phone: '+5511987654321' };
    expect((await call(w.app, { method: 'POST', url: '/v1/leads', key: w.acme.key, body, headers: keyed('shared') })).status).toBe(201);
    const other = await call(w.app, { method: 'POST', url: '/v1/leads', key: w.globex.key, body, headers: keyed('shared') });
    expect(other.status).toBe(201);
    expect(other.headers['idempotent-replayed']).toBeUndefined();
  });

  it('a request whose key is being executed gets a 409 to retry, and executes nothing', async () => {
    const w = await createTestWorld();
    const held = await w.lock.acquire(`idempotency:${w.acme.tenant.id}:${sha256Hex('busy')}`, { ttlMs: idempotencyLeaseMs });
    const busy = await call<ProblemJson>(w.app, {
      method: 'POST',
      url: '/v1/leads',
      key: w.acme.key,
      body: { phone: '+5511987654321' },
      headers: keyed('busy'),
    });
    expect(busy.status).toBe(409);
    expect(busy.body.detail).toContain('still being processed');
    expect(w.store.dump().leads).toHaveLength(0);
    if (held) await w.lock.release(held);
  });

  it('concurrent duplicates execute once', async () => {
    const w = await createTestWorld();
    const request = {
      method: 'POST',
      url: '/v1/billing/imports',
      key: w.acme.key,
      body: { items: [billingItem('INV-1')] },
      headers: keyed('batch-1'),
    } as const;
    const responses = await Promise.all([call(w.app, request), call(w.app, request), call(w.app, request)]);
    const executed = responses.filter((response) => response.status === 201 && response.headers['idempotent-replayed'] === undefined);
    expect(executed).toHaveLength(1);
    for (const response of responses) expect([201, 409]).toContain(response.status);
    expect(w.store.dump().billingCycles).toHaveLength(1);
    const later = await call(w.app, request);
    expect(later).toMatchObject({ status: 201, headers: { 'idempotent-replayed': 'true' } });
  });

  it('stores outcomes the client caused (4xx) but not rate limits or server errors; keys expire', async () => {
    const w = await createTestWorld();
    const bad = { method: 'POST', url: '/v1/leads', key: w.acme.key, body: { phone: 'not a phone' }, headers: keyed('k-bad') } as const;
    expect((await call(w.app, bad)).status).toBe(400);
    expect((await call(w.app, bad)).headers['idempotent-replayed']).toBe('true');
    expect(w.store.dump().idempotencyKeys).toHaveLength(1);
    await w.clock.advance(idempotencyTtlMs + 1000);
    const fresh = await call(w.app, bad);
    expect(fresh.headers['idempotent-replayed']).toBeUndefined();
  });

  it('an invalid key is a 400 naming the header', async () => {
    const w = await createTestWorld();
    const response = await call<ProblemJson>(w.app, {
      method: 'POST',
      url: '/v1/leads',
      key: w.acme.key,
      body: { phone: '+5511987654321' },
      headers: keyed('x'.repeat(300)),
    });
    expect(response.status).toBe(400);
    expect(response.body.errors?.[0]?.field).toBe('headers.idempotency-key');
    expect(w.store.dump().leads).toHaveLength(0);
  });

  it('creating a tenant twice with one key creates it once; the replay does not show the key again', async () => {
    const w = await createTestWorld();
    const request = {
      method: 'POST',
      url: '/v1/tenants',
      key: operatorKey,
      body: { name: 'Initech', timeZone: 'UTC' },
      headers: keyed('t-1'),
    } as const;
    const first = await call<{ tenant: IdJson; apiKey: { key: string | null; prefix: string } }>(w.app, request);
    expect(first.status).toBe(201);
    expect(first.body.apiKey.key).toMatch(/^sdr_/);
    const again = await call<{ tenant: IdJson; apiKey: { key: string | null; prefix: string } }>(w.app, request);
    expect(again).toMatchObject({ status: 201, headers: { 'idempotent-replayed': 'true' } });
    expect(again.body.tenant.id).toBe(first.body.tenant.id);
    expect(again.body.apiKey).toEqual({ ...first.body.apiKey, key: null });
    expect(w.store.dump().tenants).toHaveLength(3);
    expect(JSON.stringify(w.store.dump().idempotencyKeys)).not.toContain(first.body.apiKey.key ?? 'never');
    const otherBody = await call(w.app, { ...request, body: { name: 'Initech 2', timeZone: 'UTC' } });
    expect(otherBody.status).toBe(409);
  });
});
