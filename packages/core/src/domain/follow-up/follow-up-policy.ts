/**
 * The follow-up policy of SPEC §4.2 — the user's rule, exactly that — as one pure function:
 * (lead state, appointment state, event, now, tenant config) ⇒ commands, each with an
 * explanation of the rule, the inputs and every shift applied. No I/O, no clock: the service
 * loads the state, asks, and applies the answer.
 */
import type { FollowUpDecision, FollowUpPolicyInput } from './follow-up-types.js';
import { onCrmStageChanged, onHandoff, onOperatorStageChanged, onOptedOut, onResume } from './automation-rules.js';
import { onMeetingBooked, onMeetingCancelled, onMeetingRescheduled } from './meeting-rules.js';
import { onGiveUpDue, onInboundReceived, onOutboundSent, onReengagementSent } from './silence-rules.js';

/** Decides what an event means for a lead's follow-ups and reminders. */
export function decideFollowUp(input: FollowUpPolicyInput): FollowUpDecision {
  const { event } = input;
  switch (event.type) {
    case 'outbound_sent':
      return onOutboundSent(input, event.at);
    case 'inbound_received':
      return onInboundReceived(input, event.at);
    case 'reengagement_sent':
      return onReengagementSent(input, event);
    case 'give_up_due':
      return onGiveUpDue(input, event.silenceStartedAt);
    case 'meeting_booked':
      return onMeetingBooked(input, event.appointment);
    case 'meeting_rescheduled':
      return onMeetingRescheduled(input, event.previous, event.appointment);
    case 'meeting_cancelled':
      return onMeetingCancelled(input, event.appointment);
    case 'handoff':
      return onHandoff(input, event.reason, event.requestedBy);
    case 'resume':
      return onResume(input);
    case 'opted_out':
      return onOptedOut(input);
    case 'crm_stage_changed':
      return onCrmStageChanged(input, event.to);
    case 'operator_stage_changed':
      return onOperatorStageChanged(input, event.to);
  }
}
