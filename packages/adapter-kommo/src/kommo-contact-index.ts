/**
 * Which phones the account certainly does not have, without one search per phone. Kommo's contact
 * search takes one text at a time, so linking 1000 new leads would cost 1000 searches. The index
 * lists the account's contacts once (`GET /api/v4/contacts`, 250 a page, by `updated_at`) and then
 * only those changed since (`filter[updated_at][from]`), at most every `maxAgeMs`; contacts this
 * adapter creates are added as it creates them.
 *
 * The index only ever proves **absence**: a phone it knows is still searched (the exact,
 * fresh lookup that also finds the contact's leads), so a stale index can never link a lead to
 * the wrong card — at worst a contact created by someone else within the last `maxAgeMs` is
 * missed and a second card is created.
 */
import type { CallOptions, PhoneNumber } from '@sdr/core';
import { kommoContactListSchema } from './kommo-api.js';
import { params, signalOf, type KommoContext } from './kommo-context.js';
import { kommoPageSize } from './kommo-reads.js';
import { contactPhones } from './map-kommo-lead.js';

/** The contact index of one account. */
export interface KommoContactIndex {
  /** The phones of `phones` that no contact of the account has (as of at most `maxAgeMs` ago). */
  absent(phones: readonly PhoneNumber[], options?: CallOptions): Promise<Set<string>>;
  /** Records a contact the adapter created. */
  remember(phone: PhoneNumber): void;
}

export function createKommoContactIndex(context: KommoContext, maxAgeMs: number): KommoContactIndex {
  const known = new Set<string>();
  /** `updated_at` (Unix seconds) of the newest contact read; the next read starts there (inclusive). */
  let cursor: number | null = null;
  let refreshedAt: number | null = null;

  const refresh = async (options?: CallOptions) => {
    const startedAt = context.clock.now().getTime();
    let newest = cursor;
    for (let page = 1; ; page += 1) {
      const answer = await context.request({
        operation: 'contacts.index',
        method: 'get',
        path: 'api/v4/contacts',
        searchParams: params([
          ...(cursor === null ? [] : [['filter[updated_at][from]', cursor] as const]),
          ['order[updated_at]', 'asc'],
          ['limit', kommoPageSize],
          ['page', page],
        ]),
        schema: kommoContactListSchema,
        empty: { _embedded: { contacts: [] } },
        signal: signalOf(options),
      });
      const { contacts } = answer._embedded;
      for (const contact of contacts) {
        for (const phone of contactPhones(contact, context.defaultCountry)) known.add(phone.e164);
        const updatedAt = contact.updated_at;
        if (updatedAt !== null && updatedAt !== undefined && (newest === null || updatedAt > newest)) newest = updatedAt;
      }
      if (contacts.length < kommoPageSize) break;
    }
    cursor = newest;
    refreshedAt = startedAt;
  };

  return {
    async absent(phones, options) {
      if (refreshedAt === null || context.clock.now().getTime() - refreshedAt >= maxAgeMs) await refresh(options);
      return new Set(phones.filter((phone) => !known.has(phone.e164)).map((phone) => phone.e164));
    },
    remember(phone) {
      known.add(phone.e164);
    },
  };
}
