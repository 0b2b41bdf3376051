/**
 * The reads the CRM is built on: a contact by phone (Kommo's full-text `query`, then every phone
 * value re-checked by canonical E.164 — formats and the Brazilian 9th digit vary), and leads,
 * contacts and notes by id in pages of at most 250 (`filter[id][]`; an empty list is a 204).
 */
import type { CallOptions, PhoneNumber } from '@sdr/core';
import {
  kommoContactListSchema,
  kommoLeadListSchema,
  kommoNoteListSchema,
  type KommoContact,
  type KommoLead,
  type KommoNote,
} from './kommo-api.js';
import { chunks, params, signalOf, type KommoContext } from './kommo-context.js';
import { contactHasPhone } from './map-kommo-lead.js';

/** Kommo's largest page. */
export const kommoPageSize = 250;

/**
 * The text searched for a phone: its last eight digits, which both forms of a Brazilian mobile
 * (with and without the 9th digit) and every way of writing it share.
 */
export function phoneQuery(phone: PhoneNumber): string {
  return phone.digits.slice(-8);
}

/** The contacts whose phone is `phone` (with their lead ids), most recent first. */
export async function searchContacts(context: KommoContext, phone: PhoneNumber, options?: CallOptions): Promise<KommoContact[]> {
  const answer = await context.request({
    operation: 'contacts.search',
    method: 'get',
    path: 'api/v4/contacts',
    searchParams: params([
      ['query', phoneQuery(phone)],
      ['with', 'leads'],
      ['limit', kommoPageSize],
    ]),
    schema: kommoContactListSchema,
    empty: { _embedded: { contacts: [] } },
    signal: signalOf(options),
  });
  return answer._embedded.contacts.filter((contact) => contactHasPhone(contact, phone, context.defaultCountry)).sort((a, b) => b.id - a.id);
}

/** The leads with these ids (with their contact ids), in pages of 250; unknown ids are left out. */
export async function fetchLeads(context: KommoContext, ids: readonly number[], options?: CallOptions): Promise<KommoLead[]> {
  const found: KommoLead[] = [];
  for (const page of chunks([...new Set(ids)], kommoPageSize)) {
    const answer = await context.request({
      operation: 'leads.get',
      method: 'get',
      path: 'api/v4/leads',
      searchParams: params([...page.map((id) => ['filter[id][]', id] as const), ['with', 'contacts'], ['limit', kommoPageSize]]),
      schema: kommoLeadListSchema,
      empty: { _embedded: { leads: [] } },
      signal: signalOf(options),
    });
    found.push(...answer._embedded.leads);
  }
  return found;
}

/** The contacts with these ids, in pages of 250. */
export async function fetchContacts(context: KommoContext, ids: readonly number[], options?: CallOptions): Promise<KommoContact[]> {
  const found: KommoContact[] = [];
  for (const page of chunks([...new Set(ids)], kommoPageSize)) {
    const answer = await context.request({
      operation: 'contacts.get',
      method: 'get',
      path: 'api/v4/contacts',
      searchParams: params([...page.map((id) => ['filter[id][]', id] as const), ['limit', kommoPageSize]]),
      schema: kommoContactListSchema,
      empty: { _embedded: { contacts: [] } },
      signal: signalOf(options),
    });
    found.push(...answer._embedded.contacts);
  }
  return found;
}

/** The common notes of these leads, every page of 250 read. */
export async function fetchNotes(context: KommoContext, leadIds: readonly number[], options?: CallOptions): Promise<KommoNote[]> {
  const found: KommoNote[] = [];
  for (const group of chunks([...new Set(leadIds)], kommoPageSize)) {
    for (let page = 1; ; page += 1) {
      const answer = await context.request({
        operation: 'notes.list',
        method: 'get',
        path: 'api/v4/leads/notes',
        searchParams: params([
          ...group.map((id) => ['filter[entity_id][]', id] as const),
          ['filter[note_type]', 'common'],
          ['limit', kommoPageSize],
          ['page', page],
        ]),
        schema: kommoNoteListSchema,
        empty: { _embedded: { notes: [] } },
        signal: signalOf(options),
      });
      found.push(...answer._embedded.notes);
      if (answer._embedded.notes.length < kommoPageSize) break;
    }
  }
  return found;
}
