/**
 * Opting a lead out (rule 6 of SPEC §4.2: opted-out leads get nothing): the flag, the
 * cancellation of every pending message and the end of automation are one unit of work.
 * Opting out twice keeps the first `optedOutAt`.
 */
import { NotFoundError } from '../../errors/index.js';
import { deferred, emitDeferred } from '../follow-up/deferred-events.js';
import { transactionWithRetry } from '../follow-up/transaction-retry.js';
import type { Lead } from '../model/lead.js';
import type { Tenant } from '../model/tenant.js';
import type { ConversationDeps } from './conversation-deps.js';

/** Marks the lead opted out and stops everything automatic for it. */
export async function optOut(
  deps: Pick<ConversationDeps, 'store' | 'clock' | 'followUp' | 'events'>,
  input: { readonly tenant: Tenant; readonly leadId: string; readonly at?: Date },
): Promise<Lead> {
  const { tenant, leadId } = input;
  const at = input.at ?? deps.clock.now();
  const { lead, events } = await transactionWithRetry(deps.store, async (tx) => {
    const current = await tx.leads.get(tenant.id, leadId);
    if (!current) throw new NotFoundError('lead', leadId);
    const newly = !current.optedOut;
    if (newly) await tx.leads.update({ ...current, optedOut: true, optedOutAt: at, updatedAt: at });
    const followUp = await deps.followUp.handleWithin(tx, { tenant, leadId, event: { type: 'opted_out' }, now: at });
    const optedOut = newly ? [deferred('lead.opted_out', { tenantId: tenant.id, at, leadId })] : [];
    return { lead: followUp.lead, events: [...optedOut, ...followUp.events] };
  });
  emitDeferred(deps.events, events);
  return lead;
}
