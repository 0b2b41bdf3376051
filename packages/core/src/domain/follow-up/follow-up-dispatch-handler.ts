/**
 * The dispatcher's handler for follow-ups and reminders (SPEC §4.6): just before a message goes
 * out it re-validates against the current state — the policy decided when the message was
 * scheduled, but the lead may have replied, opted out or been handed off since, and the meeting
 * may have moved. It renders the text, lets re-engagements wait for business hours, performs the
 * give-up, and once a message was sent records it and schedules what follows (rules 2 and 3).
 */
import type { DispatchContext, DispatchDecision, DispatchHandler } from '../dispatch/dispatch-handler.js';
import { commitWithEvents } from '../events/after-commit.js';
import type { DomainEvents } from '../events/domain-events.js';
import type { Logger } from '../../ports/logger/logger.js';
import type { Lead } from '../model/lead.js';
import type { ScheduledMessage } from '../model/scheduled-message.js';
import { recordOutboundWithin } from '../conversation/record-outbound.js';
import { followUpKinds, isSilenceKind } from './dedupe-keys.js';
import { renderFollowUpMessage } from './follow-up-messages.js';
import type { FollowUpService } from './follow-up-service.js';
import { repliedDuring, silenceStartOf } from './silence-rules.js';

/** Options of `createFollowUpDispatchHandler`. */
export interface FollowUpDispatchHandlerOptions {
  readonly followUp: FollowUpService;
  /** Where `message.sent` and the follow-up events of a settled message go. */
  readonly events?: DomainEvents;
  /** Where a throwing event listener is reported. */
  readonly logger?: Logger;
}

/** The `DispatchHandler` of `reengage_1`, `reengage_2`, `give_up`, `reminder_24h` and `reminder_2h`. */
export function createFollowUpDispatchHandler(options: FollowUpDispatchHandlerOptions): DispatchHandler {
  const { followUp, events, logger } = options;
  return {
    kinds: followUpKinds,

    async prepare(message, context) {
      const lead = message.leadId === null ? null : await context.store.leads.get(context.tenant.id, message.leadId);
      if (!lead) return { action: 'skip', reason: 'recipient_missing' };
      if (lead.optedOut) return { action: 'skip', reason: 'opted_out' };
      return isSilenceKind(message.kind) ? prepareReengagement(message, lead, context) : prepareReminder(message, lead, context);
    },

    async perform(message, context) {
      if (message.kind !== 'give_up' || message.leadId === null) return;
      await followUp.handle({
        tenant: context.tenant,
        leadId: message.leadId,
        event: { type: 'give_up_due', silenceStartedAt: silenceStartOf(message) },
        now: context.now,
      });
    },

    async onSettled(message, outcome, context) {
      if (outcome.status !== 'sent' || message.leadId === null) return;
      const leadId = message.leadId;
      await commitWithEvents({ store: context.store, events, logger }, (tx) =>
        recordOutboundWithin(tx, followUp, {
          tenant: context.tenant,
          leadId,
          id: message.id,
          body: outcome.text,
          channel: message.channel,
          providerMessageId: outcome.providerMessageId,
          at: outcome.at,
          scheduledMessage: message,
        }),
      );
    },
  };

  async function prepareReengagement(message: ScheduledMessage, lead: Lead, context: DispatchContext): Promise<DispatchDecision> {
    if (repliedDuring(lead.lastInboundAt, silenceStartOf(message))) return { action: 'skip', reason: 'replied' };
    if (lead.automation === 'paused_handoff') return { action: 'skip', reason: 'automation_paused' };
    if (lead.automation === 'stopped') return { action: 'skip', reason: 'automation_stopped' };
    if (message.kind === 'give_up') return { action: 'perform', businessHours: 'ignore' };
    const rendered = await renderFollowUpMessage({
      templates: context.store.templates,
      tenant: context.tenant,
      kind: message.kind,
      lead,
      seed: message.id,
    });
    return { action: 'send', to: lead.phone, text: rendered.text, instance: context.tenant.messaging.instance, businessHours: 'respect' };
  }

  async function prepareReminder(message: ScheduledMessage, lead: Lead, context: DispatchContext): Promise<DispatchDecision> {
    const { tenant, now } = context;
    if (lead.automation !== 'active' && !tenant.reminders.whileAutomationPaused) {
      return { action: 'skip', reason: lead.automation === 'paused_handoff' ? 'automation_paused' : 'automation_stopped' };
    }
    const appointment = message.appointmentId === null ? null : await context.store.appointments.get(tenant.id, message.appointmentId);
    if (!appointment || appointment.status !== 'scheduled') return { action: 'skip', reason: 'appointment_not_scheduled' };
    const meetingStart = message.payload['meetingStart'];
    if (typeof meetingStart === 'string' && new Date(meetingStart).getTime() !== appointment.start.getTime()) {
      return { action: 'skip', reason: 'appointment_moved' };
    }
    if (appointment.start <= now) return { action: 'skip', reason: 'appointment_started' };
    const rendered = await renderFollowUpMessage({
      templates: context.store.templates,
      tenant,
      kind: message.kind,
      lead,
      appointment,
      seed: message.id,
    });
    // Quiet hours were applied when the reminder was scheduled; business hours do not apply.
    return { action: 'send', to: lead.phone, text: rendered.text, instance: tenant.messaging.instance, businessHours: 'ignore' };
  }
}
