/**
 * The protocol `book` follows — hold first (decision record 22):
 *
 * 1. **Hold** the slot in the store: the appointment is written `scheduled` without a calendar
 *    event. The store refuses an overlapping `scheduled` appointment by itself (PostgreSQL: the
 *    exclusion constraint, in one round trip), so of many callers after one slot all but one
 *    are refused here, without waiting for the calendar or the lock.
 * 2. **Complete** it holding the calendar lock: a fresh look at free/busy (the hold itself does
 *    not count) → the event, created idempotently → one transaction that links the event to the
 *    appointment and lets the observers write (reminders, stage).
 * 3. **Release** the hold when the slot turns out busy or the calendar or the store fails; an
 *    event created by then is deleted again.
 *
 * Correctness never rests on the lock: the hold is what refuses an overlap, and the lock only
 * orders the buffer checks of different slots (every check sees the holds committed before it).
 */
import { ConflictError, DuplicateError, SlotUnavailableError, classifyError } from '../../errors/index.js';
import type { Appointment } from '../model/appointment.js';
import type { Tenant } from '../model/tenant.js';
import { calendarEventIdFor } from '../model/appointment.js';
import { checkSlotFreshly, slotUnavailable } from './booking-slots.js';
import { compensateEvent } from './booking-event-cleanup.js';
import { notifyObservers, transactionWithEffects, type UnitOfWork } from './booking-unit-of-work.js';
import { type BookingContext } from './booking-context.js';
import { writeEventsWithin } from '../events/after-commit.js';
import { bookedEvent } from './appointment-events.js';
import { ensureCalendarEvent } from './calendar-events.js';
import { newAppointment, type BookingPlan, type Placement } from './place-booking.js';

/** Whether the appointment is a hold: `scheduled`, its calendar event not created yet. */
export function isHold(appointment: Appointment): boolean {
  return appointment.status === 'scheduled' && appointment.calendarEventId === null;
}

/**
 * Step 1: the hold, or `SlotUnavailableError` (with alternatives) when the store already has an
 * overlapping `scheduled` appointment. `null` when a concurrent call with the same appointment
 * id wrote it first: the caller reads that one.
 */
export async function holdSlot(context: BookingContext, plan: BookingPlan): Promise<Appointment | null> {
  try {
    return await context.store.appointments.create(newAppointment({ plan, eventId: null, now: context.clock.now() }));
  } catch (error) {
    if (SlotUnavailableError.isInstance(error)) throw await slotUnavailable(context, { ...plan, reason: 'busy', cause: error });
    if (DuplicateError.isInstance(error) && plan.idempotent) return null;
    throw error;
  }
}

/**
 * How a completed hold is written: `persist` links the event to the hold in the transaction
 * (with whatever goes with it); `adopt` turns a hold a concurrent call completed into the result.
 */
interface HoldCompletion<Result> {
  readonly persist: (unit: UnitOfWork & { readonly hold: Appointment; readonly eventId: string; readonly now: Date }) => Promise<Result>;
  readonly adopt: (completed: Appointment) => Result | Promise<Result>;
}

/** A booking's completion: the event linked, the observers told, `appointment.booked` written. */
export function bookingCompletion(context: BookingContext, tenant: Tenant): HoldCompletion<Appointment> {
  return {
    persist: (unit) => persistBooked(context, { ...unit, tenant }),
    adopt: (completed) => completed,
  };
}

/** Steps 2 and 3 of `book` (or of a move, with its own `completion`); call it holding the calendar lock. */
export async function completeHold<Result>(
  context: BookingContext,
  plan: BookingPlan,
  finish: HoldCompletion<Result>,
): Promise<Placement<Result>> {
  const { tenant, calendarId, slot } = plan;
  const current = await context.store.appointments.get(tenant.id, plan.appointmentId);
  if (current === null) {
    throw new ConflictError(`the booking ${plan.appointmentId} was given up by a concurrent attempt with the same id`, {
      retryable: true,
      details: { appointmentId: plan.appointmentId },
    });
  }
  // A concurrent call with the same id completed it while this one queued for the lock.
  if (!isHold(current)) return { kind: 'adopted', result: await finish.adopt(current) };
  const eventId = calendarEventIdFor(plan.appointmentId);
  const released = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      await releaseHold(context, current);
      throw error;
    }
  };

  const verdict = await released(() =>
    checkSlotFreshly(context, {
      tenant,
      calendarId,
      slot,
      ignore: { appointmentIds: [current.id, ...(plan.ignore?.appointmentIds ?? [])], intervals: plan.ignore?.intervals ?? [] },
      ...(plan.idempotent ? { ownEventId: eventId } : {}),
      rules: plan.rules,
    }),
  );
  if (!verdict.ok) {
    await releaseHold(context, current);
    return { kind: 'refused', reason: verdict.reason };
  }
  const event = await released(() =>
    ensureCalendarEvent(context.calendarFor(tenant.id), {
      calendarId,
      eventId,
      tenantId: tenant.id,
      leadId: plan.leadId,
      appointmentId: plan.appointmentId,
      summary: plan.summary,
      description: plan.description,
      start: slot.start,
      end: slot.end,
    }),
  );
  const now = context.clock.now();
  try {
    const result = await transactionWithEffects(context, (unit) => finish.persist({ ...unit, hold: current, eventId: event.eventId, now }));
    return { kind: 'placed', result, event };
  } catch (error) {
    await compensateEvent(context, { tenantId: tenant.id, appointmentId: plan.appointmentId, calendarId, eventId: event.eventId });
    await releaseHold(context, current);
    if (SlotUnavailableError.isInstance(error)) return { kind: 'refused', reason: 'busy', cause: error };
    throw error;
  }
}

/**
 * Completes a hold with its event in one transaction: the event linked (optimistic: the hold
 * must still be the one read), the observers' writes (reminders, stage) and `appointment.booked`.
 */
export async function linkHoldToEvent(
  context: BookingContext,
  input: { readonly tenant: Tenant; readonly hold: Appointment; readonly eventId: string },
): Promise<Appointment> {
  const now = context.clock.now();
  return transactionWithEffects(context, (unit) => persistBooked(context, { ...unit, ...input, now }));
}

async function persistBooked(
  context: BookingContext,
  input: UnitOfWork & { readonly tenant: Tenant; readonly hold: Appointment; readonly eventId: string; readonly now: Date },
): Promise<Appointment> {
  const { tx, afterCommit, tenant, now } = input;
  const booked = await tx.appointments.update({ ...input.hold, calendarEventId: input.eventId, updatedAt: now });
  await notifyObservers(context, { change: { type: 'booked', appointment: booked }, tx, tenant, now, afterCommit });
  await writeEventsWithin(context.events, tx, [bookedEvent(booked)]);
  return booked;
}

/**
 * Gives the slot back. Best effort: a hold the store could not delete keeps its slot until an
 * operator cancels it (the consistency check reports it as an appointment without its event).
 */
export async function releaseHold(context: BookingContext, hold: Pick<Appointment, 'tenantId' | 'id'>): Promise<void> {
  try {
    await context.store.appointments.releaseHold(hold.tenantId, hold.id);
  } catch (error) {
    context.logger.error(
      { appointmentId: hold.id, error: classifyError(error).message },
      'could not release the hold of a failed booking: its slot stays taken until the appointment is cancelled',
    );
  }
}
