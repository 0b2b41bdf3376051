/**
 * Writes one item's decision through a transaction's repositories: the contact upsert, the
 * cycle, and a scheduled message per step planned to go out — so that a cycle never exists
 * without its messages, nor a message without its cycle.
 */
import type { JsonValue } from '../model/common.js';
import type { ScheduledMessage } from '../model/scheduled-message.js';
import type { Repositories } from '../../ports/repositories/repositories.js';
import type { BillingItemDecision } from './billing-evaluate.js';
import { billingStepDedupeKey, billingStepMessageIdFor } from './billing-ids.js';
import type { BillingStepExplanation } from './billing-planner.js';

/**
 * Applies `decision` through `tx`; returns the scheduled messages it created. Duplicates and
 * invalid items write nothing. A store invariant broken by a concurrent writer surfaces as the
 * store's `DuplicateError` or `VersionConflictError`.
 */
export async function writeBillingDecision(tx: Repositories, decision: BillingItemDecision): Promise<ScheduledMessage[]> {
  if (decision.status === 'invalid' || decision.status === 'duplicate') return [];
  const { contact, cycle } = decision;
  if (contact.action === 'create') await tx.contacts.create(contact.contact);
  if (contact.action === 'update') await tx.contacts.update(contact.contact);
  if (decision.status === 'updated') {
    // The schedule is kept: its pending messages render the corrected values when they are sent.
    if (decision.cycleChanged) await tx.billingCycles.update(cycle);
    return [];
  }
  await tx.billingCycles.create(cycle);
  const created: ScheduledMessage[] = [];
  for (const step of decision.steps) {
    if (step.status !== 'scheduled') continue;
    const scheduled = await tx.scheduledMessages.schedule({
      id: billingStepMessageIdFor({ billingCycleId: cycle.id, step: step.step }),
      tenantId: cycle.tenantId,
      contactId: cycle.contactId,
      kind: 'billing_step',
      dedupeKey: billingStepDedupeKey({ billingCycleId: cycle.id, step: step.step }),
      dueAt: step.sendAt,
      templateKey: step.requestedTemplateKey,
      payload: { step: step.step, offsetDays: step.offsetDays, templateKey: step.templateKey, variationId: step.variationId },
      explanation: explanationJson(step.explanation),
      billingCycleId: cycle.id,
    });
    if (scheduled.created) created.push(scheduled.message);
  }
  return created;
}

function explanationJson(explanation: BillingStepExplanation): JsonValue {
  return { ...explanation, shifts: [...explanation.shifts] };
}
