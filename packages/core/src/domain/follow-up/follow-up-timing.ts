/**
 * Where a follow-up lands in time (SPEC §4.2 rule 7), as pure functions that also report every
 * shift they applied, for the explanation.
 *
 * - Re-engagements respect business hours: due while closed ⇒ the next opening.
 * - Reminders ignore business hours but honour quiet hours: due in a quiet period ⇒ its end, when
 *   that is still `minimumBeforeStart` before the meeting, otherwise its start (the last moment
 *   before the quiet period). A reminder whose time had passed at booking, or that would land at
 *   or after the meeting start, is dropped — never sent late.
 */
import { BusinessCalendar } from '../time/business-calendar.js';
import { quietPeriodAt, type QuietHours } from '../time/quiet-hours.js';
import type { FollowUpConfig, FollowUpShift } from './follow-up-types.js';

/** A due time and the shifts that produced it. */
export interface Placement {
  readonly dueAt: Date;
  readonly shifts: readonly FollowUpShift[];
}

/** A reminder's placement, or why it was dropped (the last shift says it). */
export type ReminderPlacement =
  | { readonly scheduled: true; readonly dueAt: Date; readonly shifts: readonly FollowUpShift[] }
  | { readonly scheduled: false; readonly shifts: readonly FollowUpShift[] };

/** The tenant's business calendar (holidays included). */
export function businessCalendarOf(config: FollowUpConfig): BusinessCalendar {
  return BusinessCalendar.fromTenant(config);
}

/** `base`, or the next opening of the business when it is closed then. */
export function placeReengagement(base: Date, calendar: BusinessCalendar): Placement {
  if (calendar.isOpen(base)) return { dueAt: new Date(base.getTime()), shifts: [] };
  const opening = calendar.nextOpening(base);
  return { dueAt: opening, shifts: [{ type: 'business_hours', from: base.toISOString(), to: opening.toISOString() }] };
}

/** Places a reminder `offsetMs` before `meetingStart`, booked (or moved) at `bookedAt`. */
export function placeReminder(input: {
  readonly meetingStart: Date;
  readonly offsetMs: number;
  readonly bookedAt: Date;
  readonly quietHours: QuietHours | null;
  readonly minimumBeforeStartMs: number;
  readonly timeZone: string;
}): ReminderPlacement {
  const start = input.meetingStart.getTime();
  const base = new Date(start - input.offsetMs);
  // Rule 5: a reminder whose time already passed is not scheduled, even if quiet hours would
  // push it into the future — that would be a late reminder under another name.
  if (base < input.bookedAt) return { scheduled: false, shifts: [droppedPast(base, input.bookedAt)] };
  const shifts: FollowUpShift[] = [];
  let dueAt = base;
  const quiet = quietPeriodAt(base, input.quietHours, input.timeZone);
  if (quiet) {
    const toEnd = quiet.end.getTime() <= start - input.minimumBeforeStartMs;
    dueAt = new Date((toEnd ? quiet.end : quiet.start).getTime());
    shifts.push({
      type: 'quiet_hours',
      from: base.toISOString(),
      to: dueAt.toISOString(),
      moved: toEnd ? 'to_end' : 'to_start',
      quietStart: quiet.start.toISOString(),
      quietEnd: quiet.end.toISOString(),
    });
  }
  if (dueAt < input.bookedAt) return { scheduled: false, shifts: [...shifts, droppedPast(dueAt, input.bookedAt)] };
  if (dueAt.getTime() >= start) {
    return {
      scheduled: false,
      shifts: [...shifts, { type: 'dropped_after_start', at: dueAt.toISOString(), meetingStart: input.meetingStart.toISOString() }],
    };
  }
  return { scheduled: true, dueAt, shifts };
}

function droppedPast(at: Date, bookedAt: Date): FollowUpShift {
  return { type: 'dropped_past', at: at.toISOString(), bookedAt: bookedAt.toISOString() };
}
