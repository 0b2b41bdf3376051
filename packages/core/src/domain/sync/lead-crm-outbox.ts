/**
 * The CRM outbox entry of a change to a lead (SPEC §4.7), written through the same unit of work
 * as the change. Entries name what changed and carry no personal data: the CRM sync projects
 * the lead's desired CRM state from the store.
 */
import type { JsonValue } from '../model/common.js';
import type { OutboxEntry } from '../model/outbox.js';
import type { Repositories } from '../../ports/repositories/repositories.js';

/**
 * The lead changes the CRM must reflect, plus what the CRM sync itself records: a note to append
 * (`lead.note_added`, the one entry that carries text), the stage a human put the card in
 * (`lead.crm_stage_observed`) and a repair asked for by reconciliation (`lead.resync`).
 */
export type LeadCrmChange =
  | 'lead.created'
  | 'lead.name_changed'
  | 'lead.stage_changed'
  | 'lead.fields_changed'
  | 'lead.tags_changed'
  | 'lead.opted_out'
  | 'lead.note_added'
  | 'lead.crm_stage_observed'
  | 'lead.resync';

/** Appends the `crm` outbox entry of a change to a lead. */
export function appendLeadCrmEntry(
  tx: Pick<Repositories, 'outbox'>,
  input: { readonly tenantId: string; readonly leadId: string; readonly type: LeadCrmChange; readonly payload?: Record<string, JsonValue> },
): Promise<OutboxEntry> {
  return tx.outbox.append({
    tenantId: input.tenantId,
    topic: 'crm',
    aggregateType: 'lead',
    aggregateId: input.leadId,
    type: input.type,
    payload: input.payload ?? {},
  });
}
