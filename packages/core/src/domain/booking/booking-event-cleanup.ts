/**
 * Calendar events of appointments that ended: deleted at once when possible, queued for the
 * calendar outbox otherwise, and compensated when a booking fails after its event was made.
 */
import { classifyError } from '../../errors/index.js';
import type { CalendarEventRef } from '../../ports/calendar/calendar-port.js';
import type { Repositories } from '../../ports/repositories/repositories.js';
import type { Appointment } from '../model/appointment.js';
import { eventDeletionEntry } from './calendar-outbox.js';
import type { BookingContext } from './booking-context.js';

/** Queues, inside `tx`, the deletion of the cancelled appointment's event for the calendar outbox. */
export async function queueEventDeletion(
  context: BookingContext,
  input: { readonly tx: Repositories; readonly appointment: Appointment; readonly now: Date },
): Promise<void> {
  const { tx, appointment, now } = input;
  if (appointment.calendarEventId === null) return;
  await tx.outbox.append(
    eventDeletionEntry({
      tenantId: appointment.tenantId,
      appointmentId: appointment.id,
      calendarId: appointment.calendarId,
      eventId: appointment.calendarEventId,
      availableAt: new Date(now.getTime() + context.deletionFollowUpMs),
    }),
  );
}

/**
 * Deletes the event of an appointment already cancelled in the store (its deletion queued):
 * best effort — when it fails, the outbox worker does it later. `true` when the event is gone
 * now (deleted, already gone, or there was none).
 */
export async function deleteEventNow(context: BookingContext, appointment: Appointment): Promise<boolean> {
  if (appointment.calendarEventId === null) return true;
  try {
    await context
      .calendarFor(appointment.tenantId)
      .deleteEvent({ calendarId: appointment.calendarId, eventId: appointment.calendarEventId });
    return true;
  } catch (error) {
    context.logger.warn(
      { appointmentId: appointment.id, eventId: appointment.calendarEventId, error: classifyError(error).message },
      'could not delete the calendar event now; the calendar outbox will retry',
    );
    return false;
  }
}

/**
 * Undoes an event whose booking could not be persisted. When the calendar refuses even that,
 * the deletion goes to the outbox (and, should the store fail too, the consistency check will
 * report the event as an orphan).
 */
export async function compensateEvent(
  context: BookingContext,
  ref: CalendarEventRef & { readonly tenantId: string; readonly appointmentId: string },
): Promise<void> {
  try {
    await context.calendarFor(ref.tenantId).deleteEvent({ calendarId: ref.calendarId, eventId: ref.eventId });
  } catch (deleteError) {
    try {
      await context.store.outbox.append(eventDeletionEntry(ref));
      context.logger.warn(
        { appointmentId: ref.appointmentId, error: classifyError(deleteError).message },
        'could not delete the event of a failed booking; queued for the calendar outbox',
      );
    } catch (appendError) {
      context.logger.error(
        { appointmentId: ref.appointmentId, eventId: ref.eventId, error: classifyError(appendError).message },
        'could not delete nor queue the event of a failed booking: the consistency check will report it as an orphan',
      );
    }
  }
}
