/**
 * Changes to a lead's qualification fields and tags, each with its CRM outbox entry in the same
 * unit of work (SPEC §4.7). Entries name what changed — field names, tags added and removed —
 * and carry no field values: the CRM sync projects them from the store.
 */
import { NotFoundError } from '../../errors/index.js';
import { transactionWithRetry } from '../follow-up/transaction-retry.js';
import type { FieldValue } from '../model/common.js';
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
  return transactionWithRetry(deps.store, async (tx) => {
    const lead = await tx.leads.get(input.tenant.id, input.leadId);
    if (!lead) throw new NotFoundError('lead', input.leadId);
    const changed = Object.keys(patch).filter((name) => !Object.is(lead.fields[name], patch[name]) || !(name in lead.fields));
    if (changed.length === 0) return lead;
    const fields = parseOrThrow(leadFieldsSchema, { ...lead.fields, ...patch }, 'fields');
    const updated = await tx.leads.update({ ...lead, fields, updatedAt: deps.clock.now() });
    await tx.outbox.append({
      tenantId: lead.tenantId,
      topic: 'crm',
      aggregateType: 'lead',
      aggregateId: lead.id,
      type: 'lead.fields_changed',
      payload: { fields: changed },
    });
    return updated;
  });
}

/** Adds and removes tags without replacing the others (as the CRM does with `tags_to_add`/`tags_to_delete`). */
export async function updateLeadTags(
  deps: Pick<ConversationDeps, 'store' | 'clock'>,
  input: { readonly tenant: Tenant; readonly leadId: string; readonly add?: readonly string[]; readonly remove?: readonly string[] },
): Promise<Lead> {
  const add = parseOrThrow(tagSchema.array().max(100), input.add ?? [], 'add');
  const remove = parseOrThrow(tagSchema.array().max(100), input.remove ?? [], 'remove');
  return transactionWithRetry(deps.store, async (tx) => {
    const lead = await tx.leads.get(input.tenant.id, input.leadId);
    if (!lead) throw new NotFoundError('lead', input.leadId);
    const removed = [...new Set(remove)].filter((tag) => lead.tags.includes(tag));
    const kept = lead.tags.filter((tag) => !removed.includes(tag));
    const added = [...new Set(add)].filter((tag) => !kept.includes(tag) && !removed.includes(tag));
    if (added.length === 0 && removed.length === 0) return lead;
    const tags = parseOrThrow(tagSchema.array().max(100), [...kept, ...added], 'tags');
    const updated = await tx.leads.update({ ...lead, tags, updatedAt: deps.clock.now() });
    await tx.outbox.append({
      tenantId: lead.tenantId,
      topic: 'crm',
      aggregateType: 'lead',
      aggregateId: lead.id,
      type: 'lead.tags_changed',
      payload: { added, removed },
    });
    return updated;
  });
}
