/**
 * Rules 1–4 of SPEC §4.2: a silence starts with the agent's message; re-engagement #1 after
 * `firstAfter`, #2 `secondAfter` after #1 was actually sent, then the give-up `giveUpAfter`
 * after #2 was sent; any inbound message cancels what is pending of the silence.
 */
import { formatDuration } from '../model/common.js';
import type { ScheduledMessage } from '../model/scheduled-message.js';
import { isSilenceKind, silenceDedupeKey, silenceKinds } from './dedupe-keys.js';
import { businessCalendarOf, placeReengagement } from './follow-up-timing.js';
import type { FollowUpCommand, FollowUpDecision, FollowUpPolicyInput } from './follow-up-types.js';
import { automationBlock, cancelPendingKinds, decide, explain, ignore, isoOrNull, kindsCancelledOnStop } from './policy-support.js';

/** Rule 1: the agent's message starts a silence and schedules re-engagement #1. */
export function onOutboundSent(input: FollowUpPolicyInput, at: Date): FollowUpDecision {
  const { lead, config, pending } = input;
  const blocked = automationBlock(lead);
  if (blocked) return ignore(blocked);
  // An event processed out of order must not restart an older silence.
  if (lead.lastInboundAt && lead.lastInboundAt > at) return ignore('replied_after');
  if (lead.lastOutboundAt && lead.lastOutboundAt > at) return ignore('superseded');
  const dedupeKey = silenceDedupeKey('reengage_1', lead.id, at);
  const commands: FollowUpCommand[] = [];
  const previous = pending.filter((message) => isSilenceKind(message.kind) && message.dedupeKey !== dedupeKey);
  if (previous.length > 0) {
    commands.push({
      type: 'cancel',
      filter: { dedupeKeys: previous.map((message) => message.dedupeKey) },
      reason: 'superseded',
      explanation: explain('4.2.1', 'a newer message of the agent starts a new silence', { silenceStartedAt: at.toISOString() }),
    });
  }
  const base = new Date(at.getTime() + config.followUp.firstAfter);
  const placement = placeReengagement(base, businessCalendarOf(config));
  commands.push({
    type: 'schedule',
    kind: 'reengage_1',
    dueAt: placement.dueAt,
    dedupeKey,
    appointmentId: null,
    payload: { silenceStartedAt: at.toISOString() },
    explanation: explain(
      '4.2.1',
      `re-engagement #1 ${formatDuration(config.followUp.firstAfter)} after the silence started`,
      { silenceStartedAt: at.toISOString(), firstAfter: formatDuration(config.followUp.firstAfter), base: base.toISOString() },
      placement.shifts,
    ),
  });
  return decide(commands);
}

/** Rule 4: any inbound message cancels every pending re-engagement of the lead. */
export function onInboundReceived(input: FollowUpPolicyInput, at: Date): FollowUpDecision {
  const commands = cancelPendingKinds({
    pending: input.pending,
    kinds: silenceKinds,
    reason: 'inbound',
    explanation: explain('4.2.4', 'the lead replied: the silence is over; a new one starts with the next message of the agent', {
      inboundAt: at.toISOString(),
    }),
  });
  return commands.length > 0 ? decide(commands) : ignore('nothing_pending');
}

/** Rules 2 and 3: what follows a re-engagement that was actually sent. */
export function onReengagementSent(
  input: FollowUpPolicyInput,
  event: { readonly kind: 'reengage_1' | 'reengage_2'; readonly sentAt: Date; readonly silenceStartedAt: Date },
): FollowUpDecision {
  const { lead, config, pending } = input;
  const blocked = automationBlock(lead);
  if (blocked) return ignore(blocked);
  if (repliedDuring(lead.lastInboundAt, event.silenceStartedAt)) return ignore('replied');
  const ownKeys = new Set(silenceKinds.map((kind) => silenceDedupeKey(kind, lead.id, event.silenceStartedAt)));
  // A pending message of another silence means the agent wrote again meanwhile: this one is over.
  if (pending.some((message) => isSilenceKind(message.kind) && !ownKeys.has(message.dedupeKey))) return ignore('superseded');
  const silenceStartedAt = event.silenceStartedAt.toISOString();
  const inputs = { silenceStartedAt, sentAt: event.sentAt.toISOString() };
  if (event.kind === 'reengage_1') {
    const base = new Date(event.sentAt.getTime() + config.followUp.secondAfter);
    const placement = placeReengagement(base, businessCalendarOf(config));
    return decide([
      {
        type: 'schedule',
        kind: 'reengage_2',
        dueAt: placement.dueAt,
        dedupeKey: silenceDedupeKey('reengage_2', lead.id, event.silenceStartedAt),
        appointmentId: null,
        payload: { silenceStartedAt, previousSentAt: event.sentAt.toISOString() },
        explanation: explain(
          '4.2.2',
          `re-engagement #2 ${formatDuration(config.followUp.secondAfter)} after #1 was actually sent`,
          { ...inputs, secondAfter: formatDuration(config.followUp.secondAfter), base: base.toISOString() },
          placement.shifts,
        ),
      },
    ]);
  }
  const dueAt = new Date(event.sentAt.getTime() + config.followUp.giveUpAfter);
  return decide([
    {
      type: 'schedule',
      kind: 'give_up',
      dueAt,
      dedupeKey: silenceDedupeKey('give_up', lead.id, event.silenceStartedAt),
      appointmentId: null,
      payload: { silenceStartedAt, previousSentAt: event.sentAt.toISOString() },
      explanation: explain('4.2.3', `give up ${formatDuration(config.followUp.giveUpAfter)} after #2 was sent, unless the lead replies`, {
        ...inputs,
        giveUpAfter: formatDuration(config.followUp.giveUpAfter),
      }),
    },
  ]);
}

/** Rule 3: both re-engagements went unanswered ⇒ `not_interested` and automation stopped. No message. */
export function onGiveUpDue(input: FollowUpPolicyInput, silenceStartedAt: Date): FollowUpDecision {
  const { lead, config, pending } = input;
  const blocked = automationBlock(lead);
  if (blocked) return ignore(blocked);
  if (repliedDuring(lead.lastInboundAt, silenceStartedAt)) return ignore('replied');
  const explanation = explain('4.2.3', 'no reply to either re-engagement: the lead is not interested', {
    silenceStartedAt: silenceStartedAt.toISOString(),
    lastInboundAt: isoOrNull(lead.lastInboundAt),
  });
  const commands: FollowUpCommand[] = [];
  if (lead.stage !== 'not_interested') {
    commands.push({ type: 'change_stage', from: lead.stage, to: 'not_interested', source: 'automation', explanation });
  }
  commands.push({ type: 'change_automation', from: lead.automation, to: 'stopped', reason: 'gave_up', explanation });
  commands.push(
    ...cancelPendingKinds({
      pending,
      kinds: kindsCancelledOnStop(config),
      reason: 'automation_stopped',
      explanation,
    }),
  );
  return decide(commands);
}

/** The lead wrote after the silence started. */
export function repliedDuring(lastInboundAt: Date | null, silenceStartedAt: Date): boolean {
  return lastInboundAt !== null && lastInboundAt > silenceStartedAt;
}

/** The silence a re-engagement row belongs to (its payload), or when it was scheduled. */
export function silenceStartOf(message: Pick<ScheduledMessage, 'payload' | 'createdAt'>): Date {
  const value = message.payload['silenceStartedAt'];
  const parsed = typeof value === 'string' ? new Date(value) : undefined;
  return parsed && !Number.isNaN(parsed.getTime()) ? parsed : message.createdAt;
}
