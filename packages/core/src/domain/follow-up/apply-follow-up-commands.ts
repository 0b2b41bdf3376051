/**
 * Applies the policy's commands through the repositories of one unit of work: scheduled messages
 * are scheduled (idempotently, by dedupe key) or cancelled, and the lead's stage and automation
 * state change in one optimistic update — with the CRM outbox entry of a stage change written in
 * the same unit, as SPEC §4.7 requires.
 */
import type { JsonValue } from '../model/common.js';
import type { Lead } from '../model/lead.js';
import type { ScheduledMessage } from '../model/scheduled-message.js';
import type { Repositories } from '../../ports/repositories/repositories.js';
import { deferred, type DeferredEvent } from '../events/after-commit.js';
import type { FollowUpCommand, FollowUpExplanation } from './follow-up-types.js';
import { appendLeadCrmEntry } from '../sync/lead-crm-outbox.js';

/** What applying the commands changed, and the events to emit once the unit of work commits. */
export interface AppliedFollowUp {
  readonly lead: Lead;
  /** Rows this call created (a dedupe-key hit creates nothing). */
  readonly scheduled: readonly ScheduledMessage[];
  readonly cancelled: readonly ScheduledMessage[];
  readonly events: readonly DeferredEvent[];
}

/**
 * Applies `commands` in order. The lead is written once, at the end, and only when its stage or
 * automation state changed. Stage changes write a `lead.stage_changed` outbox entry whose payload
 * carries the `source`: the CRM sync skips `crm` ones (a human's move must not be echoed back)
 * but still learns the CRM's new state from them.
 */
export async function applyFollowUpCommands(
  tx: Repositories,
  input: { readonly lead: Lead; readonly commands: readonly FollowUpCommand[]; readonly now: Date },
): Promise<AppliedFollowUp> {
  const { now } = input;
  const tenantId = input.lead.tenantId;
  const leadId = input.lead.id;
  let lead = input.lead;
  let leadChanged = false;
  const scheduled: ScheduledMessage[] = [];
  const cancelled: ScheduledMessage[] = [];
  const events: DeferredEvent[] = [];

  for (const command of input.commands) {
    switch (command.type) {
      case 'schedule': {
        const result = await tx.scheduledMessages.schedule({
          tenantId,
          leadId,
          kind: command.kind,
          dedupeKey: command.dedupeKey,
          dueAt: command.dueAt,
          templateKey: command.kind === 'give_up' ? null : command.kind,
          payload: { ...command.payload },
          explanation: explanationJson(command.explanation),
          appointmentId: command.appointmentId,
        });
        if (result.created) {
          scheduled.push(result.message);
          events.push(
            deferred('scheduled.created', {
              tenantId,
              at: now,
              scheduledMessageId: result.message.id,
              kind: result.message.kind,
              dueAt: result.message.dueAt,
            }),
          );
        }
        break;
      }
      case 'cancel': {
        const { kinds, dedupeKeys, appointmentId } = command.filter;
        const rows = await tx.scheduledMessages.cancel(
          {
            tenantId,
            leadId,
            ...(kinds === undefined ? {} : { kinds }),
            ...(dedupeKeys === undefined ? {} : { dedupeKeys }),
            ...(appointmentId === undefined ? {} : { appointmentId }),
          },
          { reason: command.reason, now },
        );
        cancelled.push(...rows);
        for (const row of rows) {
          events.push(
            deferred('scheduled.cancelled', { tenantId, at: now, scheduledMessageId: row.id, kind: row.kind, reason: command.reason }),
          );
        }
        break;
      }
      case 'change_stage': {
        if (lead.stage === command.to) break;
        const from = lead.stage;
        lead = { ...lead, stage: command.to, updatedAt: now };
        leadChanged = true;
        await appendLeadCrmEntry(tx, {
          tenantId,
          leadId,
          type: 'lead.stage_changed',
          payload: { from, to: command.to, source: command.source },
        });
        events.push(deferred('stage.changed', { tenantId, at: now, leadId, from, to: command.to, source: command.source }));
        break;
      }
      case 'change_automation': {
        if (lead.automation === command.to) break;
        const from = lead.automation;
        lead = { ...lead, automation: command.to, updatedAt: now };
        leadChanged = true;
        events.push(deferred('automation.changed', { tenantId, at: now, leadId, from, to: command.to, reason: command.reason }));
        break;
      }
    }
  }
  if (leadChanged) lead = await tx.leads.update(lead);
  return { lead, scheduled, cancelled, events };
}

/** The explanation as stored on the row (plain JSON). */
export function explanationJson(explanation: FollowUpExplanation): JsonValue {
  return {
    rule: explanation.rule,
    summary: explanation.summary,
    inputs: { ...explanation.inputs },
    shifts: explanation.shifts.map((shift) => ({ ...shift })),
  };
}
