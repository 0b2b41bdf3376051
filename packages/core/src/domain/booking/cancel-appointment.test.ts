import { describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError, ProviderUnavailableError, ValidationError } from '../../errors/index.js';
import type { Appointment } from '../model/appointment.js';
import { bookedWorld, throwingObserver, type BookingWorld } from './__fixtures__/booking-world.js';
import type { BookingActor } from './booking-inputs.js';
import { processCalendarOutbox } from './calendar-outbox.js';

const cancelAs = (world: BookingWorld & { readonly booked: Appointment }, actor: BookingActor) =>
  world.service.cancel({ tenantId: world.tenant.id, appointmentId: world.booked.id, actor });

describe('BookingService.cancel', () => {
  it('cancels the appointment, deletes its event, and tells the observers inside the unit', async () => {
    const world = await bookedWorld();
    const result = await cancelAs(world, { kind: 'lead', leadId: world.lead.id });
    expect(result.eventDeleted).toBe(true);
    expect(result.appointment).toMatchObject({ id: world.booked.id, status: 'cancelled', version: world.booked.version + 1 });
    expect(await world.store.appointments.get(world.tenant.id, world.booked.id)).toEqual(result.appointment);
    expect(world.calendar.allEvents('primary').map((event) => event.status)).toEqual(['cancelled']);
    expect(world.observer.changes).toEqual([{ type: 'cancelled', appointment: result.appointment }]);
    expect(world.observer.afterCommitRuns).toEqual([{ type: 'cancelled', committed: true }]);
    expect(world.emitted).toEqual([
      {
        name: 'appointment.cancelled',
        event: {
          tenantId: world.tenant.id,
          at: world.clock.now(),
          leadId: world.lead.id,
          appointmentId: world.booked.id,
          status: 'cancelled',
        },
      },
    ]);
    expect(world.store.dump().outbox).toMatchObject([
      { type: 'appointment.delete_event', aggregateId: world.booked.id, status: 'pending' },
    ]);
  });

  it('an event already deleted in the calendar (404/410) counts as deleted', async () => {
    const world = await bookedWorld();
    await world.calendar.deleteEvent({ calendarId: 'primary', eventId: world.booked.calendarEventId ?? '' });
    const result = await cancelAs(world, { kind: 'operator' });
    expect(result).toMatchObject({ eventDeleted: true, appointment: { status: 'cancelled' } });
  });

  it('the calendar is down: the appointment is cancelled anyway and the outbox deletes the event later', async () => {
    const world = await bookedWorld();
    world.calendar.setHealth('down');
    const result = await cancelAs(world, { kind: 'operator' });
    expect(result).toMatchObject({ eventDeleted: false, appointment: { status: 'cancelled' } });
    world.calendar.setHealth('up');
    await world.clock.advance(60_000);
    expect(
      await processCalendarOutbox({ store: world.store, calendar: world.calendar, clock: world.clock, workerId: 'worker' }),
    ).toMatchObject({
      completed: 1,
    });
    expect(world.calendar.allEvents('primary').map((event) => event.status)).toEqual(['cancelled']);
  });

  it('only a scheduled appointment can be cancelled', async () => {
    const world = await bookedWorld();
    await cancelAs(world, { kind: 'operator' });
    const again = await cancelAs(world, { kind: 'operator' }).catch((error: unknown) => error);
    expect(ConflictError.isInstance(again)).toBe(true);
    expect((again as ConflictError).details).toMatchObject({ status: 'cancelled' });
  });

  it('a lead cannot cancel, or learn about, another lead’s appointment', async () => {
    const world = await bookedWorld();
    await expect(cancelAs(world, { kind: 'lead', leadId: world.otherLead.id })).rejects.toSatisfy((error) =>
      NotFoundError.isInstance(error),
    );
    await expect(
      world.service.cancel({
        tenantId: world.tenant.id,
        appointmentId: crypto.randomUUID(),
        actor: { kind: 'lead', leadId: world.lead.id },
      }),
    ).rejects.toSatisfy((error) => NotFoundError.isInstance(error));
    expect(await world.store.appointments.get(world.tenant.id, world.booked.id)).toEqual(world.booked);
  });

  it('rejects malformed input with a ValidationError naming the field', async () => {
    const world = await bookedWorld();
    await expect(world.service.cancel({ tenantId: world.tenant.id, appointmentId: 'nope', actor: { kind: 'operator' } })).rejects.toSatisfy(
      (error) => ValidationError.isInstance(error) && error.fieldErrors.some((fieldError) => fieldError.field === 'cancel.appointmentId'),
    );
  });

  it('an observer that throws rolls the cancellation back and leaves the event alone', async () => {
    const world = await bookedWorld();
    const service = world.serviceWith({ observers: [throwingObserver()] });
    await expect(
      service.cancel({ tenantId: world.tenant.id, appointmentId: world.booked.id, actor: { kind: 'operator' } }),
    ).rejects.toThrow('observer exploded');
    expect(await world.store.appointments.get(world.tenant.id, world.booked.id)).toEqual(world.booked);
    expect(world.calendar.allEvents('primary').map((event) => event.status)).toEqual(['confirmed']);
    expect(world.store.dump().outbox).toEqual([]);
  });

  it('a store failure leaves everything as it was', async () => {
    const world = await bookedWorld();
    world.storeFaults.failNext('transaction', 1, () => new ProviderUnavailableError({ provider: 'store', operation: 'transaction' }));
    await expect(cancelAs(world, { kind: 'operator' })).rejects.toSatisfy((error) => ProviderUnavailableError.isInstance(error));
    expect(await world.store.appointments.get(world.tenant.id, world.booked.id)).toEqual(world.booked);
    expect(world.calendar.allEvents('primary').map((event) => event.status)).toEqual(['confirmed']);
  });
});
