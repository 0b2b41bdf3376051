/**
 * In-memory repositories of the API's callers: API keys (prefix unique across tenants), OAuth
 * tokens (optimistic, like sync states), inbound dedupe and `Idempotency-Key` records (first
 * write wins, records expire).
 */
import { ConflictError, DuplicateError, VersionConflictError, ValidationError } from '../../errors/index.js';
import { apiKeySchema, idempotentResponseSchema, oauthTokenSchema } from '../../domain/model/access.js';
import { parseOrThrow } from '../../domain/model/parse.js';
import type {
  ApiKeyRepository,
  IdempotencyKeyRepository,
  InboundDedupeRepository,
  OAuthTokenRepository,
} from '../../ports/repositories/access-repositories.js';
import { cloneOrNull, cloneValue } from '../../internal/clone.js';
import { assertNewId, findScoped, rowsOf } from './rows.js';
import type { StoreRuntime } from './store-runtime.js';

/** The API-key repository over `runtime`. */
export function createApiKeyRepository(runtime: StoreRuntime): ApiKeyRepository {
  const change = (operation: string, input: { readonly tenantId: string; readonly id: string; readonly now: Date }, revoke: boolean) =>
    runtime.write(operation, (unit) => {
      const table = unit.table('apiKeys');
      const stored = findScoped(table, input.tenantId, input.id);
      if (stored === undefined || (revoke && stored.revokedAt !== null)) return false;
      const at = new Date(input.now.getTime());
      table.set(stored.id, revoke ? { ...stored, revokedAt: at } : { ...stored, lastUsedAt: at });
      return true;
    });

  return {
    create: (key) =>
      runtime.write('apiKeys.create', (unit) => {
        const row = parseOrThrow(apiKeySchema, key, 'apiKey');
        const table = unit.table('apiKeys');
        assertNewId(table, row.id, 'API key');
        if (table.values().some((other) => other.prefix === row.prefix)) throw new DuplicateError('API key', 'prefix');
        table.set(row.id, row);
        return cloneValue(row);
      }),
    findByPrefix: (prefix) =>
      runtime.read('apiKeys.findByPrefix', (unit) =>
        cloneOrNull(
          unit
            .table('apiKeys')
            .values()
            .find((key) => key.prefix === prefix),
        ),
      ),
    list: (tenantId) =>
      runtime.read('apiKeys.list', (unit) =>
        rowsOf(unit.table('apiKeys'), tenantId)
          .reverse()
          .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())
          .map(cloneValue),
      ),
    revoke: (input) => change('apiKeys.revoke', input, true),
    touch: (input) => change('apiKeys.touch', input, false),
  };
}

/** The OAuth-token repository over `runtime`. */
export function createOAuthTokenRepository(runtime: StoreRuntime): OAuthTokenRepository {
  const keyOf = (tenantId: string, provider: string) => `${tenantId}\u0000${provider}`;
  return {
    get: (tenantId, provider) =>
      runtime.read('oauthTokens.get', (unit) => cloneOrNull(unit.table('oauthTokens').get(keyOf(tenantId, provider)))),
    put: (token) =>
      runtime.write('oauthTokens.put', (unit) => {
        const row = parseOrThrow(oauthTokenSchema, token, 'oauthToken');
        const table = unit.table('oauthTokens');
        const key = keyOf(row.tenantId, row.provider);
        const stored = table.get(key);
        if (stored !== undefined && stored.version !== row.version)
          throw new VersionConflictError('OAuth token', row.provider, row.version);
        const next = { ...row, version: stored === undefined ? 0 : stored.version + 1 };
        table.set(key, next);
        return cloneValue(next);
      }),
  };
}

/** The inbound-dedupe repository over `runtime`. */
export function createInboundDedupeRepository(runtime: StoreRuntime): InboundDedupeRepository {
  return {
    remember: (input) =>
      runtime.write('inboundDedupe.remember', (unit) => {
        assertTtl(input.ttlMs);
        const table = unit.table('inboundEvents');
        const key = `${input.tenantId}\u0000${input.source}\u0000${input.eventId}`;
        const stored = table.get(key);
        const now = input.now.getTime();
        if (stored !== undefined && stored.expiresAt.getTime() > now) return false;
        table.set(key, {
          tenantId: input.tenantId,
          source: input.source,
          eventId: input.eventId,
          receivedAt: new Date(now),
          expiresAt: new Date(now + input.ttlMs),
        });
        return true;
      }),
    purgeExpired: (input) => runtime.write('inboundDedupe.purgeExpired', (unit) => purge(unit.table('inboundEvents'), input.now)),
  };
}

/** The `Idempotency-Key` repository over `runtime`. */
export function createIdempotencyKeyRepository(runtime: StoreRuntime): IdempotencyKeyRepository {
  const keyOf = (tenantId: string, key: string) => `${tenantId}\u0000${key}`;
  return {
    lookup: (input) =>
      runtime.read('idempotencyKeys.lookup', (unit) => {
        const stored = unit.table('idempotencyKeys').get(keyOf(input.tenantId, input.key));
        if (stored === undefined || stored.expiresAt.getTime() <= input.now.getTime()) return null;
        if (stored.requestHash !== input.requestHash) throw reusedKey();
        return cloneValue(stored.response);
      }),
    save: (input) =>
      runtime.write('idempotencyKeys.save', (unit) => {
        assertTtl(input.ttlMs);
        const response = parseOrThrow(idempotentResponseSchema, input.response, 'response');
        const table = unit.table('idempotencyKeys');
        const key = keyOf(input.tenantId, input.key);
        const stored = table.get(key);
        const now = input.now.getTime();
        if (stored !== undefined && stored.expiresAt.getTime() > now) {
          if (stored.requestHash !== input.requestHash) throw reusedKey();
          return { response: cloneValue(stored.response), created: false };
        }
        table.set(key, {
          tenantId: input.tenantId,
          key: input.key,
          requestHash: input.requestHash,
          response,
          createdAt: new Date(now),
          expiresAt: new Date(now + input.ttlMs),
        });
        return { response: cloneValue(response), created: true };
      }),
    purgeExpired: (input) => runtime.write('idempotencyKeys.purgeExpired', (unit) => purge(unit.table('idempotencyKeys'), input.now)),
  };
}

function purge(table: { entries(): Iterable<[string, { readonly expiresAt: Date }]>; delete(key: string): unknown }, now: Date): number {
  const expired = [...table.entries()].filter(([, row]) => row.expiresAt.getTime() <= now.getTime()).map(([key]) => key);
  for (const key of expired) table.delete(key);
  return expired.length;
}

function reusedKey(): ConflictError {
  return new ConflictError('this Idempotency-Key was already used for a different request');
}

function assertTtl(ttlMs: number): void {
  if (!Number.isInteger(ttlMs) || ttlMs <= 0) throw ValidationError.forField('ttlMs', 'must be a positive whole number of milliseconds');
}
