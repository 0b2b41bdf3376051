/**
 * # Repositories v1 of the API's callers
 *
 * What the REST API and the webhook endpoints persist: API keys, OAuth tokens, inbound webhook
 * dedupe and `Idempotency-Key` records. Same contract as the other repositories
 * (`repositories.ts`): tenant-scoped, `null` when not found, `SdrError`s on failure — with one
 * deliberate exception, `ApiKeyRepository.findByPrefix`, which spans tenants because the key is
 * what tells the tenant.
 */
import type { ApiKey, IdempotentResponse, OAuthToken } from '../../domain/model/access.js';

export interface ApiKeyRepository {
  /** `DuplicateError` when the id or the prefix is taken. */
  create(key: ApiKey): Promise<ApiKey>;
  /** The key with this prefix, revoked or not (the caller checks `revokedAt`), of whichever tenant. */
  findByPrefix(prefix: string): Promise<ApiKey | null>;
  /** The tenant's keys, newest first. */
  list(tenantId: string): Promise<ApiKey[]>;
  /** Revokes an active key; `false` when it is unknown (or another tenant's) or already revoked. */
  revoke(input: { readonly tenantId: string; readonly id: string; readonly now: Date }): Promise<boolean>;
  /** Records a use (`lastUsedAt = now`); `false` when the key is unknown. */
  touch(input: { readonly tenantId: string; readonly id: string; readonly now: Date }): Promise<boolean>;
}

export interface OAuthTokenRepository {
  get(tenantId: string, provider: string): Promise<OAuthToken | null>;
  /**
   * Inserts (stored with version 0, whatever the given version) when the tenant has no token for
   * the provider; otherwise replaces it when `version` is the stored one and stores version + 1,
   * else `VersionConflictError` — a refresh that lost a race must re-read.
   */
  put(token: OAuthToken): Promise<OAuthToken>;
}

export interface InboundDedupeRepository {
  /**
   * Remembers that an inbound event was received: `true` the first time (and again once the
   * record is older than `ttlMs`), `false` for a re-delivery. Atomic under concurrent deliveries:
   * exactly one caller gets `true`.
   */
  remember(input: {
    readonly tenantId: string;
    /** Where the event came from (`evolution:<instance>`, `kommo`). */
    readonly source: string;
    readonly eventId: string;
    readonly now: Date;
    readonly ttlMs: number;
  }): Promise<boolean>;
  /** Forgets records past their TTL; returns how many. */
  purgeExpired(input: { readonly now: Date }): Promise<number>;
}

export interface IdempotencyKeyRepository {
  /**
   * The response stored for this key: `null` when the key is unknown or expired; the stored
   * response when it was saved for the same request (`requestHash`); `ConflictError` when the key
   * was used for another request.
   */
  lookup(input: {
    readonly tenantId: string;
    readonly key: string;
    readonly requestHash: string;
    readonly now: Date;
  }): Promise<IdempotentResponse | null>;
  /**
   * Stores the response of a request until now + `ttlMs`. The first save wins: a later one for the
   * same request returns the stored response with `created: false`, one for another request is a
   * `ConflictError`. An expired record is replaced.
   */
  save(input: {
    readonly tenantId: string;
    readonly key: string;
    readonly requestHash: string;
    readonly response: IdempotentResponse;
    readonly now: Date;
    readonly ttlMs: number;
  }): Promise<{ readonly response: IdempotentResponse; readonly created: boolean }>;
  /** Forgets records past their TTL; returns how many. */
  purgeExpired(input: { readonly now: Date }): Promise<number>;
}
