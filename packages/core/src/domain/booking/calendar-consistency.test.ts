import { describe, expect, it } from 'vitest';
import { buildAppointment } from '../../testing/__fixtures__/entities.js';
import { calendarEventIdFor, type Appointment } from '../model/appointment.js';
import { bookingWorld, saoPaulo, type BookingWorld } from './__fixtures__/booking-world.js';
import { checkCalendarConsistency } from './calendar-consistency.js';
import { appointmentIdProperty, tenantIdProperty } from './calendar-events.js';
import { repairCalendarConsistency } from './calendar-repair.js';

/** An event of ours (it carries the appointment id) created behind the store's back. */
const strayEvent = (world: BookingWorld, input: { appointmentId: string; day: number; tenantId?: string }) =>
  world.calendar.createEvent({
    calendarId: 'primary',
    eventId: calendarEventIdFor(input.appointmentId),
    start: saoPaulo(input.day, '10:00'),
    end: saoPaulo(input.day, '10:30'),
    summary: 'Stray',
    privateProperties: {
      [appointmentIdProperty]: input.appointmentId,
      ...(input.tenantId === undefined ? {} : { [tenantIdProperty]: input.tenantId }),
    },
  });

/** A scheduled appointment stored without any calendar event. */
const eventlessAppointment = (world: BookingWorld) =>
  world.store.appointments.create(
    buildAppointment({ tenantId: world.tenant.id, leadId: world.otherLead.id, start: saoPaulo(4, '10:00'), end: saoPaulo(4, '10:30') }),
  );

/** Moves an appointment's event in the calendar only, to `time` for 30 minutes on `day`. */
const moveEventOnly = (world: BookingWorld, appointment: Appointment, day: number, time: string) =>
  world.calendar.updateEvent({
    calendarId: 'primary',
    eventId: appointment.calendarEventId!,
    start: saoPaulo(day, time),
    end: new Date(saoPaulo(day, time).getTime() + 30 * 60_000),
  });

const range = { from: saoPaulo(2, '00:00'), to: saoPaulo(7, '00:00') };

async function worldWithBookings() {
  const world = await bookingWorld();
  const book = (start: Date) =>
    world.service
      .book({ tenantId: world.tenant.id, leadId: world.lead.id, actor: { kind: 'operator' }, start })
      .then((result) => result.appointment);
  const first = await book(saoPaulo(3, '10:00'));
  const second = await book(saoPaulo(3, '14:00'));
  return { ...world, first, second };
}

const check = (world: BookingWorld) =>
  checkCalendarConsistency({
    store: world.store,
    calendar: world.calendar,
    clock: world.clock,
    tenantId: world.tenant.id,
    calendarId: 'primary',
    ...range,
  });

const repair = async (world: BookingWorld) =>
  repairCalendarConsistency({
    store: world.store,
    calendar: world.calendar,
    lock: world.lock,
    clock: world.clock,
    report: await check(world),
  });

describe('checkCalendarConsistency', () => {
  it('finds nothing wrong after ordinary bookings, and ignores other people’s events', async () => {
    const world = await worldWithBookings();
    world.calendar.addBusy('primary', { start: saoPaulo(4, '09:00'), end: saoPaulo(4, '10:00') });
    await world.calendar.createEvent({
      calendarId: 'primary',
      eventId: 'someoneelse01',
      start: saoPaulo(4, '11:00'),
      end: saoPaulo(4, '12:00'),
      summary: 'Dentist',
    });
    await world.calendar.createEvent({
      calendarId: 'primary',
      eventId: 'othertenant01',
      start: saoPaulo(4, '13:00'),
      end: saoPaulo(4, '14:00'),
      summary: 'Other tenant',
      privateProperties: { [appointmentIdProperty]: crypto.randomUUID(), [tenantIdProperty]: crypto.randomUUID() },
    });
    const report = await check(world);
    expect(report).toMatchObject({
      consistent: true,
      appointmentsChecked: 2,
      eventsChecked: 4,
      orphanEvents: [],
      missingEvents: [],
      timeMismatches: [],
    });
  });

  it('lists orphan events, missing events and time mismatches', async () => {
    const world = await worldWithBookings();
    const strayId = crypto.randomUUID();
    await strayEvent(world, { appointmentId: strayId, day: 5, tenantId: world.tenant.id });
    const cancelled = await world.store.appointments.update({ ...world.first, status: 'cancelled' });
    const eventless = await eventlessAppointment(world);
    await moveEventOnly(world, world.second, 3, '15:00');

    const report = await check(world);
    expect(report.consistent).toBe(false);
    expect(report.orphanEvents.map(({ appointmentId, reason }) => ({ appointmentId, reason }))).toEqual([
      { appointmentId: cancelled.id, reason: 'appointment_cancelled' },
      { appointmentId: strayId, reason: 'appointment_missing' },
    ]);
    expect(report.missingEvents.map(({ appointmentId, reason }) => ({ appointmentId, reason }))).toEqual([
      { appointmentId: eventless.id, reason: 'no_event_id' },
    ]);
    expect(report.timeMismatches).toEqual([
      {
        appointmentId: world.second.id,
        eventId: world.second.calendarEventId,
        appointmentStart: world.second.start,
        appointmentEnd: world.second.end,
        eventStart: saoPaulo(3, '15:00'),
        eventEnd: saoPaulo(3, '15:30'),
      },
    ]);
  });

  it('finds an event moved out of the range, and an event deleted behind the store’s back', async () => {
    const world = await worldWithBookings();
    await moveEventOnly(world, world.first, 9, '10:00');
    await world.calendar.deleteEvent({ calendarId: 'primary', eventId: world.second.calendarEventId! });
    const report = await check(world);
    expect(report.timeMismatches.map((mismatch) => mismatch.appointmentId)).toEqual([world.first.id]);
    expect(report.missingEvents.map(({ appointmentId, reason }) => ({ appointmentId, reason }))).toEqual([
      { appointmentId: world.second.id, reason: 'event_deleted' },
    ]);
  });
});

describe('repairCalendarConsistency', () => {
  it('deletes orphans, recreates missing events, moves mismatched ones — and then all is consistent', async () => {
    const world = await worldWithBookings();
    const strayId = crypto.randomUUID();
    await strayEvent(world, { appointmentId: strayId, day: 5 });
    await world.calendar.deleteEvent({ calendarId: 'primary', eventId: world.first.calendarEventId! });
    const eventless = await eventlessAppointment(world);
    await moveEventOnly(world, world.second, 3, '15:00');

    const result = await repair(world);
    expect(result).toMatchObject({ repaired: 4, skipped: 0, failed: 0 });
    expect((await check(world)).consistent).toBe(true);

    const relinked = await world.store.appointments.get(world.tenant.id, world.first.id);
    expect(relinked?.calendarEventId).not.toBe(world.first.calendarEventId);
    expect(relinked?.calendarEventId?.startsWith(calendarEventIdFor(world.first.id))).toBe(true);
    expect((await world.store.appointments.get(world.tenant.id, eventless.id))?.calendarEventId).toBe(calendarEventIdFor(eventless.id));
    const moved = await world.calendar.getEvent({ calendarId: 'primary', eventId: world.second.calendarEventId! });
    expect(moved?.start).toEqual(world.second.start);
  });

  it('re-checks each item first: an item that no longer needs repair is skipped', async () => {
    const world = await worldWithBookings();
    const laterId = crypto.randomUUID();
    // An event created by a booking that had not persisted yet when the report was taken.
    await strayEvent(world, { appointmentId: laterId, day: 5 });
    const report = await check(world);
    expect(report.orphanEvents).toHaveLength(1);
    await world.store.appointments.create(
      buildAppointment({
        id: laterId,
        tenantId: world.tenant.id,
        leadId: world.otherLead.id,
        start: saoPaulo(5, '10:00'),
        end: saoPaulo(5, '10:30'),
        calendarEventId: calendarEventIdFor(laterId),
      }),
    );
    const result = await repairCalendarConsistency({
      store: world.store,
      calendar: world.calendar,
      lock: world.lock,
      clock: world.clock,
      report,
    });
    expect(result).toMatchObject({ repaired: 0, skipped: 1, failed: 0 });
    expect((await world.calendar.getEvent({ calendarId: 'primary', eventId: calendarEventIdFor(laterId) }))?.status).toBe('confirmed');
  });

  it('a calendar failure fails one item and the others are still repaired', async () => {
    const world = await worldWithBookings();
    await moveEventOnly(world, world.first, 3, '11:00');
    await moveEventOnly(world, world.second, 3, '15:00');
    const report = await check(world);
    world.calendarFaults.failNext('updateEvent', 1, new Error('socket hang up'));
    const result = await repairCalendarConsistency({
      store: world.store,
      calendar: world.faultyCalendar,
      lock: world.lock,
      clock: world.clock,
      report,
    });
    expect(result).toMatchObject({ repaired: 1, failed: 1 });
    expect(result.outcomes.find((outcome) => outcome.result === 'failed')).toMatchObject({
      kind: 'time_mismatch',
      error: 'socket hang up',
    });
    expect((await check(world)).timeMismatches).toHaveLength(1);
  });
});
