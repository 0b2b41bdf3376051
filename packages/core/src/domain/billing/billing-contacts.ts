/**
 * Contacts of billing cycles, upserted by phone identity (SPEC §3.1, §4.5): the phone decides
 * who the customer is — with or without the Brazilian 9th digit — and a known contact takes the
 * non-empty new values of an import. An opt-out is never cleared by an import.
 */
import type { PhoneNumber } from '../identity/phone-number.js';
import type { Contact } from '../model/billing.js';
import { contactIdFor } from './billing-ids.js';

/** What an import does to a contact: create it, update it, or leave it as it is. `contact` is the state to write. */
export interface ContactWrite {
  readonly action: 'create' | 'update' | 'none';
  readonly contact: Contact;
}

/** The customer data an item carries. */
export interface ContactData {
  readonly tenantId: string;
  readonly phone: PhoneNumber;
  readonly name: string | null;
  readonly email: string | null;
}

/**
 * Decides the write for `data` given the stored contact with the same phone (`null`: none yet).
 * Empty values never overwrite stored ones, and `optedOut` is kept as stored.
 */
export function upsertContact(existing: Contact | null, data: ContactData, now: Date): ContactWrite {
  if (existing === null) {
    return {
      action: 'create',
      contact: {
        id: contactIdFor({ tenantId: data.tenantId, e164: data.phone.e164 }),
        tenantId: data.tenantId,
        phone: data.phone,
        name: data.name,
        email: data.email,
        optedOut: false,
        optedOutAt: null,
        createdAt: now,
        updatedAt: now,
        version: 0,
      },
    };
  }
  const name = nonEmpty(data.name) ?? existing.name;
  const email = nonEmpty(data.email) ?? existing.email;
  if (name === existing.name && email === existing.email) return { action: 'none', contact: existing };
  return { action: 'update', contact: { ...existing, name, email, updatedAt: now } };
}

/** The contact as stored once `write` is applied (the store bumps the version of an update). */
export function contactAfter(write: ContactWrite): Contact {
  return write.action === 'update' ? { ...write.contact, version: write.contact.version + 1 } : write.contact;
}

function nonEmpty(value: string | null): string | null {
  return value !== null && value.trim() !== '' ? value : null;
}
