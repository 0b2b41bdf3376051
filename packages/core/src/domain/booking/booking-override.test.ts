/**
 * The operator's availability override: a human may place a meeting outside what the bot offers
 * (business hours, minimum notice, horizon), but nobody — override or not — can book over a
 * conflict: calendar busy time, another scheduled appointment, a meeting's buffers, or the
 * store's overlap rule when the lock fails.
 */
import { describe, expect, it } from 'vitest';
import { SlotUnavailableError, ValidationError } from '../../errors/index.js';
import { buildAppointment } from '../../testing/__fixtures__/entities.js';
import {
  bookedWorld,
  bookingWorld,
  noLock,
  saoPaulo,
  settleWithClock,
  rejection,
  type BookingWorld,
} from './__fixtures__/booking-world.js';
import type { BookInput } from './booking-inputs.js';

const operator = { kind: 'operator' as const };
const override = { availability: true as const };

function operatorBooks(world: BookingWorld, start: Date, extra: Partial<BookInput> = {}): BookInput {
  return { tenantId: world.tenant.id, leadId: world.lead.id, actor: operator, start, override, ...extra };
}

function refusalReason(error: unknown): unknown {
  return SlotUnavailableError.isInstance(error) ? error.details['reason'] : error;
}

describe('BookingService: the operator’s availability override', () => {
  it.each([
    ['on a Sunday', saoPaulo(8, '10:00')],
    ['over the lunch break', saoPaulo(2, '11:45')],
    ['inside the minimum notice (now is 08:00)', saoPaulo(2, '08:30')],
    ['before opening, starting right now', saoPaulo(2, '08:00')],
    ['beyond the horizon', new Date(saoPaulo(2, '10:00').getTime() + 40 * 86_400_000)],
  ])('books %s, with its event and the observers told, as any booking', async (_label, start) => {
    const world = await bookingWorld();
    const { appointment, created } = await world.service.book(operatorBooks(world, start));
    expect(created).toBe(true);
    expect(appointment).toMatchObject({ leadId: world.lead.id, status: 'scheduled', start });
    expect(world.calendar.allEvents('primary').map((event) => [event.eventId, event.status])).toEqual([
      [appointment.calendarEventId, 'confirmed'],
    ]);
    expect(world.observer.changes).toEqual([{ type: 'booked', appointment }]);
  });

  it('is opt-in: an operator without it is held to the offer like anyone', async () => {
    const world = await bookingWorld();
    const { override: _dropped, ...plain } = operatorBooks(world, saoPaulo(8, '10:00'));
    expect(refusalReason(await rejection(world.service.book(plain)))).toBe('outside_business_hours');
  });

  it('still refuses a start in the past', async () => {
    const world = await bookingWorld();
    expect(refusalReason(await rejection(world.service.book(operatorBooks(world, saoPaulo(2, '07:59')))))).toBe('before_minimum_notice');
    expect(world.store.dump().appointments).toEqual([]);
  });

  it('is refused from a lead with a ValidationError naming the field, before anything is read or written', async () => {
    const world = await bookingWorld();
    const input = operatorBooks(world, saoPaulo(8, '10:00'), { actor: { kind: 'lead', leadId: world.lead.id } });
    const error = await rejection(world.service.book(input));
    expect(ValidationError.isInstance(error) && error.fieldErrors).toEqual([
      { field: 'book.override', message: 'only an operator may override availability' },
    ]);
    expect(world.calendarFaults.calls()).toEqual([]);
    expect(world.store.dump().appointments).toEqual([]);
  });

  it('rejects any other shape of override', async () => {
    const world = await bookingWorld();
    const input = { ...operatorBooks(world, saoPaulo(8, '10:00')), override: { availability: false } } as unknown as BookInput;
    const error = await rejection(world.service.book(input));
    expect(ValidationError.isInstance(error) && error.fieldErrors.map((fieldError) => fieldError.field)).toEqual([
      'book.override.availability',
    ]);
  });

  it('refuses calendar busy time with SlotUnavailableError, alternatives from the offer, writing nothing', async () => {
    const world = await bookingWorld();
    world.calendar.addBusy('primary', { start: saoPaulo(7, '09:30'), end: saoPaulo(7, '11:00') });
    const error = await rejection(world.service.book(operatorBooks(world, saoPaulo(7, '10:00'))));
    expect(refusalReason(error)).toBe('busy');
    expect((error as SlotUnavailableError).alternatives.length).toBeGreaterThan(0);
    expect(world.store.dump().appointments).toEqual([]);
    expect(world.calendar.allEvents('primary')).toEqual([]);
    expect(world.observer.changes).toEqual([]);
  });

  it('refuses another scheduled appointment the calendar does not show', async () => {
    const world = await bookingWorld();
    await world.store.appointments.create(
      buildAppointment({ tenantId: world.tenant.id, leadId: world.otherLead.id, start: saoPaulo(7, '10:00'), end: saoPaulo(7, '11:00') }),
    );
    expect(refusalReason(await rejection(world.service.book(operatorBooks(world, saoPaulo(7, '10:30')))))).toBe('busy');
  });

  it('keeps every meeting’s buffers: meetings stay bufferAfter + bufferBefore apart', async () => {
    const world = await bookingWorld({ booking: { bufferBefore: 10 * 60_000, bufferAfter: 15 * 60_000 } });
    await world.service.book(operatorBooks(world, saoPaulo(7, '10:00'), { leadId: world.otherLead.id }));
    // 10:30 + 15 min after it + 10 min before the next one: 10:55 is the first start allowed.
    expect(refusalReason(await rejection(world.service.book(operatorBooks(world, saoPaulo(7, '10:50')))))).toBe('busy');
    expect(refusalReason(await rejection(world.service.book(operatorBooks(world, saoPaulo(7, '09:15')))))).toBe('busy');
    const after = await world.service.book(operatorBooks(world, saoPaulo(7, '10:55')));
    expect(after.created).toBe(true);
  });

  it('the store still decides when the lock does not: two overrides at once, one booked, the loser refused at its hold', async () => {
    const world = await bookingWorld();
    world.calendarFaults.delay('createEvent', 5);
    const service = world.serviceWith({ lock: noLock });
    const attempts = Promise.allSettled(
      [world.lead, world.otherLead].map((lead) => service.book(operatorBooks(world, saoPaulo(8, '10:00'), { leadId: lead.id }))),
    );
    const outcomes = await settleWithClock(world.clock, attempts);
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
    const [loser] = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason as unknown] : []));
    expect(refusalReason(loser)).toBe('busy');
    // The store's overlap rule refused the second hold: the loser never wrote to the calendar.
    expect(world.calendarFaults.calls('createEvent')).toHaveLength(1);
    expect(world.calendar.allEvents('primary').filter((event) => event.status === 'confirmed')).toHaveLength(1);
    expect(world.store.dump().appointments).toHaveLength(1);
  });

  describe('on reschedule', () => {
    it('moves an appointment to a time outside the offer for an operator', async () => {
      const world = await bookedWorld();
      const moved = await world.service.reschedule({
        tenantId: world.tenant.id,
        appointmentId: world.booked.id,
        actor: operator,
        start: saoPaulo(3, '19:30'),
        override,
      });
      expect(moved.appointment).toMatchObject({ status: 'scheduled', start: saoPaulo(3, '19:30'), rescheduledFromId: world.booked.id });
      expect(moved.previous.status).toBe('cancelled');
    });

    it('may overlap the appointment it moves, never another one', async () => {
      const world = await bookedWorld();
      const other = await world.service.book(operatorBooks(world, saoPaulo(3, '19:00'), { leadId: world.otherLead.id }));
      const moveTo = (start: Date) =>
        world.service.reschedule({ tenantId: world.tenant.id, appointmentId: world.booked.id, actor: operator, start, override });
      expect(refusalReason(await rejection(moveTo(saoPaulo(3, '19:15'))))).toBe('busy');
      expect(await world.store.appointments.get(world.tenant.id, other.appointment.id)).toEqual(other.appointment);
      const nudged = await moveTo(saoPaulo(3, '10:15'));
      expect(nudged.appointment.start).toEqual(saoPaulo(3, '10:15'));
    });

    it('is refused from a lead with a ValidationError naming the field', async () => {
      const world = await bookedWorld();
      const error = await rejection(
        world.service.reschedule({
          tenantId: world.tenant.id,
          appointmentId: world.booked.id,
          actor: { kind: 'lead', leadId: world.lead.id },
          start: saoPaulo(3, '19:30'),
          override,
        }),
      );
      expect(ValidationError.isInstance(error) && error.fieldErrors.map((fieldError) => fieldError.field)).toEqual(['reschedule.override']);
      expect(await world.store.appointments.get(world.tenant.id, world.booked.id)).toEqual(world.booked);
    });
  });
});
