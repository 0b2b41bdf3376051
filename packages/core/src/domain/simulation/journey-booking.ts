/**
 * How the simulator books, moves and cancels the lead's meeting.
 *
 * INTERIM: the booking service (SPEC §4.3) is being built separately. Until it is available,
 * this minimal adapter persists appointments itself — in one transaction with the follow-up
 * engine's `AppointmentObserver`, exactly as the booking service will call it — without the
 * calendar, locks or availability. Replace the body of `createJourneyBooking` with the
 * `BookingService` (on the in-memory calendar and lock) once it exists; nothing else in the
 * simulator depends on how a meeting is booked.
 */
import { randomUUID } from 'node:crypto';
import { NotFoundError } from '../../errors/index.js';
import type { Clock } from '../../ports/clock/clock.js';
import type { Store } from '../../ports/repositories/repositories.js';
import type { AppointmentChange, AppointmentObserver } from '../booking/appointment-observer.js';
import type { DomainEvents } from '../events/domain-events.js';
import { emitDeferred, deferred, type DeferredEvent } from '../follow-up/deferred-events.js';
import type { Appointment } from '../model/appointment.js';
import type { Tenant } from '../model/tenant.js';

/** Books, moves and cancels meetings of a lead. */
export interface JourneyBooking {
  book(input: { readonly tenant: Tenant; readonly leadId: string; readonly start: Date; readonly end: Date }): Promise<Appointment>;
  /** Books the new time and cancels the old appointment, as SPEC §4.3 describes a reschedule. */
  reschedule(input: {
    readonly tenant: Tenant;
    readonly appointmentId: string;
    readonly start: Date;
    readonly end: Date;
  }): Promise<Appointment>;
  cancel(input: { readonly tenant: Tenant; readonly appointmentId: string }): Promise<Appointment>;
}

/** The simulator's booking (see the module comment: interim until the booking service exists). */
export function createJourneyBooking(options: {
  readonly store: Store;
  readonly clock: Clock;
  readonly observer: AppointmentObserver;
  readonly events?: DomainEvents;
}): JourneyBooking {
  const { store, clock, observer } = options;

  const inTransaction = async (
    tenant: Tenant,
    change: (
      tx: Parameters<Parameters<Store['transaction']>[0]>[0],
      now: Date,
    ) => Promise<{ change: AppointmentChange; event: DeferredEvent }>,
  ): Promise<Appointment> => {
    const effects: Array<() => void> = [];
    const now = clock.now();
    const { appointment, event } = await store.transaction(async (tx) => {
      const made = await change(tx, now);
      await observer.onAppointmentChange(made.change, { tx, tenant, now, afterCommit: (effect) => effects.push(effect) });
      return { appointment: made.change.appointment, event: made.event };
    });
    emitDeferred(options.events, [event]);
    for (const effect of effects) effect();
    return appointment;
  };

  const current = async (tx: Pick<Store, 'appointments'>, tenant: Tenant, id: string): Promise<Appointment> => {
    const appointment = await tx.appointments.get(tenant.id, id);
    if (!appointment) throw new NotFoundError('appointment', id);
    return appointment;
  };

  const newAppointment = (
    tenant: Tenant,
    input: { leadId: string; start: Date; end: Date; now: Date; from: string | null },
  ): Appointment => ({
    id: randomUUID(),
    tenantId: tenant.id,
    leadId: input.leadId,
    calendarId: tenant.booking.calendarId,
    start: input.start,
    end: input.end,
    status: 'scheduled',
    calendarEventId: null,
    rescheduledFromId: input.from,
    createdAt: input.now,
    updatedAt: input.now,
    version: 0,
  });

  return {
    book: ({ tenant, leadId, start, end }) =>
      inTransaction(tenant, async (tx, now) => {
        const appointment = await tx.appointments.create(newAppointment(tenant, { leadId, start, end, now, from: null }));
        return {
          change: { type: 'booked', appointment },
          event: deferred('appointment.booked', { tenantId: tenant.id, at: now, leadId, appointmentId: appointment.id, start, end }),
        };
      }),

    reschedule: ({ tenant, appointmentId, start, end }) =>
      inTransaction(tenant, async (tx, now) => {
        const before = await current(tx, tenant, appointmentId);
        // Cancelled first inside the same transaction, so that a move by a few minutes does not
        // overlap itself; the unit of work makes the two changes one.
        const previous = await tx.appointments.update({ ...before, status: 'cancelled', updatedAt: now });
        const appointment = await tx.appointments.create(
          newAppointment(tenant, { leadId: before.leadId, start, end, now, from: before.id }),
        );
        return {
          change: { type: 'rescheduled', previous, appointment },
          event: deferred('appointment.rescheduled', {
            tenantId: tenant.id,
            at: now,
            leadId: before.leadId,
            appointmentId: appointment.id,
            previousAppointmentId: before.id,
            start,
            end,
          }),
        };
      }),

    cancel: ({ tenant, appointmentId }) =>
      inTransaction(tenant, async (tx, now) => {
        const before = await current(tx, tenant, appointmentId);
        const appointment = await tx.appointments.update({ ...before, status: 'cancelled', updatedAt: now });
        return {
          change: { type: 'cancelled', appointment },
          event: deferred('appointment.cancelled', {
            tenantId: tenant.id,
            at: now,
            leadId: before.leadId,
            appointmentId: appointment.id,
            status: appointment.status,
          }),
        };
      }),
  };
}
