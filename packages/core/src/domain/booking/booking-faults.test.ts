/**
 * The failure modes of a booking: lost answers, a calendar that fails, a store that fails after
 * the event exists, and compensation that fails too.
 */
import { describe, expect, it } from 'vitest';
import { ConflictError, ProviderError, ProviderUnavailableError, SlotUnavailableError, VersionConflictError } from '../../errors/index.js';
import { calendarEventIdFor } from '../model/appointment.js';
import { bookingWorld, saoPaulo, type BookingWorld } from './__fixtures__/booking-world.js';
import type { BookInput } from './booking-inputs.js';
import { processCalendarOutbox } from './calendar-outbox.js';

function bookAt(world: BookingWorld, start: Date, extra: Partial<BookInput> = {}): BookInput {
  return { tenantId: world.tenant.id, leadId: world.lead.id, actor: { kind: 'lead', leadId: world.lead.id }, start, ...extra };
}

const unavailable = (operation: string) => () => new ProviderUnavailableError({ provider: 'in-memory', operation, message: 'timeout' });

describe('book under faults', () => {
  it('the event is created but the answer is lost: the booking finds it and no second event exists', async () => {
    const world = await bookingWorld();
    world.calendarFaults.succeedButTimeout('createEvent', 1);
    const { appointment } = await world.service.book(bookAt(world, saoPaulo(2, '10:00')));
    expect(world.calendar.allEvents('primary').map((event) => event.eventId)).toEqual([appointment.calendarEventId]);
    expect(world.calendarFaults.calls('createEvent').map((call) => call.outcome)).toEqual(['timed-out']);
  });

  it('the answer is lost and the look-up fails too: a retry with the same appointment id finds the event', async () => {
    const world = await bookingWorld();
    const appointmentId = crypto.randomUUID();
    world.calendarFaults.succeedButTimeout('createEvent', 1);
    world.calendarFaults.failNext('getEvent', 1, unavailable('getEvent'));
    const first = world.service.book(bookAt(world, saoPaulo(2, '10:00'), { appointmentId }));
    await expect(first).rejects.toSatisfy((error) => ProviderUnavailableError.isInstance(error) && error.retryable);
    expect(world.store.dump().appointments).toEqual([]);

    // The first attempt's event now makes the slot look busy; the retry recognises it as its own.
    const retried = await world.service.book(bookAt(world, saoPaulo(2, '10:00'), { appointmentId }));
    expect(retried.created).toBe(true);
    expect(retried.appointment.id).toBe(appointmentId);
    expect(world.calendar.allEvents('primary')).toHaveLength(1);
    expect(world.calendar.allEvents('primary')[0]).toMatchObject({ eventId: calendarEventIdFor(appointmentId), status: 'confirmed' });
  });

  it('the transaction loses an optimistic race on the lead (the CRM sync linked it meanwhile): it runs again and the booking succeeds once', async () => {
    const world = await bookingWorld();
    world.storeFaults.failNext('transaction', 1, () => new VersionConflictError('lead', world.lead.id, 1));
    const { appointment, created } = await world.service.book(bookAt(world, saoPaulo(2, '10:00')));
    expect(created).toBe(true);
    expect(world.store.dump().appointments.map((row) => row.id)).toEqual([appointment.id]);
    expect(world.calendar.allEvents('primary').map((event) => event.eventId)).toEqual([appointment.calendarEventId]);
    expect(world.emitted.filter((entry) => entry.name === 'appointment.booked')).toHaveLength(1);
  });

  it('the calendar fails to create the event: nothing is persisted and the error is clear', async () => {
    const world = await bookingWorld();
    world.calendarFaults.failNext(
      'createEvent',
      1,
      () => new ProviderError({ provider: 'google-calendar', operation: 'createEvent', message: 'forbidden', status: 403 }),
    );
    await expect(world.service.book(bookAt(world, saoPaulo(2, '10:00')))).rejects.toSatisfy(
      (error) => ProviderError.isInstance(error) && error.status === 403,
    );
    expect(world.store.dump().appointments).toEqual([]);
    expect(world.store.dump().scheduledMessages).toEqual([]);
    expect(world.calendar.allEvents('primary')).toEqual([]);
  });

  it('the calendar is down for free/busy: nothing is created or persisted', async () => {
    const world = await bookingWorld();
    world.calendarFaults.failNext('freeBusy', 1, unavailable('freeBusy'));
    await expect(world.service.book(bookAt(world, saoPaulo(2, '10:00')))).rejects.toSatisfy((error) =>
      ProviderUnavailableError.isInstance(error),
    );
    expect(world.calendarFaults.calls('createEvent')).toEqual([]);
    expect(world.store.dump().appointments).toEqual([]);
  });

  it('persisting fails after the event was created: the event is deleted again', async () => {
    const world = await bookingWorld();
    world.storeFaults.failNext('transaction', 1, unavailable('transaction'));
    await expect(world.service.book(bookAt(world, saoPaulo(2, '10:00')))).rejects.toSatisfy((error) =>
      ProviderUnavailableError.isInstance(error),
    );
    expect(world.store.dump().appointments).toEqual([]);
    expect(world.calendar.allEvents('primary').map((event) => event.status)).toEqual(['cancelled']);
    expect(
      await world.calendar.listEvents({ calendarId: 'primary', timeMin: saoPaulo(2, '00:00'), timeMax: saoPaulo(3, '00:00') }),
    ).toEqual([]);
  });

  it('persisting fails and so does deleting the event: the deletion waits in the calendar outbox', async () => {
    const world = await bookingWorld();
    world.storeFaults.failNext('transaction', 1, unavailable('transaction'));
    world.calendarFaults.failNext('deleteEvent', 1, unavailable('deleteEvent'));
    await expect(world.service.book(bookAt(world, saoPaulo(2, '10:00')))).rejects.toThrow();
    const [entry, ...others] = world.store.dump().outbox;
    expect(others).toEqual([]);
    expect(entry).toMatchObject({ topic: 'calendar', type: 'appointment.delete_event', status: 'pending' });

    const run = await processCalendarOutbox({ store: world.store, calendar: world.calendar, clock: world.clock, workerId: 'worker-1' });
    expect(run).toEqual({ claimed: 1, completed: 1, retried: 0, dead: 0 });
    expect(world.calendar.allEvents('primary').map((event) => event.status)).toEqual(['cancelled']);
  });

  it('a retry after a compensated booking must use a new appointment id: the old event id is spent', async () => {
    const world = await bookingWorld();
    const appointmentId = crypto.randomUUID();
    world.storeFaults.failNext('transaction', 1, unavailable('transaction'));
    await expect(world.service.book(bookAt(world, saoPaulo(2, '10:00'), { appointmentId }))).rejects.toThrow();
    await expect(world.service.book(bookAt(world, saoPaulo(2, '10:00'), { appointmentId }))).rejects.toSatisfy((error) =>
      ConflictError.isInstance(error),
    );
    const fresh = await world.service.book(bookAt(world, saoPaulo(2, '10:00')));
    expect(fresh.created).toBe(true);
  });
});

describe('book, hold first', () => {
  it('a hold left by an attempt that stopped before the calendar is completed by a retry with the same id', async () => {
    const world = await bookingWorld();
    const appointmentId = crypto.randomUUID();
    const start = saoPaulo(2, '10:00');
    const now = world.clock.now();
    await world.store.appointments.create({
      id: appointmentId,
      tenantId: world.tenant.id,
      leadId: world.lead.id,
      calendarId: 'primary',
      start,
      end: new Date(start.getTime() + 30 * 60_000),
      status: 'scheduled',
      calendarEventId: null,
      rescheduledFromId: null,
      createdAt: now,
      updatedAt: now,
      version: 0,
    });
    // The hold keeps the slot from anyone else.
    await expect(world.service.book(bookAt(world, start, { leadId: world.otherLead.id, actor: { kind: 'operator' } }))).rejects.toSatisfy(
      (error) => SlotUnavailableError.isInstance(error),
    );
    const retried = await world.service.book(bookAt(world, start, { appointmentId }));
    expect(retried.created).toBe(true);
    expect(retried.appointment).toMatchObject({ id: appointmentId, calendarEventId: calendarEventIdFor(appointmentId), version: 1 });
    expect(world.calendar.allEvents('primary').map((event) => event.eventId)).toEqual([calendarEventIdFor(appointmentId)]);
    // The observers ran when the hold was completed: the reminders exist.
    expect(world.store.dump().scheduledMessages.length).toBeGreaterThan(0);
  });

  it('the slot turns out busy in the calendar: the hold is released and nothing is written', async () => {
    const world = await bookingWorld();
    const start = saoPaulo(2, '10:00');
    await world.calendar.createEvent({
      calendarId: 'primary',
      eventId: 'foreign0event0id',
      summary: 'Dentist',
      start,
      end: new Date(start.getTime() + 30 * 60_000),
    });
    await expect(world.service.book(bookAt(world, start))).rejects.toSatisfy((error) => SlotUnavailableError.isInstance(error));
    expect(world.store.dump().appointments).toEqual([]);
    expect(world.calendarFaults.calls('createEvent')).toEqual([]);
  });
});
