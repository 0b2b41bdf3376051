/** PostgreSQL `ContactRepository`: one contact per canonical phone and tenant, optimistic updates. */
import { PhoneNumber, contactSchema, parseOrThrow, type Contact, type ContactRepository } from '@sdr/core';
import type { Row } from '../database/database.js';
import { instant, instantOrNull, isUuid, textOrNull, toDate, toDateOrNull, toInteger } from './sql-values.js';
import type { StoreContext } from './store-context.js';
import { updateVersioned } from './versioned-update.js';

/** The contact repository over `context`. */
export function createContactRepository(context: StoreContext): ContactRepository {
  const table = `${context.schema}.contacts`;
  const findOne = async (operation: string, tenantId: string, condition: string, value: unknown): Promise<Contact | null> => {
    if (!isUuid(tenantId)) return null;
    const [row] = await context.exec.query(operation, `SELECT * FROM ${table} WHERE tenant_id = $1 AND ${condition}`, [tenantId, value]);
    return row ? toContact(row) : null;
  };

  return {
    get: (tenantId, id) => (isUuid(id) ? findOne('contacts.get', tenantId, 'id = $2', id) : Promise.resolve(null)),
    findByPhone: (tenantId, phone) => findOne('contacts.findByPhone', tenantId, 'phone = $2', phone.e164),

    async create(contact) {
      const parsed = parseOrThrow(contactSchema, contact, 'contact');
      const [row] = await context.exec.write(
        'contacts.create',
        `INSERT INTO ${table} (id, tenant_id, phone, name, email, opted_out, opted_out_at, created_at, updated_at, version)
         VALUES ($1, $2, $3, $4, $5, $6, $7::timestamptz, $8::timestamptz, $9::timestamptz, $10) RETURNING *`,
        [
          parsed.id,
          parsed.tenantId,
          parsed.phone.e164,
          parsed.name,
          parsed.email,
          parsed.optedOut,
          instantOrNull(parsed.optedOutAt),
          instant(parsed.createdAt),
          instant(parsed.updatedAt),
          parsed.version,
        ],
      );
      return toContact(row ?? {});
    },

    async update(contact) {
      const parsed = parseOrThrow(contactSchema, contact, 'contact');
      const row = await updateVersioned(context, {
        operation: 'contacts.update',
        sql: `UPDATE ${table} SET phone = $4, name = $5, email = $6, opted_out = $7, opted_out_at = $8::timestamptz,
                updated_at = $9::timestamptz, version = version + 1
              WHERE id = $1 AND tenant_id = $2 AND version = $3 RETURNING *`,
        params: [
          parsed.id,
          parsed.tenantId,
          parsed.version,
          parsed.phone.e164,
          parsed.name,
          parsed.email,
          parsed.optedOut,
          instantOrNull(parsed.optedOutAt),
          instant(parsed.updatedAt),
        ],
        table: 'contacts',
        resource: 'contact',
        tenantId: parsed.tenantId,
        id: parsed.id,
        expectedVersion: parsed.version,
      });
      return toContact(row);
    },
  };
}

function toContact(row: Row): Contact {
  return {
    id: String(row['id']),
    tenantId: String(row['tenant_id']),
    phone: PhoneNumber.fromE164(String(row['phone'])),
    name: textOrNull(row['name']),
    email: textOrNull(row['email']),
    optedOut: row['opted_out'] === true,
    optedOutAt: toDateOrNull(row['opted_out_at']),
    createdAt: toDate(row['created_at']),
    updatedAt: toDate(row['updated_at']),
    version: toInteger(row['version']),
  };
}
