/**
 * A person moved one of our events in the calendar itself: the appointment follows — same id,
 * same event, new times, the observers told it was rescheduled (reminders moved) — unless the
 * new time conflicts with another meeting (free/busy, a stored appointment, their buffers) or
 * lies in the past; then nothing changes and the caller flags it for an operator.
 *
 * Business hours, notice and horizon do not apply: they describe what the bot offers, and a
 * person who moves a meeting in their own calendar overrides them, as an operator may.
 */
import type { Appointment } from '../model/appointment.js';
import type { Interval } from '../time/local-time.js';
import type { SlotRefusal } from './availability.js';
import { checkSlotFreshly } from './booking-slots.js';
import { emitAfterCommit, notifyObservers, transactionWithEffects } from './booking-unit-of-work.js';
import { loadTenant, withCalendarLock, type BookingContext } from './booking-context.js';
import { SlotUnavailableError } from '../../errors/index.js';
import { writeEventsWithin } from '../events/after-commit.js';
import { rescheduledEvent } from './appointment-events.js';

/** Input of `BookingService.followCalendarMove`. */
export interface CalendarMoveInput {
  readonly tenantId: string;
  readonly appointmentId: string;
  /** The event whose times changed: it must still be the appointment's. */
  readonly eventId: string;
  readonly start: Date;
  readonly end: Date;
}

/** What `followCalendarMove` did. */
export type CalendarMoveResult =
  | { readonly kind: 'rescheduled'; readonly previous: Appointment; readonly appointment: Appointment }
  | { readonly kind: 'conflict'; readonly appointment: Appointment; readonly reason: SlotRefusal }
  /** Not a `scheduled` appointment with that event (cancelled meanwhile, or another event), or the times already agree. */
  | { readonly kind: 'unchanged' };

/** See the module comment. */
export async function followCalendarMove(context: BookingContext, input: CalendarMoveInput): Promise<CalendarMoveResult> {
  const tenant = await loadTenant(context, input.tenantId);
  const first = await context.store.appointments.get(tenant.id, input.appointmentId);
  if (first === null) return { kind: 'unchanged' };
  return withCalendarLock(context, {
    tenantId: tenant.id,
    calendarId: first.calendarId,
    run: async (): Promise<CalendarMoveResult> => {
      const current = await context.store.appointments.get(tenant.id, input.appointmentId);
      if (current?.status !== 'scheduled' || current.calendarEventId !== input.eventId) return { kind: 'unchanged' };
      const slot: Interval = { start: input.start, end: input.end };
      if (current.start.getTime() === slot.start.getTime() && current.end.getTime() === slot.end.getTime()) return { kind: 'unchanged' };
      const verdict = await checkSlotFreshly(context, {
        tenant,
        calendarId: current.calendarId,
        slot,
        // The moved event itself is busy at the new time; the appointment at the old one.
        ignore: { appointmentIds: [current.id], intervals: [slot] },
        rules: 'conflicts',
      });
      if (!verdict.ok) return { kind: 'conflict', appointment: current, reason: verdict.reason };
      const now = context.clock.now();
      try {
        const appointment = await transactionWithEffects(context, async ({ tx, afterCommit }) => {
          const moved = await tx.appointments.update({ ...current, start: slot.start, end: slot.end, updatedAt: now });
          await notifyObservers(context, {
            change: { type: 'rescheduled', previous: current, appointment: moved },
            tx,
            tenant,
            now,
            afterCommit,
          });
          await writeEventsWithin(context.events, tx, [rescheduledEvent(current, moved)]);
          return moved;
        });
        emitAfterCommit(context, [rescheduledEvent(current, appointment)]);
        return { kind: 'rescheduled', previous: current, appointment };
      } catch (error) {
        // The store's overlap rule, should a booking have slipped past the check.
        if (SlotUnavailableError.isInstance(error)) return { kind: 'conflict', appointment: current, reason: 'busy' };
        throw error;
      }
    },
  });
}
