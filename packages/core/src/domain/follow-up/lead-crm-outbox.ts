/**
 * The CRM outbox entry of a change to a lead (SPEC §4.7), written through the same unit of work
 * as the change. Entries name what changed and carry no personal data: the CRM sync projects
 * the lead's desired CRM state from the store.
 */
import type { JsonValue } from '../model/common.js';
import type { OutboxEntry } from '../model/outbox.js';
import type { Repositories } from '../../ports/repositories/repositories.js';

/** The lead changes the CRM must reflect. */
export type LeadCrmChange = 'lead.created' | 'lead.stage_changed' | 'lead.fields_changed' | 'lead.tags_changed';

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
