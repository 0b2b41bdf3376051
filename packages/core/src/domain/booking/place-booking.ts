/**
 * The protocol `book` and `reschedule` share, run while holding the calendar lock: a fresh look
 * at free/busy → the event, created idempotently → the caller's transaction. When that
 * transaction fails the event is deleted again (compensation), and when it failed because the
 * store refused an overlapping `scheduled` appointment — the store decides, not the lock — the
 * slot counts as refused.
 */
import { DuplicateError, SlotUnavailableError } from '../../errors/index.js';
import type { CalendarEvent } from '../../ports/calendar/calendar-port.js';
import { appointmentSchema, calendarEventIdFor, type Appointment } from '../model/appointment.js';
import { parseOrThrow } from '../model/parse.js';
import type { Tenant } from '../model/tenant.js';
import type { Interval } from '../time/local-time.js';
import { checkSlot, type AvailabilityIgnore, type SlotRefusal, type SlotRules } from './availability.js';
import { checkSlotFreshly, slotUnavailable, type SlotRequest } from './booking-slots.js';
import { compensateEvent } from './booking-event-cleanup.js';
import { transactionWithEffects, type UnitOfWork } from './booking-unit-of-work.js';
import { type BookingContext } from './booking-context.js';
import { ensureCalendarEvent } from './calendar-events.js';

/** What is being booked. */
export interface BookingPlan {
  readonly tenant: Tenant;
  readonly leadId: string;
  readonly calendarId: string;
  readonly slot: Interval;
  readonly appointmentId: string;
  /**
   * The caller chose `appointmentId` (an idempotency key): an earlier attempt may already have
   * created this booking's event, which must then not count as busy.
   */
  readonly idempotent: boolean;
  readonly summary: string;
  readonly description?: string | undefined;
  readonly ignore?: AvailabilityIgnore;
  readonly rescheduledFromId?: string;
  /** `conflicts` when an operator overrides availability; the conflict checks apply either way. */
  readonly rules: SlotRules;
}

/** How `placeBooking` ended. */
export type Placement<Result> =
  | { readonly kind: 'placed'; readonly result: Result; readonly event: CalendarEvent }
  | { readonly kind: 'adopted'; readonly result: Result }
  | { readonly kind: 'refused'; readonly reason: SlotRefusal; readonly cause?: unknown };

/** Runs the protocol of the module comment; call it holding the calendar lock. */
export async function placeBooking<Result>(
  context: BookingContext,
  input: {
    readonly plan: BookingPlan;
    /** Writes the new appointment (and whatever goes with it) through `tx`. */
    readonly persist: (unit: UnitOfWork & { readonly appointment: Appointment; readonly now: Date }) => Promise<Result>;
    /**
     * Called when the transaction failed with `DuplicateError`: the appointment may have been
     * persisted by a caller that did not hold the lock. A result keeps the event (it is that
     * booking's) and becomes the outcome; `null` compensates as for any failure.
     */
    readonly adoptDuplicate?: () => Promise<Result | null>;
  },
): Promise<Placement<Result>> {
  const { plan } = input;
  const { tenant, calendarId, slot } = plan;
  const eventId = calendarEventIdFor(plan.appointmentId);
  const verdict = await checkSlotFreshly(context, {
    tenant,
    calendarId,
    slot,
    ...(plan.ignore === undefined ? {} : { ignore: plan.ignore }),
    ...(plan.idempotent ? { ownEventId: eventId } : {}),
    rules: plan.rules,
  });
  if (!verdict.ok) return { kind: 'refused', reason: verdict.reason };
  const event = await ensureCalendarEvent(context.calendarFor(tenant.id), {
    calendarId,
    eventId,
    tenantId: tenant.id,
    leadId: plan.leadId,
    appointmentId: plan.appointmentId,
    summary: plan.summary,
    description: plan.description,
    start: slot.start,
    end: slot.end,
  });
  const now = context.clock.now();
  const appointment = newAppointment({ plan, eventId: event.eventId, now });
  try {
    const result = await transactionWithEffects(context, (unit) => input.persist({ ...unit, appointment, now }));
    return { kind: 'placed', result, event };
  } catch (error) {
    const adopted = DuplicateError.isInstance(error) && input.adoptDuplicate ? await input.adoptDuplicate() : null;
    if (adopted !== null) return { kind: 'adopted', result: adopted };
    await compensateEvent(context, { tenantId: tenant.id, appointmentId: plan.appointmentId, calendarId, eventId: event.eventId });
    if (SlotUnavailableError.isInstance(error)) return { kind: 'refused', reason: 'busy', cause: error };
    throw error;
  }
}

/** Hours, notice and horizon need no I/O: a slot they rule out is refused before queueing for the lock. */
export async function refuseEarly(context: BookingContext, request: SlotRequest): Promise<void> {
  const early = checkSlot({
    tenant: request.tenant,
    now: context.clock.now(),
    busy: [],
    appointments: [],
    slot: request.slot,
    rules: request.rules ?? 'offer',
  });
  if (!early.ok) throw await slotUnavailable(context, { ...request, reason: early.reason });
}

/** A new `scheduled` appointment of the plan, validated by the schema; without an event id it is a hold. */
export function newAppointment(input: { readonly plan: BookingPlan; readonly eventId: string | null; readonly now: Date }): Appointment {
  const { plan, now } = input;
  return parseOrThrow(
    appointmentSchema,
    {
      id: plan.appointmentId,
      tenantId: plan.tenant.id,
      leadId: plan.leadId,
      calendarId: plan.calendarId,
      start: plan.slot.start,
      end: plan.slot.end,
      status: 'scheduled',
      calendarEventId: input.eventId,
      rescheduledFromId: plan.rescheduledFromId ?? null,
      createdAt: now,
      updatedAt: now,
      version: 0,
    },
    'appointment',
  );
}
