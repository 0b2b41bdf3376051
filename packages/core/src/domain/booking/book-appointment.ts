/**
 * `book` (SPEC §4.3), hold first (see `hold-booking.ts`): the appointment is written as a hold
 * that the store's overlap rule refuses to a second caller at once; then, under the calendar
 * lock, fresh free/busy → the event, created idempotently → the event linked and the observers'
 * writes, in one transaction. Whatever fails releases the hold (and deletes an event made by then).
 */
import { ConflictError } from '../../errors/index.js';
import type { CalendarEvent } from '../../ports/calendar/calendar-port.js';
import { bookedEvent } from './appointment-events.js';
import type { Appointment } from '../model/appointment.js';
import { parseOrThrow } from '../model/parse.js';
import { emitAfterCommit } from './booking-unit-of-work.js';
import { eventTitleFor, loadLeadFor, loadTenant, withCalendarLock, type BookingContext } from './booking-context.js';
import { slotUnavailable } from './booking-slots.js';
import { bookInputSchema, slotRulesFor, type BookInput } from './booking-inputs.js';
import { bookingCompletion, completeHold, holdSlot, isHold, releaseHold } from './hold-booking.js';
import { refuseEarly, type BookingPlan } from './place-booking.js';

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
  if (earlier !== null && !isHold(earlier)) return { appointment: earlier, created: false, event: null };

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
  // A hold found under the same id is an attempt that stopped half-way, or one running now: it is completed, not written again.
  if (earlier === null) {
    await refuseEarly(context, plan);
    const held = await holdSlot(context, plan);
    // A concurrent call with the same id held it first: that call's outcome is checked against this request.
    if (held === null) await earlierAttempt();
  }
  const placement = await withCalendarLock(context, {
    tenantId: tenant.id,
    calendarId: plan.calendarId,
    run: () => completeHold(context, plan, bookingCompletion(context, tenant)),
  }).catch(async (error: unknown) => {
    // The lock stayed taken (or failed): the slot is given back. Only a hold is ever deleted.
    await releaseHold(context, { tenantId: tenant.id, id: plan.appointmentId });
    throw error;
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
