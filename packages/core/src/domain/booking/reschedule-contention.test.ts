/**
 * Reschedule, hold first: many leads moving their meetings onto one new slot at once ⇒ exactly
 * one move happens. The store refuses the other holds in one round trip, so — even without any
 * lock — only the winner ever writes to the calendar, and every loser keeps its meeting as it was.
 */
import { describe, expect, it } from 'vitest';
import { SlotUnavailableError } from '../../errors/index.js';
import { buildLead } from '../../testing/__fixtures__/entities.js';
import { bookingWorld, noLock, saoPaulo, settleWithClock } from './__fixtures__/booking-world.js';

const contenders = 12;
const times = ['09:00', '09:30', '10:00', '10:30', '11:00', '11:30', '13:00', '13:30', '14:00', '14:30', '15:00', '15:30'];

async function contention(lock: 'in-memory' | 'none') {
  const world = await bookingWorld();
  const service = lock === 'none' ? world.serviceWith({ lock: noLock }) : world.service;
  const meetings = [];
  for (const time of times.slice(0, contenders)) {
    const lead = await world.store.leads.create(buildLead({ tenantId: world.tenant.id }));
    const { appointment } = await service.book({
      tenantId: world.tenant.id,
      leadId: lead.id,
      actor: { kind: 'lead', leadId: lead.id },
      start: saoPaulo(4, time),
    });
    meetings.push(appointment);
  }
  // The calendar answers slowly, so every contender is in flight at once.
  for (const method of ['freeBusy', 'createEvent', 'getEvent', 'deleteEvent'] as const) world.calendarFaults.delay(method, () => 200);
  const createsBefore = world.calendarFaults.calls('createEvent').length;
  const target = saoPaulo(5, '16:00');
  const outcomes = await settleWithClock(
    world.clock,
    Promise.allSettled(
      meetings.map((meeting) =>
        service.reschedule({
          tenantId: world.tenant.id,
          appointmentId: meeting.id,
          actor: { kind: 'lead', leadId: meeting.leadId },
          start: target,
        }),
      ),
    ),
  );
  return { world, meetings, outcomes, target, newCreates: world.calendarFaults.calls('createEvent').length - createsBefore };
}

describe.each(['in-memory', 'none'] as const)('concurrent moves onto one slot (lock: %s)', (lock) => {
  it('exactly one move happens; the others are refused and keep their meeting; only the winner wrote to the calendar', async () => {
    const { world, meetings, outcomes, target, newCreates } = await contention(lock);
    const won = outcomes.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
    const lost = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason as unknown] : []));
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(contenders - 1);
    expect(lost.every((error) => SlotUnavailableError.isInstance(error))).toBe(true);
    expect(newCreates).toBe(1);

    const stored = world.store.dump().appointments;
    const scheduled = stored.filter((appointment) => appointment.status === 'scheduled');
    // The winner's new appointment plus every loser's untouched meeting; no hold is left behind.
    expect(scheduled).toHaveLength(contenders);
    expect(scheduled.filter((appointment) => appointment.calendarEventId === null)).toEqual([]);
    expect(scheduled.filter((appointment) => appointment.start.getTime() === target.getTime())).toHaveLength(1);
    const moved = won[0]?.previous.id;
    for (const meeting of meetings.filter((candidate) => candidate.id !== moved)) {
      expect(stored.find((appointment) => appointment.id === meeting.id)).toMatchObject({ status: 'scheduled', start: meeting.start });
    }
    // The calendar agrees: one event at the new time, the moved meeting's old event gone.
    const events = await world.calendar.listEvents({
      calendarId: world.tenant.booking.calendarId,
      timeMin: saoPaulo(4, '00:00'),
      timeMax: saoPaulo(6, '00:00'),
    });
    expect(events.filter((event) => event.status !== 'cancelled')).toHaveLength(contenders);
  });
});

describe('a move that overlaps its own slot', () => {
  it('is still possible (lock first): 30 minutes moved by 15', async () => {
    const world = await bookingWorld();
    const { appointment } = await world.service.book({
      tenantId: world.tenant.id,
      leadId: world.lead.id,
      actor: { kind: 'lead', leadId: world.lead.id },
      start: saoPaulo(4, '10:00'),
    });
    const moved = await world.service.reschedule({
      tenantId: world.tenant.id,
      appointmentId: appointment.id,
      actor: { kind: 'lead', leadId: world.lead.id },
      start: saoPaulo(4, '10:15'),
    });
    expect(moved.appointment).toMatchObject({ status: 'scheduled', start: saoPaulo(4, '10:15'), rescheduledFromId: appointment.id });
    expect(moved.appointment.calendarEventId).not.toBeNull();
    expect(moved.previous.status).toBe('cancelled');
  });
});
