/**
 * Every tenant's id, page by page: the alert rules and the open-alert gauge work per tenant,
 * because the store's reads (`alerts.listOpen`, `stats({ tenantId })`) are scoped to one.
 */
import type { Store } from '@sdr/core';

const pageSize = 500;

/** The ids of every tenant, in the store's order. */
export async function listTenantIds(store: Store): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const page = await store.tenants.list({ limit: pageSize, ...(cursor === null ? {} : { cursor }) });
    for (const tenant of page.items) ids.push(tenant.id);
    cursor = page.nextCursor;
  } while (cursor !== null);
  return ids;
}
