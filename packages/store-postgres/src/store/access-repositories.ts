/**
 * PostgreSQL repositories of the API's callers. Each operation is one statement:
 * - API keys: the prefix is unique across tenants (`api_keys_prefix_key`);
 * - OAuth tokens and `Idempotency-Key` records: upserts whose `WHERE` decides who wins;
 * - inbound dedupe: `INSERT … ON CONFLICT DO UPDATE … WHERE expired` — one row, one winner.
 */
import {
  ConflictError,
  SdrError,
  ValidationError,
  VersionConflictError,
  apiKeySchema,
  idempotentResponseSchema,
  oauthTokenSchema,
  parseOrThrow,
  type ApiKey,
  type ApiKeyRepository,
  type IdempotencyKeyRepository,
  type IdempotentResponse,
  type InboundDedupeRepository,
  type OAuthToken,
  type OAuthTokenRepository,
} from '@sdr/core';
import type { Row } from '../database/database.js';
import { instant, instantOrNull, isUuid, json, toDate, toDateOrNull, toInteger } from './sql-values.js';
import type { StoreContext } from './store-context.js';

/** The API-key repository over `context`. */
export function createApiKeyRepository(context: StoreContext): ApiKeyRepository {
  const table = `${context.schema}.api_keys`;
  return {
    async create(key) {
      const parsed = parseOrThrow(apiKeySchema, key, 'apiKey');
      const [row] = await context.exec.write(
        'apiKeys.create',
        `INSERT INTO ${table} (id, tenant_id, name, prefix, key_hash, scopes, created_at, last_used_at, revoked_at)
         VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::timestamptz, $8::timestamptz, $9::timestamptz) RETURNING *`,
        [
          parsed.id,
          parsed.tenantId,
          parsed.name,
          parsed.prefix,
          parsed.hash,
          json(parsed.scopes),
          instant(parsed.createdAt),
          instantOrNull(parsed.lastUsedAt),
          instantOrNull(parsed.revokedAt),
        ],
      );
      return toApiKey(row ?? {});
    },

    // Deliberately not tenant-scoped: the presented key is what tells the tenant.
    async findByPrefix(prefix) {
      const [row] = await context.exec.query('apiKeys.findByPrefix', `SELECT * FROM ${table} WHERE prefix = $1`, [prefix]);
      return row ? toApiKey(row) : null;
    },

    async list(tenantId) {
      if (!isUuid(tenantId)) return [];
      const rows = await context.exec.query('apiKeys.list', `SELECT * FROM ${table} WHERE tenant_id = $1 ORDER BY created_at DESC, id`, [
        tenantId,
      ]);
      return rows.map(toApiKey);
    },

    async revoke(input) {
      if (!isUuid(input.tenantId) || !isUuid(input.id)) return false;
      const rows = await context.exec.write(
        'apiKeys.revoke',
        `UPDATE ${table} SET revoked_at = $3::timestamptz WHERE tenant_id = $1 AND id = $2 AND revoked_at IS NULL RETURNING id`,
        [input.tenantId, input.id, instant(input.now)],
      );
      return rows.length > 0;
    },

    async touch(input) {
      if (!isUuid(input.tenantId) || !isUuid(input.id)) return false;
      const rows = await context.exec.write(
        'apiKeys.touch',
        `UPDATE ${table} SET last_used_at = $3::timestamptz WHERE tenant_id = $1 AND id = $2 RETURNING id`,
        [input.tenantId, input.id, instant(input.now)],
      );
      return rows.length > 0;
    },
  };
}

/** The OAuth-token repository over `context`. */
export function createOAuthTokenRepository(context: StoreContext): OAuthTokenRepository {
  const table = `${context.schema}.oauth_tokens`;
  return {
    async get(tenantId, provider) {
      if (!isUuid(tenantId)) return null;
      const [row] = await context.exec.query('oauthTokens.get', `SELECT * FROM ${table} WHERE tenant_id = $1 AND provider = $2`, [
        tenantId,
        provider,
      ]);
      return row ? toOAuthToken(row) : null;
    },

    async put(token) {
      const parsed = parseOrThrow(oauthTokenSchema, token, 'oauthToken');
      const [row] = await context.exec.write(
        'oauthTokens.put',
        `INSERT INTO ${table} AS stored (tenant_id, provider, ciphertext, expires_at, updated_at, version)
         VALUES ($1, $2, $3, $4::timestamptz, $5::timestamptz, 0)
         ON CONFLICT (tenant_id, provider) DO UPDATE
           SET ciphertext = excluded.ciphertext, expires_at = excluded.expires_at, updated_at = excluded.updated_at,
               version = stored.version + 1
           WHERE stored.version = $6
         RETURNING *`,
        [parsed.tenantId, parsed.provider, parsed.ciphertext, instantOrNull(parsed.expiresAt), instant(parsed.updatedAt), parsed.version],
      );
      if (!row) throw new VersionConflictError('OAuth token', parsed.provider, parsed.version);
      return toOAuthToken(row);
    },
  };
}

/** The inbound-dedupe repository over `context`. */
export function createInboundDedupeRepository(context: StoreContext): InboundDedupeRepository {
  const table = `${context.schema}.inbound_events`;
  return {
    async remember(input) {
      assertTtl(input.ttlMs);
      const now = input.now.getTime();
      // A new event inserts; a known one is renewed only when its record expired: one winner.
      const rows = await context.exec.write(
        'inboundDedupe.remember',
        `INSERT INTO ${table} AS stored (tenant_id, source, event_id, received_at, expires_at)
         VALUES ($1, $2, $3, $4::timestamptz, $5::timestamptz)
         ON CONFLICT (tenant_id, source, event_id) DO UPDATE
           SET received_at = excluded.received_at, expires_at = excluded.expires_at
           WHERE stored.expires_at <= excluded.received_at
         RETURNING event_id`,
        [input.tenantId, input.source, input.eventId, new Date(now).toISOString(), new Date(now + input.ttlMs).toISOString()],
      );
      return rows.length > 0;
    },

    async purgeExpired(input) {
      const rows = await context.exec.write(
        'inboundDedupe.purgeExpired',
        `DELETE FROM ${table} WHERE expires_at <= $1::timestamptz RETURNING event_id`,
        [instant(input.now)],
      );
      return rows.length;
    },
  };
}

/** The `Idempotency-Key` repository over `context`. */
export function createIdempotencyKeyRepository(context: StoreContext): IdempotencyKeyRepository {
  const table = `${context.schema}.idempotency_keys`;
  return {
    async lookup(input) {
      if (!isUuid(input.tenantId)) return null;
      const [row] = await context.exec.query(
        'idempotencyKeys.lookup',
        `SELECT request_hash, response FROM ${table} WHERE tenant_id = $1 AND key = $2 AND expires_at > $3::timestamptz`,
        [input.tenantId, input.key, instant(input.now)],
      );
      if (!row) return null;
      if (row['request_hash'] !== input.requestHash) throw reusedKey();
      return row['response'] as IdempotentResponse;
    },

    async save(input) {
      assertTtl(input.ttlMs);
      const response = parseOrThrow(idempotentResponseSchema, input.response, 'response');
      const now = input.now.getTime();
      // Insert, or replace an expired record; a live one is left alone and read back below.
      const [saved] = await context.exec.write(
        'idempotencyKeys.save',
        `INSERT INTO ${table} AS stored (tenant_id, key, request_hash, response, created_at, expires_at)
         VALUES ($1, $2, $3, $4::jsonb, $5::timestamptz, $6::timestamptz)
         ON CONFLICT (tenant_id, key) DO UPDATE
           SET request_hash = excluded.request_hash, response = excluded.response, created_at = excluded.created_at,
               expires_at = excluded.expires_at
           WHERE stored.expires_at <= excluded.created_at
         RETURNING response`,
        [
          input.tenantId,
          input.key,
          input.requestHash,
          json(response),
          new Date(now).toISOString(),
          new Date(now + input.ttlMs).toISOString(),
        ],
      );
      if (saved) return { response: saved['response'] as IdempotentResponse, created: true };
      const [stored] = await context.exec.query(
        'idempotencyKeys.save',
        `SELECT request_hash, response FROM ${table} WHERE tenant_id = $1 AND key = $2`,
        [input.tenantId, input.key],
      );
      if (!stored) throw new SdrError('idempotencyKeys.save found neither a new nor an existing record');
      if (stored['request_hash'] !== input.requestHash) throw reusedKey();
      return { response: stored['response'] as IdempotentResponse, created: false };
    },

    async purgeExpired(input) {
      const rows = await context.exec.write(
        'idempotencyKeys.purgeExpired',
        `DELETE FROM ${table} WHERE expires_at <= $1::timestamptz RETURNING key`,
        [instant(input.now)],
      );
      return rows.length;
    },
  };
}

function toApiKey(row: Row): ApiKey {
  return {
    id: String(row['id']),
    tenantId: String(row['tenant_id']),
    name: String(row['name']),
    prefix: String(row['prefix']),
    hash: String(row['key_hash']),
    scopes: row['scopes'] as string[],
    createdAt: toDate(row['created_at']),
    lastUsedAt: toDateOrNull(row['last_used_at']),
    revokedAt: toDateOrNull(row['revoked_at']),
  };
}

function toOAuthToken(row: Row): OAuthToken {
  return {
    tenantId: String(row['tenant_id']),
    provider: String(row['provider']),
    ciphertext: String(row['ciphertext']),
    expiresAt: toDateOrNull(row['expires_at']),
    updatedAt: toDate(row['updated_at']),
    version: toInteger(row['version']),
  };
}

function reusedKey(): ConflictError {
  return new ConflictError('this Idempotency-Key was already used for a different request');
}

function assertTtl(ttlMs: number): void {
  if (!Number.isInteger(ttlMs) || ttlMs <= 0) throw ValidationError.forField('ttlMs', 'must be a positive whole number of milliseconds');
}
