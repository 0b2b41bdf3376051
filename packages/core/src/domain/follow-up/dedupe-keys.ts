/**
 * Dedupe keys of follow-up messages: one per intent, so that scheduling the same intent twice
 * (a replayed event, a crash between commit and acknowledgement) keeps one row.
 *
 * - A re-engagement belongs to one silence, identified by the instant it started.
 * - A reminder belongs to one appointment **at one start time**: an appointment moved in place
 *   (same id, new start) gets new reminders instead of colliding with the cancelled old ones.
 */
import type { ScheduledKind } from '../model/scheduled-message.js';

/** The follow-up kinds that belong to a silence (re-engagements and the final give-up). */
export const silenceKinds = ['reengage_1', 'reengage_2', 'give_up'] as const satisfies readonly ScheduledKind[];
/** The follow-up kinds that belong to a meeting. */
export const meetingReminderKinds = ['reminder_24h', 'reminder_2h'] as const satisfies readonly ScheduledKind[];
/** Every kind the follow-up engine schedules and its dispatch handler serves. */
export const followUpKinds: readonly ScheduledKind[] = [...silenceKinds, ...meetingReminderKinds];

/** `reengage_1`, `reengage_2` or `give_up`. */
export type SilenceKind = (typeof silenceKinds)[number];
/** `reminder_24h` or `reminder_2h`. */
export type MeetingReminderKind = (typeof meetingReminderKinds)[number];

/** `reengage_1:<leadId>:<silence start in epoch ms>` (and the same for `reengage_2`, `give_up`). */
export function silenceDedupeKey(kind: SilenceKind, leadId: string, silenceStartedAt: Date): string {
  return `${kind}:${leadId}:${silenceStartedAt.getTime()}`;
}

/** `reminder_24h:<appointmentId>:<meeting start in epoch ms>`. */
export function reminderDedupeKey(kind: MeetingReminderKind, appointmentId: string, meetingStart: Date): string {
  return `${kind}:${appointmentId}:${meetingStart.getTime()}`;
}

/** True for `reengage_1`, `reengage_2` and `give_up`. */
export function isSilenceKind(kind: ScheduledKind): kind is SilenceKind {
  return (silenceKinds as readonly ScheduledKind[]).includes(kind);
}

/** True for `reminder_24h` and `reminder_2h`. */
export function isMeetingReminderKind(kind: ScheduledKind): kind is MeetingReminderKind {
  return (meetingReminderKinds as readonly ScheduledKind[]).includes(kind);
}
