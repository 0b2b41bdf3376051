/**
 * Holds a crash left behind (decision record 22). `book` writes the hold, then — under the
 * calendar lock — creates the event and links it. A process killed in between leaves a hold
 * that nothing completes: it would keep its slot forever. `reconcileStaleHolds` finds the
 * tenant's holds older than a grace period (far longer than a booking takes) and, under the
 * same calendar lock, looks their event up by its deterministic id (the appointment UUID's hex):
 *
 * - the event exists and is ours ⇒ the booking is **adopted**: the event linked, the observers
 *   told (reminders, CRM stage) and `appointment.booked` written — what the lost step would
 *   have done;
 * - otherwise ⇒ the hold is **released** and its slot is free again.
 *
 * The hold of a move (`rescheduledFromId`) is released either way, its event deleted if it was
 * created: the old appointment still stands, so the move is given up rather than half-made.
 *
 * A hold that stopped being one meanwhile (completed or released by a concurrent call) is left
 * alone. Each hold is handled on its own: one that fails is reported and retried next time.
 */
import { classifyError } from '../../errors/index.js';
import { calendarEventIdFor, type Appointment } from '../model/appointment.js';
import type { Tenant } from '../model/tenant.js';
import { loadTenant, withCalendarLock, type BookingContext } from './booking-context.js';
import { compensateEvent } from './booking-event-cleanup.js';
import { emitAfterCommit } from './booking-unit-of-work.js';
import { bookedEvent } from './appointment-events.js';
import { appointmentIdOfEvent } from './calendar-events.js';
import { isHold, linkHoldToEvent } from './hold-booking.js';

/** Default grace period: a hold younger than this may belong to a booking still running. */
export const defaultHoldGraceMs = 5 * 60_000;
/** How far back holds are looked for (a hold for a past slot is released or adopted all the same). */
const lookbackMs = 30 * 86_400_000;
/** How far ahead: well past any booking horizon. */
const lookaheadMs = 10 * 366 * 86_400_000;

/** Input of `BookingService.reconcileStaleHolds`. */
export interface ReconcileHoldsInput {
  readonly tenantId: string;
  /** Holds not updated for this long are reconciled (default `defaultHoldGraceMs`). */
  readonly graceMs?: number;
}

/** What `reconcileStaleHolds` did, by appointment id. */
export interface HoldReconciliation {
  /** The event existed: the booking was completed with it. */
  readonly adopted: readonly string[];
  /** No event of ours: the hold was released. */
  readonly released: readonly string[];
  readonly failed: readonly { readonly appointmentId: string; readonly error: string }[];
}

/** See the module comment. */
export async function reconcileStaleHolds(context: BookingContext, input: ReconcileHoldsInput): Promise<HoldReconciliation> {
  const tenant = await loadTenant(context, input.tenantId);
  const now = context.clock.now();
  const graceMs = input.graceMs ?? defaultHoldGraceMs;
  const upcoming = await context.store.appointments.listInRange(
    tenant.id,
    tenant.booking.calendarId,
    new Date(now.getTime() - lookbackMs),
    new Date(now.getTime() + lookaheadMs),
  );
  const stale = upcoming.filter((appointment) => isHold(appointment) && now.getTime() - appointment.updatedAt.getTime() >= graceMs);
  const adopted: string[] = [];
  const released: string[] = [];
  const failed: { appointmentId: string; error: string }[] = [];
  for (const hold of stale) {
    try {
      const outcome = await withCalendarLock(context, {
        tenantId: tenant.id,
        calendarId: hold.calendarId,
        run: () => reconcileHold(context, tenant, hold),
      });
      if (outcome === 'adopted') adopted.push(hold.id);
      if (outcome === 'released') released.push(hold.id);
    } catch (error) {
      const message = classifyError(error).message;
      failed.push({ appointmentId: hold.id, error: message });
      context.logger.warn({ tenantId: tenant.id, appointmentId: hold.id, error: message }, 'a stale hold could not be reconciled');
    }
  }
  if (adopted.length + released.length > 0) {
    context.logger.info({ tenantId: tenant.id, adopted: adopted.length, released: released.length }, 'stale booking holds reconciled');
  }
  return { adopted, released, failed };
}

/** One hold, under the calendar lock. */
async function reconcileHold(context: BookingContext, tenant: Tenant, stale: Appointment): Promise<'adopted' | 'released' | 'skipped'> {
  const current = await context.store.appointments.get(tenant.id, stale.id);
  if (current === null || !isHold(current)) return 'skipped';
  const event = await context.calendarFor(tenant.id).getEvent({ calendarId: current.calendarId, eventId: calendarEventIdFor(current.id) });
  const ours =
    event !== null &&
    event.status !== 'cancelled' &&
    appointmentIdOfEvent(event, { tenantId: tenant.id, privateProperties: false }) === current.id;
  if (current.rescheduledFromId !== null) {
    // A move that stopped half-way is given up: the old appointment still stands, the new event goes.
    if (ours) {
      await compensateEvent(context, {
        tenantId: tenant.id,
        appointmentId: current.id,
        calendarId: current.calendarId,
        eventId: event.eventId,
      });
    }
    return (await context.store.appointments.releaseHold(tenant.id, current.id)) ? 'released' : 'skipped';
  }
  if (!ours) {
    // `false`: no longer a hold (a concurrent call completed or released it).
    return (await context.store.appointments.releaseHold(tenant.id, current.id)) ? 'released' : 'skipped';
  }
  const booked = await linkHoldToEvent(context, { tenant, hold: current, eventId: event.eventId });
  emitAfterCommit(context, [bookedEvent(booked)]);
  return 'adopted';
}
