/**
 * Rule 5 of SPEC §4.2 (with the timing of rule 7): a booked meeting moves the lead to
 * `meeting_scheduled`, ends the silence, and gets reminders `first` and `second` before it;
 * a reschedule replaces the reminders; a cancel removes them.
 */
import { formatDuration } from '../model/common.js';
import { meetingReminderKinds, reminderDedupeKey, silenceKinds, type MeetingReminderKind } from './dedupe-keys.js';
import { placeReminder } from './follow-up-timing.js';
import type { DroppedFollowUp, FollowUpAppointment, FollowUpCommand, FollowUpDecision, FollowUpPolicyInput } from './follow-up-types.js';
import { cancelPendingKinds, decide, explain } from './policy-support.js';

/** Rule 5: booked. */
export function onMeetingBooked(input: FollowUpPolicyInput, appointment: FollowUpAppointment): FollowUpDecision {
  const commands: FollowUpCommand[] = [...toMeetingScheduled(input, appointment)];
  commands.push(
    ...cancelPendingKinds({
      pending: input.pending,
      kinds: silenceKinds,
      reason: 'meeting_booked',
      explanation: explain('4.2.5', 'a meeting was booked: pending re-engagements are cancelled', { appointmentId: appointment.id }),
    }),
  );
  const reminders = planReminders(input, appointment);
  return decide([...commands, ...reminders.commands], reminders.dropped);
}

/** Rule 5: rescheduled ⇒ the old reminders are cancelled and new ones scheduled. */
export function onMeetingRescheduled(
  input: FollowUpPolicyInput,
  previous: FollowUpAppointment,
  appointment: FollowUpAppointment,
): FollowUpDecision {
  const reminders = planReminders(input, appointment);
  const kept = new Set(reminders.commands.map((command) => (command.type === 'schedule' ? command.dedupeKey : '')));
  // Matched by key rather than by appointment alone: a reschedule that keeps the appointment id
  // and one that creates a new appointment are handled alike, and a replay cancels nothing.
  const stale = input.pending.filter(
    (message) =>
      (meetingReminderKinds as readonly string[]).includes(message.kind) &&
      (message.appointmentId === previous.id || message.appointmentId === appointment.id) &&
      !kept.has(message.dedupeKey),
  );
  const commands: FollowUpCommand[] = [...toMeetingScheduled(input, appointment)];
  if (stale.length > 0) {
    commands.push({
      type: 'cancel',
      filter: { dedupeKeys: stale.map((message) => message.dedupeKey) },
      reason: 'rescheduled',
      explanation: explain('4.2.5', 'the meeting moved: reminders of the old time are cancelled', {
        previousAppointmentId: previous.id,
        previousStart: previous.start.toISOString(),
        appointmentId: appointment.id,
        start: appointment.start.toISOString(),
      }),
    });
  }
  return decide([...commands, ...reminders.commands], reminders.dropped);
}

/** Rule 5: cancelled ⇒ its reminders are cancelled. */
export function onMeetingCancelled(input: FollowUpPolicyInput, appointment: FollowUpAppointment): FollowUpDecision {
  return decide(
    cancelPendingKinds({
      pending: input.pending,
      kinds: meetingReminderKinds,
      appointmentId: appointment.id,
      reason: 'meeting_cancelled',
      explanation: explain('4.2.5', 'the meeting was cancelled: its reminders are cancelled', {
        appointmentId: appointment.id,
        start: appointment.start.toISOString(),
      }),
    }),
  );
}

function toMeetingScheduled(input: FollowUpPolicyInput, appointment: FollowUpAppointment): FollowUpCommand[] {
  if (input.lead.stage === 'meeting_scheduled' || appointment.status !== 'scheduled') return [];
  return [
    {
      type: 'change_stage',
      from: input.lead.stage,
      to: 'meeting_scheduled',
      source: 'automation',
      explanation: explain('4.2.5', 'a meeting was booked', { appointmentId: appointment.id, start: appointment.start.toISOString() }),
    },
  ];
}

/** Reminders of a scheduled meeting, placed by rule 7; the ones that cannot be sent in time are dropped. */
function planReminders(
  input: FollowUpPolicyInput,
  appointment: FollowUpAppointment,
): { readonly commands: FollowUpCommand[]; readonly dropped: DroppedFollowUp[] } {
  const { lead, config, now } = input;
  const commands: FollowUpCommand[] = [];
  const dropped: DroppedFollowUp[] = [];
  if (appointment.status !== 'scheduled') return { commands, dropped };
  const offsets: ReadonlyArray<readonly [MeetingReminderKind, number]> = [
    ['reminder_24h', config.reminders.first],
    ['reminder_2h', config.reminders.second],
  ];
  const blocked = lead.optedOut
    ? 'the lead opted out'
    : lead.automation !== 'active' && !config.reminders.whileAutomationPaused
      ? `automation is ${lead.automation} and reminders are configured not to go out meanwhile`
      : undefined;
  for (const [kind, offsetMs] of offsets) {
    const inputs = {
      appointmentId: appointment.id,
      meetingStart: appointment.start.toISOString(),
      offset: formatDuration(offsetMs),
      bookedAt: now.toISOString(),
    };
    if (blocked) {
      dropped.push({ kind, explanation: explain('4.2.6', `no reminder: ${blocked}`, inputs) });
      continue;
    }
    const placement = placeReminder({
      meetingStart: appointment.start,
      offsetMs,
      bookedAt: now,
      quietHours: config.quietHours,
      minimumBeforeStartMs: config.reminders.minimumBeforeStart,
      timeZone: config.timeZone,
    });
    const summary = `reminder ${formatDuration(offsetMs)} before the meeting`;
    if (!placement.scheduled) {
      dropped.push({
        kind,
        explanation: explain('4.2.5', `${summary} is not scheduled: it could not be sent in time`, inputs, placement.shifts),
      });
      continue;
    }
    commands.push({
      type: 'schedule',
      kind,
      dueAt: placement.dueAt,
      dedupeKey: reminderDedupeKey(kind, appointment.id, appointment.start),
      appointmentId: appointment.id,
      payload: { meetingStart: appointment.start.toISOString() },
      explanation: explain('4.2.5', summary, inputs, placement.shifts),
    });
  }
  return { commands, dropped };
}
