/**
 * `upsertLeads` and `upsertContacts`: each phone searched (once per batch, however many inputs
 * name it), found leads changed in one `PATCH /api/v4/leads` (name, fields, `tags_to_add` — never
 * their stage), new ones created with their contact in one `POST /api/v4/leads/complex` (≤ 50, a
 * `PHONE`/`WORK` value each), and the batch read back in one page so the answers show Kommo's state.
 */
import {
  ProviderError,
  ValidationError,
  throwIfAborted,
  type CrmLead,
  type CallOptions,
  type CrmFieldValue,
  type CrmUpsertedContact,
  type CrmUpsertedLead,
  type PhoneNumber,
  type UpsertCrmContactInput,
  type UpsertCrmLeadInput,
} from '@sdr/core';
import {
  kommoComplexCreatedSchema,
  kommoContactCreatedSchema,
  kommoPatchedSchema,
  type KommoComplexLead,
  type KommoContact,
  type KommoCustomFieldValues,
  type KommoLeadPatch,
} from './kommo-api.js';
import type { KommoCatalog } from './kommo-catalog.js';
import type { KommoContactIndex } from './kommo-contact-index.js';
import { checkBatchSize, signalOf, type KommoContext } from './kommo-context.js';
import { kommoProvider } from './kommo-errors.js';
import { fetchLeads, searchContacts } from './kommo-reads.js';
import { contactFieldValues, toCrmContact, toCrmLead } from './map-kommo-lead.js';

/** The inputs of one phone, merged: the first non-empty name, fields (later win), every tag. */
interface PhoneGroup {
  readonly phone: PhoneNumber;
  readonly indexes: number[];
  name: string | null;
  email: string | null;
  stage: UpsertCrmLeadInput['stage'];
  fields: Record<string, CrmFieldValue> | undefined;
  tags: Set<string>;
}

function groupByPhone(inputs: readonly UpsertCrmLeadInput[]): PhoneGroup[] {
  const groups = new Map<string, PhoneGroup>();
  inputs.forEach((input, index) => {
    const group = groups.get(input.phone.e164) ?? {
      phone: input.phone,
      indexes: [],
      name: null,
      email: null,
      stage: input.stage,
      fields: undefined,
      tags: new Set<string>(),
    };
    group.indexes.push(index);
    if (group.name === null && input.name) group.name = input.name;
    if (group.email === null && input.email) group.email = input.email;
    if (input.fields !== undefined) group.fields = { ...group.fields, ...input.fields };
    for (const tag of input.tags ?? []) group.tags.add(tag);
    groups.set(input.phone.e164, group);
  });
  return [...groups.values()];
}

/** Finds or creates each lead by its main contact's phone. */
export async function upsertKommoLeads(
  parts: { readonly context: KommoContext; readonly catalog: KommoCatalog; readonly index?: KommoContactIndex | undefined },
  inputs: readonly UpsertCrmLeadInput[],
  options?: CallOptions,
): Promise<CrmUpsertedLead[]> {
  const { context, catalog } = parts;
  checkBatchSize(context, 'inputs', inputs.length);
  if (inputs.length === 0) return [];
  throwIfAborted(options, { provider: kommoProvider, operation: 'leads.upsert' });
  const label = (index: number) => (inputs.length === 1 ? 'input' : `inputs.${index}`);
  const tagErrors = inputs.flatMap((input, index) =>
    (input.tags ?? []).some((tag) => tag.trim() === '') ? [{ field: `${label(index)}.tags`, message: 'a tag must not be empty' }] : [],
  );
  if (tagErrors.length > 0) throw new ValidationError(tagErrors);
  await catalog.checkStages(
    inputs.flatMap((input, index) => (input.stage === undefined ? [] : [{ field: `${label(index)}.stage`, stage: input.stage }])),
    options,
  );
  await catalog.fieldValues(
    inputs.map((input, index) => ({ field: label(index), fields: input.fields })),
    options,
  );

  const groups = groupByPhone(inputs);
  const fieldValues = await catalog.fieldValues(
    groups.map((group) => ({ field: 'inputs', fields: group.fields })),
    options,
  );
  const found = new Map<PhoneGroup, { readonly leadId: number | null; readonly contact: KommoContact }>();
  const absent =
    parts.index === undefined
      ? new Set<string>()
      : await parts.index.absent(
          groups.map((group) => group.phone),
          options,
        );
  for (const group of groups) {
    if (absent.has(group.phone.e164)) continue;
    const contacts = await searchContacts(context, group.phone, options);
    const withLead = contacts
      .flatMap((contact) => (contact._embedded?.leads ?? []).map((lead) => ({ leadId: lead.id, contact })))
      .sort((a, b) => b.leadId - a.leadId)[0];
    const first = contacts[0];
    if (withLead !== undefined) found.set(group, withLead);
    else if (first !== undefined) found.set(group, { leadId: null, contact: first });
  }

  const patches: KommoLeadPatch[] = [];
  const creates: { readonly group: PhoneGroup; readonly body: KommoComplexLead }[] = [];
  groups.forEach((group, index) => {
    const match = found.get(group);
    const values = fieldValues[index];
    if (match?.leadId !== null && match?.leadId !== undefined) {
      const patch: KommoLeadPatch = { id: match.leadId };
      if (group.name !== null) patch.name = group.name;
      if (values !== undefined && values.length > 0) patch.custom_fields_values = values;
      if (group.tags.size > 0) patch.tags_to_add = [...group.tags].map((name) => ({ name }));
      if (Object.keys(patch).length > 1) patches.push(patch);
      return;
    }
    creates.push({ group, body: complexLead(group, values, match?.contact) });
  });

  const leadIds = new Map<PhoneGroup, number>();
  const contactIds = new Map<PhoneGroup, number>();
  for (const [group, match] of found) {
    if (match.leadId !== null) leadIds.set(group, match.leadId);
    contactIds.set(group, match.contact.id);
  }
  if (patches.length > 0) {
    await context.request({
      operation: 'leads.update',
      method: 'patch',
      path: 'api/v4/leads',
      json: patches,
      schema: kommoPatchedSchema,
      signal: signalOf(options),
    });
  }
  if (creates.length > 0) {
    const created = await context.request({
      operation: 'leads.complex',
      method: 'post',
      path: 'api/v4/leads/complex',
      json: creates.map((create) => create.body),
      schema: kommoComplexCreatedSchema,
      signal: signalOf(options),
    });
    creates.forEach((create, index) => {
      const answer = created[index];
      if (answer === undefined) return;
      parts.index?.remember(create.group.phone);
      leadIds.set(create.group, answer.id);
      if (answer.contact_id !== null && answer.contact_id !== undefined) contactIds.set(create.group, answer.contact_id);
    });
  }

  // Found leads are read back (their tags and fields are Kommo's); created ones are what was sent.
  const foundIds = [...found.values()].map((match) => match.leadId).filter((id) => id !== null);
  const leads = foundIds.length === 0 ? [] : await fetchLeads(context, foundIds, options);
  const results: CrmUpsertedLead[] = [];
  for (const group of groups) {
    const leadId = leadIds.get(group);
    const wasFound = (found.get(group)?.leadId ?? null) !== null;
    const lead = wasFound ? leads.find((candidate) => candidate.id === leadId) : undefined;
    if (leadId === undefined || (wasFound && lead === undefined)) {
      throw new ProviderError({
        provider: kommoProvider,
        operation: 'leads.upsert',
        message: 'Kommo did not answer a lead it had just written',
      });
    }
    const contactId = contactIds.get(group);
    const crmLead: CrmLead =
      lead === undefined
        ? {
            leadId: String(leadId),
            contactId: contactId === undefined ? null : String(contactId),
            name: group.name,
            phone: group.phone.e164,
            stage: group.stage ?? null,
            fields: { ...group.fields },
            tags: [...group.tags],
          }
        : {
            ...toCrmLead(lead, undefined, context.defaultCountry),
            phone: group.phone.e164,
            contactId: contactId === undefined ? null : String(contactId),
          };
    group.indexes.forEach((inputIndex, position) => {
      results[inputIndex] = { lead: crmLead, created: position === 0 && !wasFound };
    });
  }
  return results;
}

function complexLead(group: PhoneGroup, values: KommoCustomFieldValues[] | undefined, contact: KommoContact | undefined): KommoComplexLead {
  const body: KommoComplexLead = {
    _embedded: {
      contacts: [
        contact === undefined
          ? { ...(group.name === null ? {} : { name: group.name }), custom_fields_values: contactFieldValues(group.phone, group.email) }
          : { id: contact.id },
      ],
    },
  };
  if (group.name !== null) body.name = group.name;
  if (group.stage !== undefined) {
    body.status_id = Number(group.stage.statusId);
    body.pipeline_id = Number(group.stage.pipelineId);
  }
  if (values !== undefined && values.length > 0) body.custom_fields_values = values;
  // A new lead has no tags to lose: its first tags may be embedded.
  if (group.tags.size > 0) body._embedded.tags = [...group.tags].map((name) => ({ name }));
  return body;
}

/** Finds or creates each contact by phone; non-empty new values update a found one. */
export async function upsertKommoContacts(
  context: KommoContext,
  index: KommoContactIndex | undefined,
  inputs: readonly UpsertCrmContactInput[],
  options?: CallOptions,
): Promise<CrmUpsertedContact[]> {
  checkBatchSize(context, 'inputs', inputs.length);
  if (inputs.length === 0) return [];
  throwIfAborted(options, { provider: kommoProvider, operation: 'contacts.upsert' });
  const groups = groupByPhone(inputs.map((input) => ({ phone: input.phone, name: input.name ?? null, email: input.email ?? null })));
  const found = new Map<PhoneGroup, KommoContact>();
  const absent =
    index === undefined
      ? new Set<string>()
      : await index.absent(
          groups.map((group) => group.phone),
          options,
        );
  for (const group of groups) {
    if (absent.has(group.phone.e164)) continue;
    const [contact] = await searchContacts(context, group.phone, options);
    if (contact !== undefined) found.set(group, contact);
  }
  const updates: { id: number; name?: string; custom_fields_values?: KommoCustomFieldValues[] }[] = [];
  const created: PhoneGroup[] = [];
  for (const group of groups) {
    const contact = found.get(group);
    if (contact === undefined) {
      created.push(group);
      continue;
    }
    const current = toCrmContact(contact, group.phone, context.defaultCountry);
    const update: (typeof updates)[number] = { id: contact.id };
    if (group.name !== null && group.name !== current.name) update.name = group.name;
    if (group.email !== null && group.email !== current.email) {
      update.custom_fields_values = [{ field_code: 'EMAIL', values: [{ value: group.email, enum_code: 'WORK' }] }];
    }
    if (Object.keys(update).length > 1) updates.push(update);
  }
  if (updates.length > 0) {
    await context.request({
      operation: 'contacts.update',
      method: 'patch',
      path: 'api/v4/contacts',
      json: updates,
      schema: kommoPatchedSchema,
      signal: signalOf(options),
    });
  }
  const newIds = new Map<PhoneGroup, number>();
  if (created.length > 0) {
    const answer = await context.request({
      operation: 'contacts.create',
      method: 'post',
      path: 'api/v4/contacts',
      json: created.map((group) => ({
        ...(group.name === null ? {} : { name: group.name }),
        custom_fields_values: contactFieldValues(group.phone, group.email),
      })),
      schema: kommoContactCreatedSchema,
      signal: signalOf(options),
    });
    created.forEach((group, position) => {
      const contact = answer._embedded.contacts[position];
      index?.remember(group.phone);
      if (contact !== undefined) newIds.set(group, contact.id);
    });
  }
  const results: CrmUpsertedContact[] = [];
  for (const group of groups) {
    const contact = found.get(group);
    const before = contact === undefined ? null : toCrmContact(contact, group.phone, context.defaultCountry);
    const value = {
      contactId: String(contact?.id ?? newIds.get(group) ?? ''),
      name: group.name ?? before?.name ?? null,
      phone: group.phone.e164,
      email: group.email ?? before?.email ?? null,
    };
    group.indexes.forEach((inputIndex, position) => {
      results[inputIndex] = { contact: value, created: contact === undefined && position === 0 };
    });
  }
  return results;
}
