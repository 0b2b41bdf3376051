import { describe, expect, it } from 'vitest';
import { hashApiKey } from './auth/api-keys.js';
import { call, createTestWorld, operatorKey, type IdJson, type ItemsJson, type ProblemJson } from './__fixtures__/test-context.js';

interface CreatedTenant {
  readonly tenant: { readonly id: string; readonly followUp: { readonly firstAfter: number } };
  readonly apiKey: { readonly id: string; readonly key: string | null; readonly prefix: string };
}

describe('/v1/tenants (operator)', () => {
  it('creates a tenant with its first key, shown once and stored hashed; the key works at once', async () => {
    const w = await createTestWorld();
    const created = await call<CreatedTenant>(w.app, {
      method: 'POST',
      url: '/v1/tenants',
      key: operatorKey,
      body: { name: 'Clínica Sorriso', timeZone: 'America/Sao_Paulo', followUp: { firstAfter: '45m' } },
    });
    expect(created.status).toBe(201);
    expect(created.headers.location).toBe(`/v1/tenants/${created.body.tenant.id}`);
    expect(created.body.tenant.followUp.firstAfter).toBe(45 * 60_000);
    const key = created.body.apiKey.key ?? '';
    expect(key).toMatch(new RegExp(`^sdr_${created.body.apiKey.prefix}_[A-Za-z0-9_-]{43}$`));
    const stored = w.store.dump().apiKeys.find((apiKey) => apiKey.id === created.body.apiKey.id);
    expect(stored?.hash).toBe(hashApiKey(key));
    expect(JSON.stringify(w.store.dump())).not.toContain(key);
    expect((await call(w.app, { method: 'GET', url: '/v1/leads', key })).status).toBe(200);
  });

  it('gets, lists and replaces a tenant’s configuration', async () => {
    const w = await createTestWorld();
    const url = `/v1/tenants/${w.acme.tenant.id}`;
    expect((await call(w.app, { method: 'GET', url, key: operatorKey })).body).toMatchObject({
      name: 'Acme',
      timeZone: 'America/Sao_Paulo',
    });
    const listed = await call<ItemsJson>(w.app, { method: 'GET', url: '/v1/tenants?limit=1', key: operatorKey });
    expect(listed.body.items).toHaveLength(1);
    expect(listed.body.nextCursor).toEqual(expect.any(String));
    const replaced = await call(w.app, {
      method: 'PUT',
      url,
      key: operatorKey,
      body: { name: 'Acme Ltda', timeZone: 'Europe/Lisbon', locale: 'pt-PT' },
    });
    expect(replaced).toMatchObject({ status: 200, body: { name: 'Acme Ltda', timeZone: 'Europe/Lisbon', version: 1 } });
    const bad = await call<ProblemJson>(w.app, { method: 'PUT', url, key: operatorKey, body: { name: 'Acme', timeZone: 'Mars/Base' } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors?.map((error) => error.field)).toEqual(['body.timeZone']);
  });

  it('creates, lists and revokes further keys; a revoked key is refused at once', async () => {
    const w = await createTestWorld();
    const base = `/v1/tenants/${w.acme.tenant.id}/api-keys`;
    const created = await call<{ id: string; key: string }>(w.app, {
      method: 'POST',
      url: base,
      key: operatorKey,
      body: { name: 'import job' },
    });
    expect(created.status).toBe(201);
    const listed = await call<ItemsJson<{ name: string }>>(w.app, { method: 'GET', url: base, key: operatorKey });
    expect(listed.body.items.map((apiKey) => apiKey.name).sort()).toEqual(['import job', 'tests']);
    expect(JSON.stringify(listed.body)).not.toContain('sha256');
    expect((await call(w.app, { method: 'GET', url: '/v1/leads', key: created.body.key })).status).toBe(200);
    expect((await call(w.app, { method: 'DELETE', url: `${base}/${created.body.id}`, key: operatorKey })).status).toBe(204);
    expect((await call(w.app, { method: 'DELETE', url: `${base}/${created.body.id}`, key: operatorKey })).status).toBe(204);
    const refused = await call<ProblemJson>(w.app, { method: 'GET', url: '/v1/leads', key: created.body.key });
    expect(refused).toMatchObject({ status: 401, body: { code: 'auth_failed', detail: 'the API key was revoked' } });
    const unknown = await call(w.app, { method: 'DELETE', url: `${base}/${w.globex.apiKeyId}`, key: operatorKey });
    expect(unknown.status).toBe(404);
  });

  it('an unknown tenant is a 404', async () => {
    const w = await createTestWorld();
    const missing = await call<ProblemJson>(w.app, { method: 'GET', url: `/v1/tenants/${crypto.randomUUID()}`, key: operatorKey });
    expect(missing.body).toMatchObject({ status: 404, code: 'not_found' });
  });
});

describe('authentication', () => {
  it.each([
    ['no Authorization header', undefined],
    ['a malformed key', 'not-a-key'],
    ['an unknown prefix', `sdr_ZZZZZZZZZZZZ_${'a'.repeat(43)}`],
  ])('%s ⇒ 401 problem with WWW-Authenticate', async (_label, key) => {
    const w = await createTestWorld();
    const response = await call<ProblemJson>(w.app, { method: 'GET', url: '/v1/leads', key });
    expect(response.status).toBe(401);
    expect(response.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(response.headers['www-authenticate']).toBe('Bearer');
    expect(response.body).toMatchObject({ type: 'urn:sdr:problem:auth_failed', code: 'auth_failed', instance: '/v1/leads' });
  });

  it('a known prefix with a wrong secret ⇒ 401, the same answer as an unknown key', async () => {
    const w = await createTestWorld();
    const wrong = w.acme.key.replace(/_[^_]+$/, `_${'b'.repeat(43)}`);
    const response = await call<ProblemJson>(w.app, { method: 'GET', url: '/v1/leads', key: wrong });
    expect(response.status).toBe(401);
    expect(response.body.detail).toContain('missing, malformed or unknown');
  });

  it('a tenant key on the operator routes, and the operator key on tenant routes ⇒ 401', async () => {
    const w = await createTestWorld();
    expect((await call(w.app, { method: 'GET', url: '/v1/tenants', key: w.acme.key })).status).toBe(401);
    expect((await call(w.app, { method: 'POST', url: '/v1/tenants', key: w.acme.key, body: { name: 'x', timeZone: 'UTC' } })).status).toBe(
      401,
    );
    expect((await call(w.app, { method: 'GET', url: '/v1/leads', key: operatorKey })).status).toBe(401);
    expect(w.store.dump().tenants).toHaveLength(2);
  });

  it('tenant management is off without an operator key', async () => {
    const w = await createTestWorld({ http: { operatorKeyHash: null } });
    const response = await call<ProblemJson>(w.app, { method: 'GET', url: '/v1/tenants', key: operatorKey });
    expect(response.status).toBe(401);
    expect(response.body.detail).toContain('disabled');
  });

  it('records a key’s use, at most once a minute', async () => {
    const w = await createTestWorld();
    const lastUsed = () =>
      w.store
        .dump()
        .apiKeys.find((apiKey) => apiKey.id === w.acme.apiKeyId)
        ?.lastUsedAt?.toISOString();
    await call(w.app, { method: 'GET', url: '/v1/leads', key: w.acme.key });
    expect(lastUsed()).toBe('2026-03-02T12:00:00.000Z');
    await w.clock.advance(30_000);
    await call(w.app, { method: 'GET', url: '/v1/leads', key: w.acme.key });
    expect(lastUsed()).toBe('2026-03-02T12:00:00.000Z');
    await w.clock.advance(31_000);
    await call(w.app, { method: 'GET', url: '/v1/leads', key: w.acme.key });
    expect(lastUsed()).toBe('2026-03-02T12:01:01.000Z');
  });
});

describe('rate limiting', () => {
  it('refuses a key past its per-minute budget with 429 and Retry-After, other keys unaffected, then lets it through again', async () => {
    const w = await createTestWorld({ http: { rateLimitPerMinute: 3 } });
    for (let index = 0; index < 3; index += 1)
      expect((await call(w.app, { method: 'GET', url: '/v1/leads', key: w.acme.key })).status).toBe(200);
    const limited = await call<ProblemJson>(w.app, { method: 'GET', url: '/v1/leads', key: w.acme.key });
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBe('20');
    expect(limited.body).toMatchObject({ code: 'rate_limited', retryAfterMs: 20_000 });
    expect((await call(w.app, { method: 'GET', url: '/v1/leads', key: w.globex.key })).status).toBe(200);
    await w.clock.advance(20_000);
    expect((await call(w.app, { method: 'GET', url: '/v1/leads', key: w.acme.key })).status).toBe(200);
  });
});

describe('request ids', () => {
  it('echoes a sane x-request-id, replaces an unsafe one, and puts it in problems', async () => {
    const w = await createTestWorld();
    const echoed = await call<ProblemJson>(w.app, { method: 'GET', url: '/v1/leads', headers: { 'x-request-id': 'req-123' } });
    expect(echoed.headers['x-request-id']).toBe('req-123');
    expect(echoed.body.requestId).toBe('req-123');
    const replaced = await call<IdJson>(w.app, {
      method: 'GET',
      url: '/v1/leads',
      key: w.acme.key,
      headers: { 'x-request-id': 'bad id\u00e9' },
    });
    expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});
