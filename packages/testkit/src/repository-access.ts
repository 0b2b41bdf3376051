/**
 * Repository tests: what the API keeps about its callers — API keys, OAuth tokens, inbound
 * dedupe and `Idempotency-Key` records.
 */
import { randomUUID } from 'node:crypto';
import { ConflictError, DuplicateError, VersionConflictError, type IdempotentResponse } from '@sdr/core';
import { describe, expect, it } from 'vitest';
import { buildApiKey, buildOAuthToken } from './fixtures.js';
import { expectSdrError } from './harness.js';
import type { RepositoryConformanceOptions, StoreSetup, StoreSubject } from './repository-context.js';

const T0 = new Date('2031-08-01T12:00:00.000Z');
const minute = 60_000;

function at(ms: number): Date {
  return new Date(T0.getTime() + ms);
}

export function registerAccessTests<Subject extends StoreSubject>(
  setup: StoreSetup<Subject>,
  options: RepositoryConformanceOptions<Subject>,
): void {
  describe('API keys', () => {
    it(
      'create round-trips a key; findByPrefix finds it from any tenant; a taken prefix (in any tenant) or id is a DuplicateError',
      async () => {
        const { store, tenantId, newTenant } = await setup();
        const key = buildApiKey({ tenantId, scopes: ['leads:read', 'billing:write'], createdAt: T0 });
        expect(await store.apiKeys.create(key)).toEqual(key);
        expect(await store.apiKeys.findByPrefix(key.prefix)).toEqual(key);
        expect(await store.apiKeys.findByPrefix('sdr_unknown000')).toBeNull();
        const other = (await newTenant()).id;
        await expectSdrError(store.apiKeys.create(buildApiKey({ tenantId: other, prefix: key.prefix })), DuplicateError);
        await expectSdrError(store.apiKeys.create(buildApiKey({ tenantId, id: key.id })), DuplicateError);
      },
      options.timeoutMs,
    );

    it(
      'list is per tenant, newest first; revoke and touch act within the tenant only',
      async () => {
        const { store, tenantId, newTenant } = await setup();
        const older = await store.apiKeys.create(buildApiKey({ tenantId, createdAt: T0 }));
        const newer = await store.apiKeys.create(buildApiKey({ tenantId, createdAt: at(minute) }));
        expect((await store.apiKeys.list(tenantId)).map((key) => key.id)).toEqual([newer.id, older.id]);
        const other = (await newTenant()).id;
        expect(await store.apiKeys.list(other)).toEqual([]);
        expect(await store.apiKeys.revoke({ tenantId: other, id: older.id, now: at(2 * minute) })).toBe(false);
        expect(await store.apiKeys.touch({ tenantId: other, id: older.id, now: at(2 * minute) })).toBe(false);
        expect(await store.apiKeys.touch({ tenantId, id: older.id, now: at(3 * minute) })).toBe(true);
        expect(await store.apiKeys.revoke({ tenantId, id: older.id, now: at(4 * minute) })).toBe(true);
        expect(await store.apiKeys.revoke({ tenantId, id: older.id, now: at(5 * minute) })).toBe(false);
        const stored = await store.apiKeys.findByPrefix(older.prefix);
        expect(stored?.lastUsedAt?.getTime()).toBe(at(3 * minute).getTime());
        expect(stored?.revokedAt?.getTime()).toBe(at(4 * minute).getTime());
        expect((await store.apiKeys.findByPrefix(newer.prefix))?.revokedAt).toBeNull();
      },
      options.timeoutMs,
    );
  });

  describe('OAuth tokens', () => {
    it(
      'put inserts at version 0, then replaces optimistically; a stale version or a second insert is a VersionConflictError; per tenant',
      async () => {
        const { store, tenantId, newTenant } = await setup();
        expect(await store.oauthTokens.get(tenantId, 'kommo')).toBeNull();
        const token = buildOAuthToken({ tenantId, expiresAt: at(60 * minute), updatedAt: T0 });
        const inserted = await store.oauthTokens.put(token);
        expect(inserted).toEqual({ ...token, version: 0 });
        expect(await store.oauthTokens.get(tenantId, 'kommo')).toEqual(inserted);
        const refreshed = await store.oauthTokens.put({ ...inserted, ciphertext: 'bmV3', updatedAt: at(minute) });
        expect(refreshed).toMatchObject({ ciphertext: 'bmV3', version: 1 });
        await expectSdrError(store.oauthTokens.put({ ...inserted, ciphertext: 'c3RhbGU=' }), VersionConflictError);
        await expectSdrError(store.oauthTokens.put(buildOAuthToken({ tenantId })), VersionConflictError);
        expect(await store.oauthTokens.get(tenantId, 'kommo')).toEqual(refreshed);
        expect(await store.oauthTokens.get(tenantId, 'googleCalendar')).toBeNull();
        expect(await store.oauthTokens.get((await newTenant()).id, 'kommo')).toBeNull();
      },
      options.timeoutMs,
    );
  });

  describe('inbound dedupe', () => {
    it(
      'remember answers true the first time and false for a re-delivery, per tenant and source, until the TTL passes',
      async () => {
        const { store, tenantId, newTenant } = await setup();
        const event = { tenantId, source: 'evolution:sales', eventId: `wamid-${randomUUID()}`, ttlMs: 60 * minute };
        expect(await store.inboundDedupe.remember({ ...event, now: T0 })).toBe(true);
        expect(await store.inboundDedupe.remember({ ...event, now: at(minute) })).toBe(false);
        expect(await store.inboundDedupe.remember({ ...event, source: 'kommo', now: at(minute) })).toBe(true);
        expect(await store.inboundDedupe.remember({ ...event, tenantId: (await newTenant()).id, now: at(minute) })).toBe(true);
        expect(await store.inboundDedupe.remember({ ...event, now: at(61 * minute) })).toBe(true);
        expect(await store.inboundDedupe.purgeExpired({ now: at(200 * minute) })).toBeGreaterThanOrEqual(3);
        expect(await store.inboundDedupe.remember({ ...event, now: at(201 * minute) })).toBe(true);
      },
      options.timeoutMs,
    );

    it(
      'concurrent deliveries of one event: exactly one remember answers true',
      async () => {
        const { store, tenantId } = await setup();
        const event = { tenantId, source: 'evolution:sales', eventId: `wamid-${randomUUID()}`, ttlMs: 60 * minute, now: T0 };
        const answers = await Promise.all(Array.from({ length: 10 }, () => store.inboundDedupe.remember(event)));
        expect(answers.filter(Boolean)).toHaveLength(1);
      },
      options.timeoutMs,
    );
  });

  describe('Idempotency-Key records', () => {
    const response: IdempotentResponse = { status: 201, body: { id: 'lead-1', ok: true }, headers: { location: '/v1/leads/lead-1' } };

    it(
      'save then lookup replays the response for the same request; another request with the key is a ConflictError; per tenant',
      async () => {
        const { store, tenantId, newTenant } = await setup();
        const key = `key-${randomUUID()}`;
        const request = { tenantId, key, requestHash: 'hash-a', now: T0 };
        expect(await store.idempotencyKeys.lookup(request)).toBeNull();
        expect(await store.idempotencyKeys.save({ ...request, response, ttlMs: 60 * minute })).toEqual({ response, created: true });
        expect(await store.idempotencyKeys.lookup({ ...request, now: at(minute) })).toEqual(response);
        await expectSdrError(store.idempotencyKeys.lookup({ ...request, requestHash: 'hash-b' }), ConflictError);
        const again = await store.idempotencyKeys.save({
          ...request,
          response: { status: 500, body: null, headers: {} },
          ttlMs: 60 * minute,
        });
        expect(again).toEqual({ response, created: false });
        await expectSdrError(
          store.idempotencyKeys.save({ ...request, requestHash: 'hash-b', response, ttlMs: 60 * minute }),
          ConflictError,
        );
        expect(await store.idempotencyKeys.lookup({ ...request, tenantId: (await newTenant()).id })).toBeNull();
      },
      options.timeoutMs,
    );

    it(
      'an expired record is gone: lookup answers null and save stores the new request; purgeExpired forgets it',
      async () => {
        const { store, tenantId } = await setup();
        const key = `key-${randomUUID()}`;
        await store.idempotencyKeys.save({ tenantId, key, requestHash: 'hash-a', response, now: T0, ttlMs: minute });
        expect(await store.idempotencyKeys.lookup({ tenantId, key, requestHash: 'hash-b', now: at(minute) })).toBeNull();
        const replaced = await store.idempotencyKeys.save({
          tenantId,
          key,
          requestHash: 'hash-b',
          response,
          now: at(minute),
          ttlMs: minute,
        });
        expect(replaced.created).toBe(true);
        expect(await store.idempotencyKeys.purgeExpired({ now: at(10 * minute) })).toBeGreaterThanOrEqual(1);
        expect(await store.idempotencyKeys.lookup({ tenantId, key, requestHash: 'hash-b', now: at(minute) })).toBeNull();
      },
      options.timeoutMs,
    );

    it(
      'concurrent saves of one key for the same request: exactly one created, all return the stored response',
      async () => {
        const { store, tenantId } = await setup();
        const key = `key-${randomUUID()}`;
        const results = await Promise.all(
          Array.from({ length: 8 }, (_, index) =>
            store.idempotencyKeys.save({
              tenantId,
              key,
              requestHash: 'hash-a',
              response: { ...response, body: { attempt: index } },
              now: T0,
              ttlMs: 60 * minute,
            }),
          ),
        );
        expect(results.filter((result) => result.created)).toHaveLength(1);
        expect(new Set(results.map((result) => JSON.stringify(result.response))).size).toBe(1);
      },
      options.timeoutMs,
    );
  });
}
