/**
 * `reschedule` (SPEC §4.3): the new booking first, then the old one cancelled.
 *
 * Under the calendar lock: fresh free/busy that does not count the old appointment (a move by
 * 15 minutes overlaps it) → the new event → one transaction that cancels the old appointment
 * **first** (the store's overlap rule concerns `scheduled` rows only), creates the new one,
 * queues the deletion of the old event in the calendar outbox and lets the observers move the
 * reminders. Whatever fails before the commit leaves the old appointment and its event as they
 * were (the new event is deleted again). After the commit the old event is deleted at once;
 * if that fails the outbox worker retries until it is gone.
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
  const earlier = await findEarlierMove(context, { old, newAppointmentId: input.newAppointmentId });
  if (earlier !== null) return { ...earlier, created: false, previousEventDeleted: false };
  assertScheduled(old);
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
  await refuseEarly(context, plan);
  const placement = await withCalendarLock(context, {
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

  if (placement.kind === 'refused') throw await slotUnavailable(context, { ...plan, reason: placement.reason, cause: placement.cause });
  if (placement.kind === 'adopted') return { ...placement.result, created: false, previousEventDeleted: false };
  const { appointment, previous } = placement.result;
  const previousEventDeleted = await deleteEventNow(context, previous);
  emitAfterCommit(context, [rescheduledEvent(previous, appointment)]);
  return { appointment, previous, created: true, previousEventDeleted };
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
