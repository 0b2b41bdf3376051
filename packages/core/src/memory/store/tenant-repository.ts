/** In-memory `TenantRepository`: tenants by id, optimistic updates, oldest-first paging. */
import { NotFoundError, VersionConflictError } from '../../errors/index.js';
import { parseOrThrow } from '../../domain/model/parse.js';
import { tenantSchema } from '../../domain/model/tenant.js';
import type { TenantRepository } from '../../ports/repositories/repositories.js';
import { cloneOrNull, cloneValue } from '../../internal/clone.js';
import { paginate } from './paging.js';
import { assertNewId } from './rows.js';
import type { StoreRuntime } from './store-runtime.js';

/** The tenant repository over `runtime`. */
export function createTenantRepository(runtime: StoreRuntime): TenantRepository {
  return {
    get: (id) => runtime.read('tenants.get', (unit) => cloneOrNull(unit.table('tenants').get(id))),

    create: (tenant) =>
      runtime.write('tenants.create', (unit) => {
        const row = parseOrThrow(tenantSchema, tenant, 'tenant');
        const table = unit.table('tenants');
        assertNewId(table, row.id, 'tenant');
        table.set(row.id, row);
        return cloneValue(row);
      }),

    update: (tenant) =>
      runtime.write('tenants.update', (unit) => {
        const row = parseOrThrow(tenantSchema, tenant, 'tenant');
        const table = unit.table('tenants');
        const stored = table.get(row.id);
        if (stored === undefined) throw new NotFoundError('tenant', row.id);
        if (stored.version !== row.version) throw new VersionConflictError('tenant', row.id, row.version);
        const next = { ...row, createdAt: stored.createdAt, version: stored.version + 1 };
        table.set(row.id, next);
        return cloneValue(next);
      }),

    // Oldest first: a stable order for operators paging through every tenant.
    list: (page) =>
      runtime.read('tenants.list', (unit) => {
        const result = paginate({
          list: 'tenants',
          rows: unit.table('tenants').values(),
          keyOf: (row) => [row.createdAt.getTime(), row.id],
          direction: 'asc',
          page,
        });
        return { items: result.items.map(cloneValue), nextCursor: result.nextCursor };
      }),
  };
}
