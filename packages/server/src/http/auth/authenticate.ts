/**
 * The authentication hooks. Tenant routes accept only a tenant's API key, and resolve the tenant
 * from it; the operator routes (`/v1/tenants`) accept only the operator key. Either way the key
 * is then rate limited. Every refusal is a 401 with the same shape, whichever check failed, except
 * that a revoked key says so (only its holder can learn that).
 */
import { AuthError, RateLimitedError, type ApiKey } from '@sdr/core';
import type { FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import type { ServerContext } from '../../context.js';
import { bindLog } from '../request-context.js';
import { apiKeyMatches, apiKeyPrefixOf } from './api-keys.js';
import { limitAuthFailures } from './auth-failures.js';

/** A key's `lastUsedAt` is written at most this often: a busy key must not write on every request. */
export const touchIntervalMs = 60_000;

const invalidKey = 'the API key is missing, malformed or unknown: send Authorization: Bearer <key>';

/** The key presented as `Authorization: Bearer <key>`. */
function bearerOf(request: FastifyRequest): string {
  const header = request.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  if (!match?.[1]) throw new AuthError(invalidKey);
  return match[1];
}

/** The hook of tenant routes: a live tenant API key, within its rate limit. */
export function tenantAuthentication(context: ServerContext): onRequestAsyncHookHandler {
  const tenantOfKey = async (request: FastifyRequest) => {
    const presented = bearerOf(request);
    const prefix = apiKeyPrefixOf(presented);
    const apiKey = prefix === null ? null : await context.store.apiKeys.findByPrefix(prefix);
    if (apiKey === null || !apiKeyMatches(presented, apiKey.hash)) throw new AuthError(invalidKey);
    if (apiKey.revokedAt !== null) throw new AuthError('the API key was revoked');
    const tenant = await context.store.tenants.get(apiKey.tenantId);
    if (tenant === null) throw new AuthError(invalidKey);
    return { tenant, apiKey };
  };
  return async (request, reply) => {
    const { tenant, apiKey } = await limitAuthFailures(context, request, () => tenantOfKey(request));
    request.caller = { kind: 'tenant', tenant, apiKey };
    bindLog(request, reply, { tenantId: tenant.id });
    await enforceRateLimit(context, `api-key:${apiKey.id}`);
    await touch(context, apiKey, request);
  };
}

/** The hook of operator routes: the operator key (configured as its SHA-256), within its rate limit. */
export function operatorAuthentication(context: ServerContext): onRequestAsyncHookHandler {
  return async (request: FastifyRequest, _reply: FastifyReply) => {
    await limitAuthFailures(context, request, () => {
      const presented = bearerOf(request);
      const expected = context.http.operatorKeyHash;
      if (expected === null) throw new AuthError('tenant management is disabled on this server (no operator key is configured)');
      if (!apiKeyMatches(presented, expected)) throw new AuthError('this route needs the operator key');
    });
    request.caller = { kind: 'operator' };
    await enforceRateLimit(context, 'api-key:operator');
  };
}

async function enforceRateLimit(context: ServerContext, key: string): Promise<void> {
  const perMinute = context.http.rateLimitPerMinute;
  const decision = await context.rateLimiter.consume(key, { ratePerSecond: perMinute / 60, burst: perMinute });
  if (!decision.allowed) {
    throw new RateLimitedError(`at most ${perMinute} requests per minute per API key`, { retryAfterMs: decision.retryAfterMs });
  }
}

/** Records the key's use, at most once per `touchIntervalMs`; a failed write never fails the request. */
async function touch(context: ServerContext, apiKey: ApiKey, request: FastifyRequest): Promise<void> {
  const now = context.clock.now();
  if (apiKey.lastUsedAt !== null && now.getTime() - apiKey.lastUsedAt.getTime() < touchIntervalMs) return;
  try {
    await context.store.apiKeys.touch({ tenantId: apiKey.tenantId, id: apiKey.id, now });
  } catch (error) {
    request.log.warn({ apiKeyId: apiKey.id, error: error instanceof Error ? error.name : 'unknown' }, 'could not record the API key use');
  }
}
