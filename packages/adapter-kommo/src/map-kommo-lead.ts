/**
 * Pure converters between Kommo's payloads and the `CrmPort`'s types: leads, contacts (phones
 * re-checked by canonical E.164, since Kommo's contact search is full-text), custom-field values,
 * and the reference a note carries so that it can be found again.
 */
import { PhoneNumber, type CrmContact, type CrmFieldValue, type CrmLead, type ParsePhoneOptions } from '@sdr/core';
import type { KommoContact, KommoCustomFieldValues, KommoLead } from './kommo-api.js';

/** The country assumed for a phone a person typed without a country code. */
export type CountryCode = NonNullable<ParsePhoneOptions['defaultCountry']>;

/** The phones of a contact (its `PHONE` field values) that parse, canonical. */
export function contactPhones(contact: KommoContact, defaultCountry: CountryCode): PhoneNumber[] {
  const phones: PhoneNumber[] = [];
  for (const field of contact.custom_fields_values ?? []) {
    if (field.field_code !== 'PHONE') continue;
    for (const entry of field.values ?? []) {
      if (typeof entry.value !== 'string' && typeof entry.value !== 'number') continue;
      const phone = PhoneNumber.tryParse(String(entry.value), { defaultCountry });
      if (phone !== undefined) phones.push(phone);
    }
  }
  return phones;
}

/** Whether one of the contact's phones is `phone` (formats and the Brazilian 9th digit do not matter). */
export function contactHasPhone(contact: KommoContact, phone: PhoneNumber, defaultCountry: CountryCode): boolean {
  return contactPhones(contact, defaultCountry).some((candidate) => candidate.equals(phone));
}

function firstCodeValue(contact: KommoContact, code: string): string | null {
  const field = (contact.custom_fields_values ?? []).find((candidate) => candidate.field_code === code);
  const value = field?.values?.[0]?.value;
  return typeof value === 'string' && value !== '' ? value : null;
}

/** A Kommo contact as the port's `CrmContact` (its first phone that parses). */
export function toCrmContact(contact: KommoContact, phone: PhoneNumber | undefined, defaultCountry: CountryCode): CrmContact {
  const known = phone ?? contactPhones(contact, defaultCountry)[0];
  return {
    contactId: String(contact.id),
    name: nonEmpty(contact.name),
    phone: known?.e164 ?? '',
    email: firstCodeValue(contact, 'EMAIL'),
  };
}

/** The main contact's id of a lead (the first one when none is marked main). */
export function mainContactId(lead: KommoLead): number | null {
  const contacts = lead._embedded?.contacts ?? [];
  return (contacts.find((contact) => contact.is_main === true) ?? contacts[0])?.id ?? null;
}

/** A lead's custom fields by field id: the first value of each (a select's text), `null` for none. */
export function leadFields(values: readonly KommoCustomFieldValues[] | null | undefined): Record<string, CrmFieldValue> {
  const fields: Record<string, CrmFieldValue> = {};
  for (const field of values ?? []) {
    if (field.field_id === null || field.field_id === undefined) continue;
    const value = field.values?.[0]?.value;
    fields[String(field.field_id)] = value ?? null;
  }
  return fields;
}

/** A Kommo lead (and its main contact, when read) as the port's `CrmLead`. */
export function toCrmLead(lead: KommoLead, contact: KommoContact | undefined, defaultCountry: CountryCode): CrmLead {
  const phone = contact === undefined ? undefined : contactPhones(contact, defaultCountry)[0];
  return {
    leadId: String(lead.id),
    contactId: contact === undefined ? idOrNull(mainContactId(lead)) : String(contact.id),
    name: nonEmpty(lead.name),
    phone: phone?.e164 ?? null,
    stage:
      lead.pipeline_id === null || lead.pipeline_id === undefined || lead.status_id === null || lead.status_id === undefined
        ? null
        : { pipelineId: String(lead.pipeline_id), statusId: String(lead.status_id) },
    fields: leadFields(lead.custom_fields_values),
    tags: (lead._embedded?.tags ?? []).map((tag) => tag.name),
  };
}

/** The custom-field values of a new contact: its phone (`PHONE`/`WORK`) and e-mail. */
export function contactFieldValues(phone: PhoneNumber, email: string | null | undefined): KommoCustomFieldValues[] {
  return [
    { field_code: 'PHONE', values: [{ value: phone.e164, enum_code: 'WORK' }] },
    ...(email === null || email === undefined || email === ''
      ? []
      : [{ field_code: 'EMAIL', values: [{ value: email, enum_code: 'WORK' }] }]),
  ];
}

const referencePattern = /\[sdr:([A-Za-z0-9._:-]{1,200})\]\s*$/;

/**
 * The reference a note's text ends with, so that a note whose request timed out can be found
 * again (and read back as its idempotency key): `[sdr:<key>]`. Keys outside `[A-Za-z0-9._:-]`
 * are refused by the port before anything is written.
 */
export function noteReference(idempotencyKey: string): string {
  return `[sdr:${idempotencyKey}]`;
}

/** Whether an idempotency key can travel in a note's reference. */
export function isReferenceableKey(idempotencyKey: string): boolean {
  return referencePattern.test(noteReference(idempotencyKey));
}

/** The note's text with its reference. */
export function noteText(text: string, idempotencyKey: string): string {
  return `${text.trimEnd()}\n\n${noteReference(idempotencyKey)}`;
}

/** The idempotency key a note's text carries, or `null` (a note written by a person). */
export function noteKeyOf(text: string | null | undefined): string | null {
  if (text === null || text === undefined) return null;
  return referencePattern.exec(text)?.[1] ?? null;
}

function nonEmpty(value: string | null | undefined): string | null {
  return value === null || value === undefined || value === '' ? null : value;
}

function idOrNull(value: number | null): string | null {
  return value === null ? null : String(value);
}
