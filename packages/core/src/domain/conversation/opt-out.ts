/**
 * Opting a lead out (rule 6 of SPEC §4.2: opted-out leads get nothing): the flag, the
 * cancellation of every pending message and the end of automation are one unit of work.
 * Opting out twice keeps the first `optedOutAt`. The CRM reflects it (the sync tags the lead),
 * so the flag writes its `lead.opted_out` outbox entry in the same unit.
 */
import { NotFoundError } from '../../errors/index.js';
import { commitWithEvents, deferred } from '../events/after-commit.js';
import { appendLeadCrmEntry } from '../sync/lead-crm-outbox.js';
import type { Lead } from '../model/lead.js';
import type { Tenant } from '../model/tenant.js';
import type { ConversationDeps } from './conversation-deps.js';

/** Marks the lead opted out and stops everything automatic for it. */
export async function optOut(
  deps: Pick<ConversationDeps, 'store' | 'clock' | 'followUp' | 'events' | 'logger'>,
  input: { readonly tenant: Tenant; readonly leadId: string; readonly at?: Date },
): Promise<Lead> {
  const { tenant, leadId } = input;
  const at = input.at ?? deps.clock.now();
  const { lead } = await commitWithEvents(deps, async (tx) => {
    const current = await tx.leads.get(tenant.id, leadId);
    if (!current) throw new NotFoundError('lead', leadId);
    const newly = !current.optedOut;
    let lead = current;
    if (newly) {
      lead = await tx.leads.update({ ...current, optedOut: true, optedOutAt: at, updatedAt: at });
      await appendLeadCrmEntry(tx, { tenantId: tenant.id, leadId, type: 'lead.opted_out' });
    }
    const followUp = await deps.followUp.handleWithin(tx, { tenant, leadId, lead, event: { type: 'opted_out' }, now: at });
    const optedOut = newly ? [deferred('lead.opted_out', { tenantId: tenant.id, at, leadId })] : [];
    return { lead: followUp.lead, events: [...optedOut, ...followUp.events] };
  });
  return lead;
}
