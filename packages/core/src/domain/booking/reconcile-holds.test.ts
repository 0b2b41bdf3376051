/**
 * Holds a crash left behind: the process died after writing the hold and before finishing the
 * booking (the calendar never called, or called and never answered). After the grace period the
 * hold is adopted when its event is in the calendar, released otherwise; a recent hold is left to
 * the booking that may still be running it.
 */
import { describe, expect, it } from 'vitest';
import { buildAppointment } from '../../testing/__fixtures__/entities.js';
import { calendarEventIdFor } from '../model/appointment.js';
import { bookingWorld, saoPaulo, type BookingWorld } from './__fixtures__/booking-world.js';
import { ensureCalendarEvent } from './calendar-events.js';
import { defaultHoldGraceMs } from './reconcile-holds.js';

const minute = 60_000;

/** The row `book` writes before it calls the calendar, and nothing after it: the process was killed. */
async function crashedHold(world: BookingWorld, time: string) {
  const now = world.clock.now();
  const start = saoPaulo(3, time);
  return world.store.appointments.create(
    buildAppointment({
      tenantId: world.tenant.id,
      leadId: world.lead.id,
      calendarId: world.tenant.booking.calendarId,
      start,
      end: new Date(start.getTime() + 30 * minute),
      calendarEventId: null,
      createdAt: now,
      updatedAt: now,
    }),
  );
}

const statusOf = (world: BookingWorld, id: string) => world.store.dump().appointments.find((appointment) => appointment.id === id);

describe('reconcileStaleHolds', () => {
  it('killed before the calendar insert: after the grace period the hold is released and the slot is free again', async () => {
    const world = await bookingWorld();
    const hold = await crashedHold(world, '10:00');
    // Within the grace period the booking may still be running: nothing is touched.
    await world.clock.advance(defaultHoldGraceMs - minute);
    expect(await world.service.reconcileStaleHolds({ tenantId: world.tenant.id })).toEqual({ adopted: [], released: [], failed: [] });
    expect(statusOf(world, hold.id)).toBeDefined();

    await world.clock.advance(2 * minute);
    expect(await world.service.reconcileStaleHolds({ tenantId: world.tenant.id })).toEqual({
      adopted: [],
      released: [hold.id],
      failed: [],
    });
    expect(statusOf(world, hold.id)).toBeUndefined();
    expect(world.observer.changes).toEqual([]);
    // The slot can be booked again.
    const { appointment } = await world.service.book({
      tenantId: world.tenant.id,
      leadId: world.otherLead.id,
      actor: { kind: 'lead', leadId: world.otherLead.id },
      start: saoPaulo(3, '10:00'),
    });
    expect(appointment.calendarEventId).not.toBeNull();
  });

  it('killed after the calendar insert: the event found by its id is adopted, the observers told, the booking announced', async () => {
    const world = await bookingWorld();
    const hold = await crashedHold(world, '11:00');
    const event = await ensureCalendarEvent(world.calendar, {
      calendarId: hold.calendarId,
      eventId: calendarEventIdFor(hold.id),
      tenantId: world.tenant.id,
      leadId: hold.leadId,
      appointmentId: hold.id,
      summary: 'Reunião',
      description: undefined,
      start: hold.start,
      end: hold.end,
    });
    await world.clock.advance(defaultHoldGraceMs);

    const result = await world.service.reconcileStaleHolds({ tenantId: world.tenant.id });

    expect(result).toEqual({ adopted: [hold.id], released: [], failed: [] });
    expect(statusOf(world, hold.id)).toMatchObject({ status: 'scheduled', calendarEventId: event.eventId });
    expect(world.observer.changes).toMatchObject([{ type: 'booked', appointment: { id: hold.id } }]);
    expect(world.emitted.map((entry) => entry.name)).toEqual(['appointment.booked']);
    // One event, the one created before the crash.
    expect(await world.calendar.listEvents({ calendarId: hold.calendarId, timeMin: hold.start, timeMax: hold.end })).toHaveLength(1);
    // A second pass finds nothing left to do.
    expect(await world.service.reconcileStaleHolds({ tenantId: world.tenant.id })).toEqual({ adopted: [], released: [], failed: [] });
  });

  it('an event deleted since, or a foreign event under that id, is not adopted: the hold is released', async () => {
    const world = await bookingWorld();
    const deletedOne = await crashedHold(world, '14:00');
    const eventId = calendarEventIdFor(deletedOne.id);
    await ensureCalendarEvent(world.calendar, {
      calendarId: deletedOne.calendarId,
      eventId,
      tenantId: world.tenant.id,
      leadId: deletedOne.leadId,
      appointmentId: deletedOne.id,
      summary: 'Reunião',
      description: undefined,
      start: deletedOne.start,
      end: deletedOne.end,
    });
    await world.calendar.deleteEvent({ calendarId: deletedOne.calendarId, eventId });
    const foreignOne = await crashedHold(world, '15:00');
    await world.calendar.createEvent({
      calendarId: foreignOne.calendarId,
      eventId: calendarEventIdFor(foreignOne.id),
      summary: 'Another tenant',
      start: foreignOne.start,
      end: foreignOne.end,
      privateProperties: { sdrTenantId: 'another-tenant' },
    });
    await world.clock.advance(defaultHoldGraceMs);
    const result = await world.service.reconcileStaleHolds({ tenantId: world.tenant.id });
    expect([...result.released].sort()).toEqual([deletedOne.id, foreignOne.id].sort());
    expect(result.adopted).toEqual([]);
  });

  it('a calendar that fails is reported and the hold kept for the next pass', async () => {
    const world = await bookingWorld();
    const hold = await crashedHold(world, '16:00');
    await world.clock.advance(defaultHoldGraceMs);
    world.calendarFaults.failNext('getEvent', 1, () => new Error('calendar down'));
    expect(await world.service.reconcileStaleHolds({ tenantId: world.tenant.id })).toEqual({
      adopted: [],
      released: [],
      failed: [{ appointmentId: hold.id, error: 'calendar down' }],
    });
    expect(statusOf(world, hold.id)).toBeDefined();
    expect(await world.service.reconcileStaleHolds({ tenantId: world.tenant.id })).toMatchObject({ released: [hold.id] });
  });
});
