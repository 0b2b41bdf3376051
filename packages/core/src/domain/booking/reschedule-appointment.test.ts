import { describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError, ProviderUnavailableError, SlotUnavailableError } from '../../errors/index.js';
import type { Appointment } from '../model/appointment.js';
import { bookedWorld, saoPaulo, throwingObserver, type BookingWorld } from './__fixtures__/booking-world.js';
import type { RescheduleInput } from './booking-inputs.js';
import { processCalendarOutbox } from './calendar-outbox.js';

const unavailable = (operation: string) => () => new ProviderUnavailableError({ provider: 'in-memory', operation, message: 'timeout' });

function moveTo(
  world: BookingWorld & { readonly booked: Appointment },
  start: Date,
  extra: Partial<RescheduleInput> = {},
): RescheduleInput {
  return { tenantId: world.tenant.id, appointmentId: world.booked.id, actor: { kind: 'lead', leadId: world.lead.id }, start, ...extra };
}

/** The old appointment and its event exactly as they were before a failed move. */
async function expectUntouched(world: BookingWorld & { readonly booked: Appointment }): Promise<void> {
  expect(await world.store.appointments.get(world.tenant.id, world.booked.id)).toEqual(world.booked);
  expect(await world.calendar.getEvent({ calendarId: 'primary', eventId: world.booked.calendarEventId ?? '' })).toMatchObject({
    status: 'confirmed',
    start: world.booked.start,
    end: world.booked.end,
  });
  expect(world.store.dump().appointments).toEqual([world.booked]);
  expect(world.store.dump().outbox).toEqual([]);
}

describe('BookingService.reschedule', () => {
  it('books the new slot, cancels the old appointment, deletes its event and tells the observers', async () => {
    const world = await bookedWorld();
    const result = await world.service.reschedule(moveTo(world, saoPaulo(4, '15:00')));

    expect(result.created).toBe(true);
    expect(result.previousEventDeleted).toBe(true);
    expect(result.appointment).toMatchObject({ status: 'scheduled', rescheduledFromId: world.booked.id, leadId: world.lead.id });
    expect(result.appointment.start.toISOString()).toBe(saoPaulo(4, '15:00').toISOString());
    expect(result.appointment.end.toISOString()).toBe(saoPaulo(4, '15:30').toISOString());
    expect(result.previous).toMatchObject({ id: world.booked.id, status: 'cancelled', version: world.booked.version + 1 });
    const events = world.calendar.allEvents('primary');
    expect(events.map((event) => [event.eventId, event.status])).toEqual([
      [world.booked.calendarEventId, 'cancelled'],
      [result.appointment.calendarEventId, 'confirmed'],
    ]);
    expect(world.observer.changes).toEqual([{ type: 'rescheduled', previous: result.previous, appointment: result.appointment }]);
    expect(world.observer.afterCommitRuns).toEqual([{ type: 'rescheduled', committed: true }]);
    expect(world.emitted).toEqual([
      {
        name: 'appointment.rescheduled',
        event: {
          tenantId: world.tenant.id,
          at: result.appointment.createdAt,
          leadId: world.lead.id,
          appointmentId: result.appointment.id,
          previousAppointmentId: world.booked.id,
          start: result.appointment.start,
          end: result.appointment.end,
        },
      },
    ]);
  });

  it('queues the deletion of the old event in the same unit; the worker later finds it gone and completes it', async () => {
    const world = await bookedWorld();
    await world.service.reschedule(moveTo(world, saoPaulo(4, '15:00')));
    const [entry] = world.store.dump().outbox;
    expect(entry).toMatchObject({
      topic: 'calendar',
      type: 'appointment.delete_event',
      aggregateId: world.booked.id,
      payload: { calendarId: 'primary', eventId: world.booked.calendarEventId },
      status: 'pending',
    });
    await world.clock.advance(60_000);
    const run = await processCalendarOutbox({ store: world.store, calendar: world.calendar, clock: world.clock, workerId: 'worker' });
    expect(run).toMatchObject({ claimed: 1, completed: 1 });
  });

  it('can move a meeting by 15 minutes over its own slot, and keeps its length by default', async () => {
    const world = await bookedWorld();
    const { appointment } = await world.service.reschedule(moveTo(world, saoPaulo(3, '10:15')));
    expect(appointment.start.toISOString()).toBe(saoPaulo(3, '10:15').toISOString());
    expect(appointment.end.getTime() - appointment.start.getTime()).toBe(30 * 60_000);
    const longer = await world.service.reschedule({
      ...moveTo(world, saoPaulo(3, '10:00'), { durationMinutes: 60 }),
      appointmentId: appointment.id,
    });
    expect(longer.appointment.end.toISOString()).toBe(saoPaulo(3, '11:00').toISOString());
  });

  it('a busy new slot is refused with alternatives that may overlap the old slot; the old one is untouched', async () => {
    const world = await bookedWorld();
    world.calendar.addBusy('primary', { start: saoPaulo(3, '10:30'), end: saoPaulo(3, '12:00') });
    const error = await world.service.reschedule(moveTo(world, saoPaulo(3, '11:00'))).catch((caught: unknown) => caught);
    expect(SlotUnavailableError.isInstance(error)).toBe(true);
    expect((error as SlotUnavailableError).alternatives.map((slot) => slot.start.toISOString())).toEqual([
      saoPaulo(3, '10:00').toISOString(),
      saoPaulo(3, '09:30').toISOString(),
      saoPaulo(3, '09:00').toISOString(),
    ]);
    await expectUntouched(world);
  });

  it('the new event cannot be created: the old appointment and event are unchanged', async () => {
    const world = await bookedWorld();
    world.calendarFaults.failNext('createEvent', 1, unavailable('createEvent'));
    await expect(world.service.reschedule(moveTo(world, saoPaulo(4, '15:00')))).rejects.toSatisfy((error) =>
      ProviderUnavailableError.isInstance(error),
    );
    await expectUntouched(world);
  });

  it('the new booking cannot be persisted: its event is deleted and the old appointment and event are unchanged', async () => {
    const world = await bookedWorld();
    world.storeFaults.failNext('transaction', 1, unavailable('transaction'));
    await expect(world.service.reschedule(moveTo(world, saoPaulo(4, '15:00')))).rejects.toThrow();
    await expectUntouched(world);
    expect(world.calendar.allEvents('primary').map((event) => event.status)).toEqual(['confirmed', 'cancelled']);
  });

  it('an observer that throws rolls the move back entirely', async () => {
    const world = await bookedWorld();
    const service = world.serviceWith({ observers: [world.observer, throwingObserver()] });
    await expect(service.reschedule(moveTo(world, saoPaulo(4, '15:00')))).rejects.toThrow('observer exploded');
    await expectUntouched(world);
    expect(world.observer.afterCommitRuns).toEqual([]);
    expect(world.store.dump().scheduledMessages.map((message) => message.dedupeKey)).toEqual([`reminder_2h:${world.booked.id}:booked`]);
  });

  it('the old event cannot be deleted now: the outbox retries with backoff until it is gone', async () => {
    const world = await bookedWorld();
    world.calendarFaults.failNext('deleteEvent', 3, unavailable('deleteEvent'));
    const result = await world.service.reschedule(moveTo(world, saoPaulo(4, '15:00')));
    expect(result.previousEventDeleted).toBe(false);
    const worker = { store: world.store, calendar: world.faultyCalendar, clock: world.clock, workerId: 'worker', random: () => 0.5 };

    expect(await processCalendarOutbox(worker)).toMatchObject({ claimed: 0 });
    await world.clock.advance(60_000);
    expect(await processCalendarOutbox(worker)).toMatchObject({ claimed: 1, retried: 1 });
    const [waiting] = world.store.dump().outbox;
    expect(waiting).toMatchObject({ status: 'pending', attempts: 1 });
    expect(waiting?.availableAt.getTime()).toBeGreaterThan(world.clock.now().getTime());
    expect(await processCalendarOutbox(worker)).toMatchObject({ claimed: 0 });

    await world.clock.advanceTo(waiting!.availableAt);
    expect(await processCalendarOutbox(worker)).toMatchObject({ claimed: 1, retried: 1 });
    await world.clock.advanceTo(world.store.dump().outbox[0]!.availableAt);
    expect(await processCalendarOutbox(worker)).toMatchObject({ claimed: 1, completed: 1 });
    expect(world.store.dump().outbox[0]).toMatchObject({ status: 'done', attempts: 2 });
    expect((await world.calendar.getEvent({ calendarId: 'primary', eventId: world.booked.calendarEventId ?? '' }))?.status).toBe(
      'cancelled',
    );
  });

  it('is idempotent on newAppointmentId', async () => {
    const world = await bookedWorld();
    const newAppointmentId = crypto.randomUUID();
    const first = await world.service.reschedule(moveTo(world, saoPaulo(4, '15:00'), { newAppointmentId }));
    const again = await world.service.reschedule(moveTo(world, saoPaulo(4, '15:00'), { newAppointmentId }));
    expect(again.created).toBe(false);
    expect(again.appointment).toEqual(first.appointment);
    expect(world.calendar.allEvents('primary')).toHaveLength(2);
  });

  it('hides another lead’s appointment, and refuses to move one that is not scheduled', async () => {
    const world = await bookedWorld();
    const asOther = moveTo(world, saoPaulo(4, '15:00'), { actor: { kind: 'lead', leadId: world.otherLead.id } });
    await expect(world.service.reschedule(asOther)).rejects.toSatisfy((error) => NotFoundError.isInstance(error));
    await world.service.cancel({ tenantId: world.tenant.id, appointmentId: world.booked.id, actor: { kind: 'operator' } });
    await expect(world.service.reschedule(moveTo(world, saoPaulo(4, '15:00')))).rejects.toSatisfy(
      (error) => ConflictError.isInstance(error) && !SlotUnavailableError.isInstance(error),
    );
  });
});

describe('BookingService.findSlots', () => {
  it('offers the slots of the tenant calendar, and the own slot when rescheduling', async () => {
    const world = await bookedWorld();
    const input = {
      tenantId: world.tenant.id,
      actor: { kind: 'lead' as const, leadId: world.lead.id },
      from: saoPaulo(3, '00:00'),
      to: saoPaulo(4, '00:00'),
    };
    const plain = await world.service.findSlots(input);
    expect(plain.map((slot) => slot.localStart.slice(11, 16))).not.toContain('10:00');
    expect(plain[0]?.localStart).toBe('2026-03-03T09:00:00-03:00');
    const moving = await world.service.findSlots({ ...input, reschedulingAppointmentId: world.booked.id });
    expect(moving.map((slot) => slot.localStart.slice(11, 16))).toContain('10:00');
    await expect(
      world.service.findSlots({
        ...input,
        actor: { kind: 'lead', leadId: world.otherLead.id },
        reschedulingAppointmentId: world.booked.id,
      }),
    ).rejects.toSatisfy((error) => NotFoundError.isInstance(error));
  });

  it('lists and shows a lead only its own appointments', async () => {
    const world = await bookedWorld();
    const ref = { tenantId: world.tenant.id, appointmentId: world.booked.id };
    expect(await world.service.getAppointment({ ...ref, actor: { kind: 'lead', leadId: world.lead.id } })).toEqual(world.booked);
    await expect(world.service.getAppointment({ ...ref, actor: { kind: 'lead', leadId: world.otherLead.id } })).rejects.toSatisfy((error) =>
      NotFoundError.isInstance(error),
    );
    expect(await world.service.listAppointments({ tenantId: world.tenant.id, leadId: world.lead.id, actor: { kind: 'operator' } })).toEqual(
      [world.booked],
    );
    await expect(
      world.service.listAppointments({
        tenantId: world.tenant.id,
        leadId: world.lead.id,
        actor: { kind: 'lead', leadId: world.otherLead.id },
      }),
    ).rejects.toSatisfy((error) => NotFoundError.isInstance(error));
  });
});
