import { describe, expect, it } from 'vitest';
import { ConflictError, LockNotAcquiredError, NotFoundError, SlotUnavailableError, ValidationError } from '../../errors/index.js';
import { buildAppointment } from '../../testing/__fixtures__/entities.js';
import { calendarEventIdFor } from '../model/appointment.js';
import { bookingWorld, saoPaulo, settleWithClock, throwingObserver, type BookingWorld } from './__fixtures__/booking-world.js';
import type { BookInput } from './booking-inputs.js';
import { appointmentIdProperty, leadIdProperty, tenantIdProperty } from './calendar-events.js';

const asLead = (world: BookingWorld) => ({ kind: 'lead' as const, leadId: world.lead.id });

function bookAt(world: BookingWorld, start: Date, extra: Partial<BookInput> = {}): BookInput {
  return { tenantId: world.tenant.id, leadId: world.lead.id, actor: asLead(world), start, ...extra };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('BookingService.book', () => {
  it('creates the event with a derived id and the appointment id, persists the appointment and tells the observers', async () => {
    const world = await bookingWorld();
    const result = await world.service.book(bookAt(world, saoPaulo(2, '10:00'), { description: 'Demo' }));

    const { appointment } = result;
    expect(result.created).toBe(true);
    expect(appointment).toMatchObject({ tenantId: world.tenant.id, leadId: world.lead.id, calendarId: 'primary', status: 'scheduled' });
    expect(appointment.start.toISOString()).toBe('2026-03-02T13:00:00.000Z');
    expect(appointment.end.toISOString()).toBe('2026-03-02T13:30:00.000Z');
    expect(appointment.calendarEventId).toBe(calendarEventIdFor(appointment.id));
    expect(await world.store.appointments.get(world.tenant.id, appointment.id)).toEqual(appointment);

    const [event, ...others] = world.calendar.allEvents('primary');
    expect(others).toEqual([]);
    expect(event).toMatchObject({ eventId: appointment.calendarEventId, summary: 'Maria Silva', description: 'Demo', status: 'confirmed' });
    expect(event?.privateProperties).toEqual({
      [appointmentIdProperty]: appointment.id,
      [tenantIdProperty]: world.tenant.id,
      [leadIdProperty]: world.lead.id,
    });

    expect(world.observer.changes).toEqual([{ type: 'booked', appointment }]);
    expect(world.observer.afterCommitRuns).toEqual([{ type: 'booked', committed: true }]);
    expect(world.store.dump().scheduledMessages.map((message) => message.dedupeKey)).toEqual([`reminder_2h:${appointment.id}:booked`]);
    expect(world.emitted).toEqual([
      {
        name: 'appointment.booked',
        event: {
          tenantId: world.tenant.id,
          at: appointment.createdAt,
          leadId: world.lead.id,
          appointmentId: appointment.id,
          start: appointment.start,
          end: appointment.end,
        },
      },
    ]);
  });

  it('takes the meeting length from the request, or the tenant slot length', async () => {
    const world = await bookingWorld({ booking: { slotMinutes: 45 } });
    const byDefault = await world.service.book(bookAt(world, saoPaulo(2, '10:00')));
    const longer = await world.service.book(bookAt(world, saoPaulo(2, '14:00'), { durationMinutes: 90 }));
    expect(byDefault.appointment.end.getTime() - byDefault.appointment.start.getTime()).toBe(45 * 60_000);
    expect(longer.appointment.end.toISOString()).toBe(saoPaulo(2, '15:30').toISOString());
  });

  it('renders the event title from the tenant setting, with a masked phone for a lead without a name', async () => {
    const world = await bookingWorld({ booking: { eventTitle: 'Reunião com {{leadName}}' } });
    const nameless = await world.store.leads.update({ ...world.lead, name: null });
    await world.service.book(bookAt(world, saoPaulo(2, '10:00')));
    expect(world.calendar.allEvents('primary')[0]?.summary).toBe(`Reunião com ${nameless.phone.masked()}`);
  });

  it('refuses a busy slot with the three nearest free slots, writing nothing', async () => {
    const world = await bookingWorld();
    world.calendar.addBusy('primary', { start: saoPaulo(2, '10:30'), end: saoPaulo(2, '11:30') });
    const error = await rejection(world.service.book(bookAt(world, saoPaulo(2, '11:00'))));

    expect(SlotUnavailableError.isInstance(error)).toBe(true);
    const refused = error as SlotUnavailableError;
    expect(refused.details).toMatchObject({ reason: 'busy', calendarId: 'primary' });
    expect(refused.alternatives.map((slot) => slot.start.toISOString())).toEqual([
      saoPaulo(2, '11:30').toISOString(),
      saoPaulo(2, '10:00').toISOString(),
      saoPaulo(2, '13:00').toISOString(),
    ]);
    expect(refused.alternatives[0]?.localLabel).toMatch(/11:30/);
    expect(world.store.dump().appointments).toEqual([]);
    expect(world.calendar.allEvents('primary')).toEqual([]);
    expect(world.observer.changes).toEqual([]);
    expect(world.emitted).toEqual([]);
  });

  it('refuses a slot that overlaps a scheduled appointment the calendar does not show', async () => {
    const world = await bookingWorld();
    await world.store.appointments.create(
      buildAppointment({ tenantId: world.tenant.id, leadId: world.otherLead.id, start: saoPaulo(2, '10:00'), end: saoPaulo(2, '11:00') }),
    );
    const error = await rejection(world.service.book(bookAt(world, saoPaulo(2, '10:30'))));
    expect(SlotUnavailableError.isInstance(error) && error.details['reason']).toBe('busy');
    expect(world.calendar.allEvents('primary')).toEqual([]);
  });

  it.each([
    ['outside business hours', saoPaulo(2, '12:00'), 'outside_business_hours'],
    ['inside the minimum notice', saoPaulo(2, '09:30'), 'before_minimum_notice'],
    ['beyond the horizon', saoPaulo(2, '10:00').getTime() + 40 * 86_400_000, 'beyond_horizon'],
  ])('refuses a slot %s before queueing for the lock, with alternatives', async (_label, start, reason) => {
    const world = await bookingWorld();
    const error = await rejection(world.service.book(bookAt(world, new Date(start))));
    expect(SlotUnavailableError.isInstance(error) && error.details['reason']).toBe(reason);
    expect((error as SlotUnavailableError).alternatives.length).toBeGreaterThan(0);
    expect(world.calendarFaults.calls('createEvent')).toEqual([]);
  });

  it('lets an operator book for any lead, and hides other leads from a lead', async () => {
    const world = await bookingWorld();
    const forOther = { ...bookAt(world, saoPaulo(2, '10:00')), leadId: world.otherLead.id };
    expect(NotFoundError.isInstance(await rejection(world.service.book(forOther)))).toBe(true);
    expect(world.store.dump().appointments).toEqual([]);
    const booked = await world.service.book({ ...forOther, actor: { kind: 'operator' } });
    expect(booked.appointment.leadId).toBe(world.otherLead.id);
  });

  it.each([
    ['tenant', { tenantId: crypto.randomUUID() }],
    ['lead', { leadId: crypto.randomUUID(), actor: { kind: 'operator' as const } }],
  ])('an unknown %s is NotFoundError', async (resource, overrides) => {
    const world = await bookingWorld();
    const error = await rejection(world.service.book({ ...bookAt(world, saoPaulo(2, '10:00')), ...overrides }));
    expect(NotFoundError.isInstance(error) && error.resource).toBe(resource);
  });

  it.each([
    ['start', { start: '2026-03-02T10:00:00' }],
    ['start', { start: new Date('2026-03-02T13:00:30Z') }],
    ['durationMinutes', { durationMinutes: 3 }],
    ['actor', { actor: { kind: 'robot' } }],
    ['appointmentId', { appointmentId: 'not-a-uuid' }],
  ])('rejects bad input naming %s, and writes nothing', async (field, overrides) => {
    const world = await bookingWorld();
    const error = await rejection(world.service.book({ ...bookAt(world, saoPaulo(2, '10:00')), ...overrides } as BookInput));
    expect(ValidationError.isInstance(error)).toBe(true);
    expect((error as ValidationError).fieldErrors.some((fieldError) => fieldError.field.startsWith(`book.${field}`))).toBe(true);
    expect(world.store.dump().appointments).toEqual([]);
    expect(world.calendarFaults.calls()).toEqual([]);
  });

  it('is idempotent on appointmentId: a repeated call returns the first booking and creates nothing', async () => {
    const world = await bookingWorld();
    const appointmentId = crypto.randomUUID();
    const first = await world.service.book(bookAt(world, saoPaulo(2, '10:00'), { appointmentId }));
    const again = await world.service.book(bookAt(world, saoPaulo(2, '10:00'), { appointmentId }));
    expect(again).toEqual({ appointment: first.appointment, created: false, event: null });
    expect(world.calendar.allEvents('primary')).toHaveLength(1);
    expect(world.observer.changes).toHaveLength(1);
    expect(world.emitted).toHaveLength(1);
  });

  it('refuses an appointmentId reused for another time', async () => {
    const world = await bookingWorld();
    const appointmentId = crypto.randomUUID();
    await world.service.book(bookAt(world, saoPaulo(2, '10:00'), { appointmentId }));
    expect(ConflictError.isInstance(await rejection(world.service.book(bookAt(world, saoPaulo(2, '14:00'), { appointmentId }))))).toBe(
      true,
    );
  });

  it('fails with a retryable LockNotAcquiredError when the calendar stays locked, writing nothing', async () => {
    const world = await bookingWorld();
    await world.lock.acquire(`calendar:${world.tenant.id}:primary`, { ttlMs: 60_000 });
    const service = world.serviceWith({ lockWaitMs: 500 });
    const error = await rejection(settleWithClock(world.clock, service.book(bookAt(world, saoPaulo(2, '10:00')))));
    expect(LockNotAcquiredError.isInstance(error)).toBe(true);
    expect((error as LockNotAcquiredError).retryable).toBe(true);
    expect(world.store.dump().appointments).toEqual([]);
    expect(world.calendar.allEvents('primary')).toEqual([]);
  });

  it('rolls the whole unit back when an observer throws, and deletes the event again', async () => {
    const world = await bookingWorld();
    const service = world.serviceWith({ observers: [world.observer, throwingObserver()] });
    await expect(service.book(bookAt(world, saoPaulo(2, '10:00')))).rejects.toThrow('observer exploded');
    expect(world.store.dump().appointments).toEqual([]);
    expect(world.store.dump().scheduledMessages).toEqual([]);
    expect(world.calendar.allEvents('primary').map((event) => event.status)).toEqual(['cancelled']);
    expect(world.emitted).toEqual([]);
    expect(world.observer.afterCommitRuns).toEqual([]);
  });

  it('an event listener that throws does not undo or fail the booking', async () => {
    const world = await bookingWorld();
    const { createDomainEvents } = await import('../events/domain-events.js');
    const events = createDomainEvents();
    events.on('appointment.booked', () => {
      throw new Error('listener exploded');
    });
    const result = await world.serviceWith({ events }).book(bookAt(world, saoPaulo(2, '10:00')));
    expect(result.created).toBe(true);
    expect(world.store.dump().appointments).toHaveLength(1);
  });
});
