/**
 * A recipient the channel cannot reach at all (`RecipientUnreachableError`: the number is not on
 * WhatsApp) is a fact about the lead, not about one message: the lead is tagged
 * `whatsapp_unreachable` (the CRM learns it through the tag) and its automation stopped, so that
 * nothing more is scheduled or sent to a number that cannot receive it. Idempotent.
 */
import type { Logger } from '../../ports/logger/logger.js';
import type { Store } from '../../ports/repositories/repositories.js';
import { appendLeadCrmEntry } from '../sync/lead-crm-outbox.js';
import { transactionWithRetry } from '../unit-of-work/transaction-retry.js';

/** The tag of a lead whose number cannot be reached on WhatsApp. */
export const unreachableTag = 'whatsapp_unreachable';

/** Marks the lead unreachable; `false` when it already was (or is gone). */
export async function markLeadUnreachable(
  deps: { readonly store: Store; readonly logger: Logger },
  input: { readonly tenantId: string; readonly leadId: string; readonly now: Date; readonly scheduledMessageId: string },
): Promise<boolean> {
  const marked = await transactionWithRetry(deps.store, async (tx) => {
    const lead = await tx.leads.get(input.tenantId, input.leadId);
    if (lead === null || (lead.tags.includes(unreachableTag) && lead.automation === 'stopped')) return false;
    const tagged = !lead.tags.includes(unreachableTag);
    await tx.leads.update({
      ...lead,
      tags: tagged ? [...lead.tags, unreachableTag] : lead.tags,
      automation: 'stopped',
      updatedAt: input.now,
    });
    if (tagged) {
      await appendLeadCrmEntry(tx, {
        tenantId: input.tenantId,
        leadId: input.leadId,
        type: 'lead.tags_changed',
        payload: { added: [unreachableTag], removed: [] },
      });
    }
    return true;
  });
  if (marked) {
    deps.logger.warn(
      { tenantId: input.tenantId, leadId: input.leadId, scheduledMessageId: input.scheduledMessageId },
      'the lead cannot be reached on this channel: tagged and its automation stopped',
    );
  }
  return marked;
}
