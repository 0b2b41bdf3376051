/**
 * In-memory `BillingCycleRepository`. One **active** cycle per `externalBillingId` and tenant
 * (PostgreSQL: a unique partial index): enforced on create and when an update makes a cycle
 * active again; paid, cancelled and completed cycles may share the id.
 */
import { DuplicateError } from '../../errors/index.js';
import { billingCycleSchema, type BillingCycle } from '../../domain/model/billing.js';
import { parseOrThrow } from '../../domain/model/parse.js';
import type { BillingCycleRepository } from '../../ports/repositories/repositories.js';
import { cloneOrNull, cloneValue } from '../../internal/clone.js';
import { paginate } from './paging.js';
import { assertNewId, findScoped, nextVersionOf, requireCurrentVersion, rowsOf } from './rows.js';
import type { StoreRuntime } from './store-runtime.js';
import type { TableOverlay } from './tables.js';

/** The billing-cycle repository over `runtime`. */
export function createBillingCycleRepository(runtime: StoreRuntime): BillingCycleRepository {
  return {
    get: (tenantId, id) => runtime.read('billingCycles.get', (unit) => cloneOrNull(findScoped(unit.table('billingCycles'), tenantId, id))),

    findActiveByExternalId: (tenantId, externalBillingId) =>
      runtime.read('billingCycles.findActiveByExternalId', (unit) =>
        cloneOrNull(
          rowsOf(unit.table('billingCycles'), tenantId).find(
            (cycle) => cycle.status === 'active' && cycle.externalBillingId === externalBillingId,
          ),
        ),
      ),

    create: (cycle) =>
      runtime.write('billingCycles.create', (unit) => {
        const row = parseOrThrow(billingCycleSchema, cycle, 'billingCycle');
        const table = unit.table('billingCycles');
        assertNewId(table, row.id, 'billing cycle');
        assertSingleActive(table, row);
        table.set(row.id, row);
        return cloneValue(row);
      }),

    update: (cycle) =>
      runtime.write('billingCycles.update', (unit) => {
        const row = parseOrThrow(billingCycleSchema, cycle, 'billingCycle');
        const table = unit.table('billingCycles');
        const next = nextVersionOf(requireCurrentVersion(table, row, 'billing cycle'), row);
        assertSingleActive(table, next);
        table.set(next.id, next);
        return cloneValue(next);
      }),

    // Newest first, like the lead list: the console shows the latest imports on top.
    list: (tenantId, page) =>
      runtime.read('billingCycles.list', (unit) => {
        const rows = rowsOf(unit.table('billingCycles'), tenantId).filter(
          (cycle) =>
            (page?.status === undefined || cycle.status === page.status) &&
            (page?.contactId === undefined || cycle.contactId === page.contactId),
        );
        const result = paginate({
          list: 'billingCycles',
          rows,
          keyOf: (cycle) => [cycle.createdAt.getTime(), cycle.id],
          direction: 'desc',
          page,
        });
        return { items: result.items.map(cloneValue), nextCursor: result.nextCursor };
      }),
  };
}

function assertSingleActive(table: TableOverlay<BillingCycle>, cycle: BillingCycle): void {
  if (cycle.status !== 'active') return;
  const taken = rowsOf(table, cycle.tenantId).some(
    (other) => other.id !== cycle.id && other.status === 'active' && other.externalBillingId === cycle.externalBillingId,
  );
  if (taken) throw new DuplicateError('active billing cycle', cycle.externalBillingId);
}
