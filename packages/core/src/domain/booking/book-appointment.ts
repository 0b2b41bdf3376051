/**
 * `book` (SPEC §4.3): under the calendar lock, fresh free/busy → the event, created
 * idempotently → the appointment persisted with the observers' writes in one transaction. The
 * store refuses overlapping `scheduled` appointments by itself, so a lock that fails (expired,
 * split brain) cannot cause a double booking: the loser's event is deleted again.
 */
import { ConflictError } from '../../errors/index.js';
import type { CalendarEvent } from '../../ports/calendar/calendar-port.js';
import { bookedEvent } from './appointment-events.js';
import { writeEventsWithin } from '../events/after-commit.js';
import type { Appointment } from '../model/appointment.js';
import { parseOrThrow } from '../model/parse.js';
import {
  emitAfterCommit,
  eventTitleFor,
  loadLeadFor,
  loadTenant,
  notifyObservers,
  slotUnavailable,
  withCalendarLock,
  type BookingContext,
} from './booking-context.js';
import { bookInputSchema, slotRulesFor, type BookInput } from './booking-inputs.js';
import { placeBooking, refuseEarly, type BookingPlan, type Placement } from './place-booking.js';

/** What `book` returns. */
export interface BookingResult {
  readonly appointment: Appointment;
  /** `false` when an earlier call with the same `appointmentId` had booked it already. */
  readonly created: boolean;
  /** The calendar event (`null` when `created` is false: it was not read again). */
  readonly event: CalendarEvent | null;
}

/** Books a slot for a lead; see the module comment. */
export async function bookAppointment(context: BookingContext, rawInput: BookInput): Promise<BookingResult> {
  const input = parseOrThrow(bookInputSchema, rawInput, 'book');
  const tenant = await loadTenant(context, input.tenantId);
  const lead = await loadLeadFor(context, input);
  const earlierAttempt = () =>
    findEarlierAttempt(context, { tenantId: tenant.id, leadId: lead.id, appointmentId: input.appointmentId, start: input.start });
  const earlier = await earlierAttempt();
  if (earlier !== null) return { appointment: earlier, created: false, event: null };

  const durationMs = (input.durationMinutes ?? tenant.booking.slotMinutes) * 60_000;
  const plan: BookingPlan = {
    tenant,
    leadId: lead.id,
    calendarId: tenant.booking.calendarId,
    slot: { start: input.start, end: new Date(input.start.getTime() + durationMs) },
    appointmentId: input.appointmentId ?? context.newId(),
    idempotent: input.appointmentId !== undefined,
    summary: eventTitleFor(tenant, lead),
    description: input.description,
    rules: slotRulesFor(input),
  };
  await refuseEarly(context, plan);
  const placement = await withCalendarLock(context, {
    tenantId: tenant.id,
    calendarId: plan.calendarId,
    run: async (): Promise<Placement<Appointment>> => {
      // A concurrent call with the same id may have finished while this one queued for the lock.
      const finished = await earlierAttempt();
      if (finished !== null) return { kind: 'adopted', result: finished };
      return placeBooking(context, {
        plan,
        persist: async ({ tx, afterCommit, appointment, now }) => {
          const created = await tx.appointments.create(appointment);
          await notifyObservers(context, { change: { type: 'booked', appointment: created }, tx, tenant, now, afterCommit });
          await writeEventsWithin(context.events, tx, [bookedEvent(created)]);
          return created;
        },
        // Persisted by a caller that did not hold the lock: the event is that booking's.
        adoptDuplicate: () =>
          findEarlierAttempt(context, { tenantId: tenant.id, leadId: lead.id, appointmentId: plan.appointmentId, start: input.start }),
      });
    },
  });

  if (placement.kind === 'refused') throw await slotUnavailable(context, { ...plan, reason: placement.reason, cause: placement.cause });
  if (placement.kind === 'adopted') return { appointment: placement.result, created: false, event: null };
  const appointment = placement.result;
  emitAfterCommit(context, [bookedEvent(appointment)]);
  return { appointment, created: true, event: placement.event };
}

/**
 * The appointment an earlier call with the same idempotency key booked, or `null`. The key
 * names one request: reused by another lead or for another time, it is a `ConflictError`.
 */
async function findEarlierAttempt(
  context: BookingContext,
  request: { readonly tenantId: string; readonly leadId: string; readonly appointmentId: string | undefined; readonly start: Date },
): Promise<Appointment | null> {
  if (request.appointmentId === undefined) return null;
  const existing = await context.store.appointments.get(request.tenantId, request.appointmentId);
  if (existing === null) return null;
  if (existing.leadId !== request.leadId || existing.start.getTime() !== request.start.getTime()) {
    throw new ConflictError(`appointment id ${request.appointmentId} was already used for another booking`, {
      details: { appointmentId: request.appointmentId },
    });
  }
  return existing;
}
