/** In-memory `ContactRepository`: one contact per canonical phone and tenant, optimistic updates. */
import { DuplicateError } from '../../errors/index.js';
import { contactSchema, type Contact } from '../../domain/model/billing.js';
import { parseOrThrow } from '../../domain/model/parse.js';
import type { ContactRepository } from '../../ports/repositories/repositories.js';
import { cloneOrNull, cloneValue } from '../../internal/clone.js';
import { assertNewId, findScoped, nextVersionOf, requireCurrentVersion, rowsOf } from './rows.js';
import type { StoreRuntime } from './store-runtime.js';
import type { TableOverlay } from './tables.js';

/** The contact repository over `runtime`. */
export function createContactRepository(runtime: StoreRuntime): ContactRepository {
  return {
    get: (tenantId, id) => runtime.read('contacts.get', (unit) => cloneOrNull(findScoped(unit.table('contacts'), tenantId, id))),

    findByPhone: (tenantId, phone) =>
      runtime.read('contacts.findByPhone', (unit) =>
        cloneOrNull(rowsOf(unit.table('contacts'), tenantId).find((contact) => contact.phone.e164 === phone.e164)),
      ),

    create: (contact) =>
      runtime.write('contacts.create', (unit) => {
        const row = parseOrThrow(contactSchema, contact, 'contact');
        const table = unit.table('contacts');
        assertNewId(table, row.id, 'contact');
        assertPhoneFree(table, row);
        table.set(row.id, row);
        return cloneValue(row);
      }),

    update: (contact) =>
      runtime.write('contacts.update', (unit) => {
        const row = parseOrThrow(contactSchema, contact, 'contact');
        const table = unit.table('contacts');
        const next = nextVersionOf(requireCurrentVersion(table, row, 'contact'), row);
        assertPhoneFree(table, next);
        table.set(next.id, next);
        return cloneValue(next);
      }),
  };
}

function assertPhoneFree(table: TableOverlay<Contact>, contact: Contact): void {
  const taken = rowsOf(table, contact.tenantId).some((other) => other.id !== contact.id && other.phone.e164 === contact.phone.e164);
  if (taken) throw new DuplicateError('contact', contact.phone.e164);
}
