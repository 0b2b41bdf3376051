/**
 * Telling a pasted key's kind: a tenant key reads its tenant (`GET /v1/tenant`); the operator key
 * lists tenants (`GET /v1/tenants`). Anything else is refused with the server's reason.
 */
import { ApiProblem, createApiClient, getTenant, unwrap, type Tenant } from '../api/client.js';
import { consoleSessionKeyName, type StoredSession } from './session-store.js';

/** What a key turned out to be. */
export type IdentifiedKey = { readonly kind: 'tenant'; readonly tenant: Tenant } | { readonly kind: 'operator' };

/** Tries `key` as a tenant key, then as the operator key; an `ApiProblem` when it is neither. */
export async function identifyKey(key: string): Promise<IdentifiedKey> {
  const client = createApiClient(key);
  try {
    return { kind: 'tenant', tenant: await getTenant(client) };
  } catch (error) {
    if (!(error instanceof ApiProblem) || error.status !== 401) throw error;
  }
  await unwrap(client.GET('/v1/tenants', { params: { query: { limit: 1 } } }));
  return { kind: 'operator' };
}

const staleAfterMs = 12 * 3_600_000;

/**
 * Issues the operator a key of `tenantId` for this session. Its previous session key is revoked,
 * and so are console keys of the tenant unused for 12 hours (left by tabs that were closed
 * without signing out); keys in use by another operator's tab are kept.
 */
export async function openTenantAsOperator(input: {
  readonly operatorKey: string;
  readonly tenantId: string;
  readonly previous: Extract<StoredSession, { kind: 'operator' }>['tenant'];
  readonly now: Date;
}): Promise<{ readonly id: string; readonly key: string; readonly keyId: string }> {
  const operator = createApiClient(input.operatorKey);
  if (input.previous !== null) await revokeTenantKey(input.operatorKey, input.previous);
  const keys = await unwrap(operator.GET('/v1/tenants/{id}/api-keys', { params: { path: { id: input.tenantId } } }));
  const stale = keys.items.filter((key) => {
    if (key.name !== consoleSessionKeyName || key.revokedAt !== null) return false;
    const lastSeen = new Date(key.lastUsedAt ?? key.createdAt).getTime();
    return input.now.getTime() - lastSeen > staleAfterMs;
  });
  for (const key of stale) await revokeTenantKey(input.operatorKey, { id: input.tenantId, keyId: key.id });
  const issued = await unwrap(
    operator.POST('/v1/tenants/{id}/api-keys', { params: { path: { id: input.tenantId } }, body: { name: consoleSessionKeyName } }),
  );
  if (issued.key === null) throw new Error('the server issued a key without showing it');
  return { id: input.tenantId, key: issued.key, keyId: issued.id };
}

/** Revokes a key the console issued; one already revoked or gone is fine. */
export async function revokeTenantKey(operatorKey: string, issued: { readonly id: string; readonly keyId: string }): Promise<void> {
  const { response } = await createApiClient(operatorKey).DELETE('/v1/tenants/{id}/api-keys/{keyId}', {
    params: { path: { id: issued.id, keyId: issued.keyId } },
  });
  if (!response.ok && response.status !== 404) throw new ApiProblem(response.status, undefined);
}
