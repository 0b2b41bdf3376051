/**
 * In-memory `LeadRepository`. Enforces one lead per canonical phone and tenant (the Brazilian
 * 9th digit is already folded into `PhoneNumber.e164`) on create **and** on update.
 */
import { DuplicateError } from '../../errors/index.js';
import { leadSchema, type Lead } from '../../domain/model/lead.js';
import { parseOrThrow } from '../../domain/model/parse.js';
import type { LeadRepository } from '../../ports/repositories/repositories.js';
import { cloneOrNull, cloneValue } from '../../internal/clone.js';
import { paginate } from './paging.js';
import { assertNewId, findScoped, nextVersionOf, requireCurrentVersion, rowsOf } from './rows.js';
import type { StoreRuntime } from './store-runtime.js';
import type { TableOverlay } from './tables.js';

/** The lead repository over `runtime`. */
export function createLeadRepository(runtime: StoreRuntime): LeadRepository {
  const findBy = (operation: string, tenantId: string, predicate: (lead: Lead) => boolean) =>
    runtime.read(operation, (unit) => cloneOrNull(rowsOf(unit.table('leads'), tenantId).find(predicate)));

  return {
    get: (tenantId, id) => runtime.read('leads.get', (unit) => cloneOrNull(findScoped(unit.table('leads'), tenantId, id))),
    findByPhone: (tenantId, phone) => findBy('leads.findByPhone', tenantId, (lead) => lead.phone.e164 === phone.e164),
    findByWhatsappLid: (tenantId, lid) => findBy('leads.findByWhatsappLid', tenantId, (lead) => lead.whatsappLid === lid),
    findByCrmLeadId: (tenantId, crmLeadId) => findBy('leads.findByCrmLeadId', tenantId, (lead) => lead.crmLeadId === crmLeadId),

    create: (lead) =>
      runtime.write('leads.create', (unit) => {
        const row = parseOrThrow(leadSchema, lead, 'lead');
        const table = unit.table('leads');
        assertNewId(table, row.id, 'lead');
        assertPhoneFree(table, row);
        table.set(row.id, row);
        return cloneValue(row);
      }),

    update: (lead) =>
      runtime.write('leads.update', (unit) => {
        const row = parseOrThrow(leadSchema, lead, 'lead');
        const table = unit.table('leads');
        const next = nextVersionOf(requireCurrentVersion(table, row, 'lead'), row);
        assertPhoneFree(table, next);
        table.set(next.id, next);
        return cloneValue(next);
      }),

    list: (tenantId, page) =>
      runtime.read('leads.list', (unit) => {
        const rows = rowsOf(unit.table('leads'), tenantId).filter((lead) => page?.stage === undefined || lead.stage === page.stage);
        const result = paginate({ list: 'leads', rows, keyOf: (lead) => [lead.createdAt.getTime(), lead.id], direction: 'desc', page });
        return { items: result.items.map(cloneValue), nextCursor: result.nextCursor };
      }),

    listUpdatedBetween: (tenantId, from, to, page) =>
      runtime.read('leads.listUpdatedBetween', (unit) => {
        const rows = rowsOf(unit.table('leads'), tenantId).filter((lead) => lead.updatedAt >= from && lead.updatedAt < to);
        const result = paginate({
          list: 'leads.updated',
          rows,
          keyOf: (lead) => [lead.updatedAt.getTime(), lead.id],
          direction: 'asc',
          page,
        });
        return { items: result.items.map(cloneValue), nextCursor: result.nextCursor };
      }),
  };
}

function assertPhoneFree(table: TableOverlay<Lead>, lead: Lead): void {
  const taken = rowsOf(table, lead.tenantId).some((other) => other.id !== lead.id && other.phone.e164 === lead.phone.e164);
  if (taken) throw new DuplicateError('lead', lead.phone.e164);
}
