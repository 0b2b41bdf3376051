/**
 * `reschedule` (SPEC §4.3): the new booking first, then the old one cancelled.
 *
 * A move to a slot apart from the old one is **hold first**, like `book` (decision record 22):
 * the new appointment is written as a hold, which the store's overlap rule refuses to a second
 * caller at once; then, under the calendar lock, fresh free/busy that does not count the old
 * appointment → the new event → one transaction that cancels the old appointment, links the
 * event to the new one, queues the deletion of the old event in the calendar outbox and lets the
 * observers move the reminders. A move that overlaps the old slot (by 15 minutes, say) cannot be
 * held while the old appointment is scheduled, so it takes the calendar lock first and creates
 * the new appointment in that transaction, after cancelling the old one.
 *
 * Whatever fails before the commit leaves the old appointment and its event as they were (the
 * hold released, the new event deleted again). After the commit the old event is deleted at
 * once; if that fails the outbox worker retries until it is gone.
 */
import { ConflictError } from '../../errors/index.js';
import { rescheduledEvent } from './appointment-events.js';
import { writeEventsWithin } from '../events/after-commit.js';
import type { Appointment } from '../model/appointment.js';
import { parseOrThrow } from '../model/parse.js';
import {
  assertScheduled,
  eventTitleFor,
  loadAppointmentFor,
  loadLeadFor,
  loadTenant,
  withCalendarLock,
  type BookingContext,
} from './booking-context.js';
import { deleteEventNow, queueEventDeletion } from './booking-event-cleanup.js';
import { emitAfterCommit, notifyObservers } from './booking-unit-of-work.js';
import { ignoringAppointment, slotUnavailable } from './booking-slots.js';
import { rescheduleInputSchema, slotRulesFor, type RescheduleInput } from './booking-inputs.js';
import { completeHold, holdSlot, isHold, releaseHold } from './hold-booking.js';
import { placeBooking, refuseEarly, type BookingPlan, type Placement } from './place-booking.js';

/** What `reschedule` returns. */
export interface RescheduleResult {
  /** The new `scheduled` appointment (`rescheduledFromId` names the old one). */
  readonly appointment: Appointment;
  /** The old appointment, now `cancelled`. */
  readonly previous: Appointment;
  /** `false` when an earlier call with the same `newAppointmentId` had moved it already. */
  readonly created: boolean;
  /**
   * Whether the old event is known to be gone; when `false` the calendar outbox deletes it later
   * (and for a repeated call, which does not look at the calendar, it is `false`).
   */
  readonly previousEventDeleted: boolean;
}

type Moved = Pick<RescheduleResult, 'appointment' | 'previous'>;

/** Moves a lead's `scheduled` appointment; see the module comment. */
export async function rescheduleAppointment(context: BookingContext, rawInput: RescheduleInput): Promise<RescheduleResult> {
  const input = parseOrThrow(rescheduleInputSchema, rawInput, 'reschedule');
  const tenant = await loadTenant(context, input.tenantId);
  const old = await loadAppointmentFor(context, input);
  const earlierAttempt = () => findEarlierMove(context, { old, newAppointmentId: input.newAppointmentId });
  const earlier = await earlierAttempt();
  if (earlier !== null && !isHold(earlier.appointment)) return { ...earlier, created: false, previousEventDeleted: false };
  if (earlier === null) assertScheduled(old);
  const lead = await loadLeadFor(context, { tenantId: tenant.id, leadId: old.leadId, actor: input.actor });

  const durationMs = input.durationMinutes === undefined ? old.end.getTime() - old.start.getTime() : input.durationMinutes * 60_000;
  const plan: BookingPlan = {
    tenant,
    leadId: lead.id,
    // The meeting stays on its calendar, even if the tenant has since switched to another one.
    calendarId: old.calendarId,
    slot: { start: input.start, end: new Date(input.start.getTime() + durationMs) },
    appointmentId: input.newAppointmentId ?? context.newId(),
    idempotent: input.newAppointmentId !== undefined,
    summary: eventTitleFor(tenant, lead),
    description: input.description,
    rules: slotRulesFor(input),
    ignore: ignoringAppointment(old),
    rescheduledFromId: old.id,
  };
  const placement =
    earlier !== null || !overlaps(plan.slot, old)
      ? await moveHoldFirst(context, { plan, old, held: earlier !== null, earlierAttempt })
      : await moveLockFirst(context, { plan, old, newAppointmentId: input.newAppointmentId });

  if (placement.kind === 'refused') throw await slotUnavailable(context, { ...plan, reason: placement.reason, cause: placement.cause });
  if (placement.kind === 'adopted') return { ...placement.result, created: false, previousEventDeleted: false };
  const { appointment, previous } = placement.result;
  const previousEventDeleted = await deleteEventNow(context, previous);
  emitAfterCommit(context, [rescheduledEvent(previous, appointment)]);
  return { appointment, previous, created: true, previousEventDeleted };
}

/** Whether the new slot overlaps the appointment being moved. */
function overlaps(slot: { readonly start: Date; readonly end: Date }, old: Appointment): boolean {
  return slot.start.getTime() < old.end.getTime() && slot.end.getTime() > old.start.getTime();
}

/**
 * A move to a slot apart from the old one, hold first as `book`: the new appointment is written
 * as a hold (the store refuses a second caller after the slot at once), then under the lock the
 * fresh check, the event and one transaction that cancels the old appointment and links the new
 * one. Whatever fails releases the hold; the old appointment stays as it was.
 */
async function moveHoldFirst(
  context: BookingContext,
  input: {
    readonly plan: BookingPlan;
    readonly old: Appointment;
    readonly held: boolean;
    readonly earlierAttempt: () => Promise<Moved | null>;
  },
): Promise<Placement<Moved>> {
  const { plan, old } = input;
  const { tenant } = plan;
  if (!input.held) {
    await refuseEarly(context, plan);
    const hold = await holdSlot(context, plan);
    // A concurrent call with the same new id held it first: that call's outcome is checked against this request.
    if (hold === null) await input.earlierAttempt();
  }
  return withCalendarLock(context, {
    tenantId: tenant.id,
    calendarId: plan.calendarId,
    run: () =>
      completeHold<Moved>(context, plan, {
        adopt: (appointment) => ({ appointment, previous: old }),
        persist: async ({ tx, afterCommit, hold, eventId, now }) => {
          const current = await tx.appointments.get(tenant.id, old.id);
          if (current === null) throw new ConflictError(`appointment ${old.id} disappeared while it was being moved`);
          assertScheduled(current);
          const previous = await tx.appointments.update({ ...current, status: 'cancelled', updatedAt: now });
          const appointment = await tx.appointments.update({ ...hold, calendarEventId: eventId, updatedAt: now });
          await queueEventDeletion(context, { tx, appointment: previous, now });
          await notifyObservers(context, { change: { type: 'rescheduled', previous, appointment }, tx, tenant, now, afterCommit });
          await writeEventsWithin(context.events, tx, [rescheduledEvent(previous, appointment)]);
          return { appointment, previous };
        },
      }),
  }).catch(async (error: unknown) => {
    // The lock stayed taken (or failed): the slot is given back. Only a hold is ever deleted.
    await releaseHold(context, { tenantId: tenant.id, id: plan.appointmentId });
    throw error;
  });
}

/**
 * A move that overlaps the old slot (say by 15 minutes) cannot be held while the old appointment
 * is scheduled — the store's overlap rule would refuse it — so it runs under the calendar lock:
 * fresh free/busy → the new event → one transaction that cancels the old appointment first and
 * creates the new one. Contenders for that slot are refused by the old appointment meanwhile.
 */
async function moveLockFirst(
  context: BookingContext,
  input: { readonly plan: BookingPlan; readonly old: Appointment; readonly newAppointmentId: string | undefined },
): Promise<Placement<Moved>> {
  const { plan, old } = input;
  const { tenant } = plan;
  await refuseEarly(context, plan);
  return withCalendarLock(context, {
    tenantId: tenant.id,
    calendarId: plan.calendarId,
    run: async (): Promise<Placement<Moved>> => {
      // A concurrent call with the same new id may have finished while this one queued for the lock.
      const finished = await findEarlierMove(context, { old, newAppointmentId: input.newAppointmentId });
      if (finished !== null) return { kind: 'adopted', result: finished };
      const current = await context.store.appointments.get(tenant.id, old.id);
      if (current === null) throw new ConflictError(`appointment ${old.id} disappeared while it was being moved`);
      assertScheduled(current);
      return placeBooking(context, {
        plan,
        persist: async ({ tx, afterCommit, appointment: next, now }) => {
          // Cancelled first: the store's overlap rule concerns scheduled rows, and the move may overlap the old slot.
          const previous = await tx.appointments.update({ ...current, status: 'cancelled', updatedAt: now });
          const appointment = await tx.appointments.create(next);
          await queueEventDeletion(context, { tx, appointment: previous, now });
          await notifyObservers(context, { change: { type: 'rescheduled', previous, appointment }, tx, tenant, now, afterCommit });
          await writeEventsWithin(context.events, tx, [rescheduledEvent(previous, appointment)]);
          return { appointment, previous };
        },
      });
    },
  });
}

/** The move an earlier call with the same `newAppointmentId` made, or `null`. */
async function findEarlierMove(
  context: BookingContext,
  input: { readonly old: Appointment; readonly newAppointmentId: string | undefined },
): Promise<Moved | null> {
  if (input.newAppointmentId === undefined) return null;
  const existing = await context.store.appointments.get(input.old.tenantId, input.newAppointmentId);
  if (existing === null) return null;
  if (existing.rescheduledFromId !== input.old.id) {
    throw new ConflictError(`appointment id ${input.newAppointmentId} was already used for another booking`, {
      details: { appointmentId: input.newAppointmentId },
    });
  }
  return { appointment: existing, previous: input.old };
}
