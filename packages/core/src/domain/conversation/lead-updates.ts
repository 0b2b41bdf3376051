/**
 * Changes to a lead's name, qualification fields and tags, each with its CRM outbox entry in the same
 * unit of work (SPEC §4.7). Entries name what changed — field names, tags added and removed —
 * and carry no field values: the CRM sync projects them from the store.
 */
import { NotFoundError } from '../../errors/index.js';
import { appendLeadCrmEntry, type LeadCrmChange } from '../sync/lead-crm-outbox.js';
import { transactionWithRetry } from '../unit-of-work/transaction-retry.js';
import { nameSchema, type FieldValue, type JsonValue } from '../model/common.js';
import { leadFieldsSchema, tagSchema, type Lead } from '../model/lead.js';
import { parseOrThrow } from '../model/parse.js';
import type { Tenant } from '../model/tenant.js';
import type { ConversationDeps } from './conversation-deps.js';

/** A change to a lead: the new lead (`null`: nothing changes) and the CRM entry that says so. */
type LeadChange = (lead: Lead) => { readonly lead: Lead; readonly type: LeadCrmChange; readonly payload: Record<string, JsonValue> } | null;

/** Input of `updateLead`: every part is optional; the parts given are applied together. */
export interface UpdateLeadInput {
  readonly tenant: Tenant;
  readonly leadId: string;
  /** The lead's new name. */
  readonly name?: string | undefined;
  /** Qualification fields to set (`null` clears one); fields not named are kept. */
  readonly fields?: Readonly<Record<string, FieldValue>> | undefined;
  /** Tags to add and remove, keeping the others. */
  readonly tags?: { readonly add?: readonly string[] | undefined; readonly remove?: readonly string[] | undefined } | undefined;
}

/**
 * Renames a lead and changes its fields and tags in **one** unit of work, each change with its CRM
 * outbox entry: an API's `PATCH` applies all of it or nothing. Every part is validated before
 * anything is read, so bad input writes nothing.
 */
export async function updateLead(deps: Pick<ConversationDeps, 'store' | 'clock'>, input: UpdateLeadInput): Promise<Lead> {
  const changes: LeadChange[] = [];
  if (input.name !== undefined) changes.push(renameChange(parseOrThrow(nameSchema, input.name, 'name')));
  if (input.fields !== undefined) changes.push(fieldsChange(parseOrThrow(leadFieldsSchema, input.fields, 'fields')));
  if (input.tags !== undefined) {
    changes.push(
      tagsChange({
        add: parseOrThrow(tagSchema.array().max(100), input.tags.add ?? [], 'tags.add'),
        remove: parseOrThrow(tagSchema.array().max(100), input.tags.remove ?? [], 'tags.remove'),
      }),
    );
  }
  return changeLead(deps, input, changes);
}

/** Sets qualification fields (`null` clears a value); fields not named are kept. */
export async function updateLeadFields(
  deps: Pick<ConversationDeps, 'store' | 'clock'>,
  input: { readonly tenant: Tenant; readonly leadId: string; readonly fields: Readonly<Record<string, FieldValue>> },
): Promise<Lead> {
  return changeLead(deps, input, [fieldsChange(parseOrThrow(leadFieldsSchema, input.fields, 'fields'))]);
}

/** Adds and removes tags without replacing the others (as the CRM does with `tags_to_add`/`tags_to_delete`). */
export async function updateLeadTags(
  deps: Pick<ConversationDeps, 'store' | 'clock'>,
  input: { readonly tenant: Tenant; readonly leadId: string; readonly add?: readonly string[]; readonly remove?: readonly string[] },
): Promise<Lead> {
  const add = parseOrThrow(tagSchema.array().max(100), input.add ?? [], 'add');
  const remove = parseOrThrow(tagSchema.array().max(100), input.remove ?? [], 'remove');
  return changeLead(deps, input, [tagsChange({ add, remove })]);
}

function renameChange(name: string): LeadChange {
  return (lead) => (lead.name === name ? null : { lead: { ...lead, name }, type: 'lead.name_changed', payload: {} });
}

function fieldsChange(patch: Readonly<Record<string, FieldValue>>): LeadChange {
  return (lead) => {
    const changed = Object.keys(patch).filter((name) => !(name in lead.fields) || !Object.is(lead.fields[name], patch[name]));
    if (changed.length === 0) return null;
    const fields = parseOrThrow(leadFieldsSchema, { ...lead.fields, ...patch }, 'fields');
    return { lead: { ...lead, fields }, type: 'lead.fields_changed', payload: { fields: changed } };
  };
}

function tagsChange(input: { readonly add: readonly string[]; readonly remove: readonly string[] }): LeadChange {
  return (lead) => {
    const removed = [...new Set(input.remove)].filter((tag) => lead.tags.includes(tag));
    const kept = lead.tags.filter((tag) => !removed.includes(tag));
    const added = [...new Set(input.add)].filter((tag) => !kept.includes(tag) && !removed.includes(tag));
    if (added.length === 0 && removed.length === 0) return null;
    const tags = parseOrThrow(tagSchema.array().max(100), [...kept, ...added], 'tags');
    return { lead: { ...lead, tags }, type: 'lead.tags_changed', payload: { added, removed } };
  };
}

/** Reads the lead, applies `changes` in order and writes it once with their CRM entries, in one unit of work. */
function changeLead(
  deps: Pick<ConversationDeps, 'store' | 'clock'>,
  input: { readonly tenant: Tenant; readonly leadId: string },
  changes: readonly LeadChange[],
): Promise<Lead> {
  return transactionWithRetry(deps.store, async (tx) => {
    const lead = await tx.leads.get(input.tenant.id, input.leadId);
    if (!lead) throw new NotFoundError('lead', input.leadId);
    let next = lead;
    const entries: { readonly type: LeadCrmChange; readonly payload: Record<string, JsonValue> }[] = [];
    for (const change of changes) {
      const changed = change(next);
      if (!changed) continue;
      next = changed.lead;
      entries.push({ type: changed.type, payload: changed.payload });
    }
    if (entries.length === 0) return lead;
    const updated = await tx.leads.update({ ...next, updatedAt: deps.clock.now() });
    for (const entry of entries) await appendLeadCrmEntry(tx, { tenantId: lead.tenantId, leadId: lead.id, ...entry });
    return updated;
  });
}
