/**
 * Changes to a lead's qualification fields and tags, each with its CRM outbox entry in the same
 * unit of work (SPEC §4.7). Entries name what changed — field names, tags added and removed —
 * and carry no field values: the CRM sync projects them from the store.
 */
import { NotFoundError } from '../../errors/index.js';
import { appendLeadCrmEntry, type LeadCrmChange } from '../follow-up/lead-crm-outbox.js';
import { transactionWithRetry } from '../follow-up/transaction-retry.js';
import type { FieldValue, JsonValue } from '../model/common.js';
import { leadFieldsSchema, tagSchema, type Lead } from '../model/lead.js';
import { parseOrThrow } from '../model/parse.js';
import type { Tenant } from '../model/tenant.js';
import type { ConversationDeps } from './conversation-deps.js';

/** Sets qualification fields (`null` clears a value); fields not named are kept. */
export async function updateLeadFields(
  deps: Pick<ConversationDeps, 'store' | 'clock'>,
  input: { readonly tenant: Tenant; readonly leadId: string; readonly fields: Readonly<Record<string, FieldValue>> },
): Promise<Lead> {
  const patch = parseOrThrow(leadFieldsSchema, input.fields, 'fields');
  return changeLead(deps, input, (lead) => {
    const changed = Object.keys(patch).filter((name) => !(name in lead.fields) || !Object.is(lead.fields[name], patch[name]));
    if (changed.length === 0) return null;
    const fields = parseOrThrow(leadFieldsSchema, { ...lead.fields, ...patch }, 'fields');
    return { lead: { ...lead, fields }, type: 'lead.fields_changed', payload: { fields: changed } };
  });
}

/** Adds and removes tags without replacing the others (as the CRM does with `tags_to_add`/`tags_to_delete`). */
export async function updateLeadTags(
  deps: Pick<ConversationDeps, 'store' | 'clock'>,
  input: { readonly tenant: Tenant; readonly leadId: string; readonly add?: readonly string[]; readonly remove?: readonly string[] },
): Promise<Lead> {
  const add = parseOrThrow(tagSchema.array().max(100), input.add ?? [], 'add');
  const remove = parseOrThrow(tagSchema.array().max(100), input.remove ?? [], 'remove');
  return changeLead(deps, input, (lead) => {
    const removed = [...new Set(remove)].filter((tag) => lead.tags.includes(tag));
    const kept = lead.tags.filter((tag) => !removed.includes(tag));
    const added = [...new Set(add)].filter((tag) => !kept.includes(tag) && !removed.includes(tag));
    if (added.length === 0 && removed.length === 0) return null;
    const tags = parseOrThrow(tagSchema.array().max(100), [...kept, ...added], 'tags');
    return { lead: { ...lead, tags }, type: 'lead.tags_changed', payload: { added, removed } };
  });
}

/** Reads the lead, applies `change` (`null`: nothing changes) and writes it with its CRM entry, in one unit of work. */
function changeLead(
  deps: Pick<ConversationDeps, 'store' | 'clock'>,
  input: { readonly tenant: Tenant; readonly leadId: string },
  change: (lead: Lead) => { readonly lead: Lead; readonly type: LeadCrmChange; readonly payload: Record<string, JsonValue> } | null,
): Promise<Lead> {
  return transactionWithRetry(deps.store, async (tx) => {
    const lead = await tx.leads.get(input.tenant.id, input.leadId);
    if (!lead) throw new NotFoundError('lead', input.leadId);
    const changed = change(lead);
    if (!changed) return lead;
    const updated = await tx.leads.update({ ...changed.lead, updatedAt: deps.clock.now() });
    await appendLeadCrmEntry(tx, { tenantId: lead.tenantId, leadId: lead.id, type: changed.type, payload: changed.payload });
    return updated;
  });
}
