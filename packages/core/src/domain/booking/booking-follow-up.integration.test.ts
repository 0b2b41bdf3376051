/**
 * The booking service with the real follow-up engine as its observer: the stage move and the
 * reminders commit in the same unit as the appointment, and their events are heard only after it.
 */
import { describe, expect, it } from 'vitest';
import { createFollowUpService } from '../follow-up/follow-up-service.js';
import { bookingWorld, saoPaulo, throwingObserver } from './__fixtures__/booking-world.js';

async function world() {
  const base = await bookingWorld();
  const events: string[] = [];
  const { createDomainEvents } = await import('../events/domain-events.js');
  const bus = createDomainEvents();
  bus.on('stage.changed', (event) => events.push(`stage.changed:${event.to}`));
  bus.on('appointment.booked', () => events.push('appointment.booked'));
  bus.on('appointment.rescheduled', () => events.push('appointment.rescheduled'));
  bus.on('appointment.cancelled', () => events.push('appointment.cancelled'));
  const followUp = createFollowUpService({ store: base.store, clock: base.clock, events: bus });
  const service = base.serviceWith({ observers: [followUp], events: bus });
  return { ...base, service, events, bus };
}

const pendingReminders = (w: Awaited<ReturnType<typeof world>>) =>
  w.store
    .dump()
    .scheduledMessages.filter((message) => message.status === 'pending')
    .map((message) => `${message.kind}@${message.dueAt.toISOString()}`)
    .sort();

describe('BookingService with the follow-up engine as observer', () => {
  it('book moves the lead to meeting_scheduled and schedules both reminders in the same unit', async () => {
    const w = await world();
    const actor = { kind: 'lead' as const, leadId: w.lead.id };
    const { appointment } = await w.service.book({ tenantId: w.tenant.id, leadId: w.lead.id, actor, start: saoPaulo(3, '10:00') });
    expect((await w.store.leads.get(w.tenant.id, w.lead.id))?.stage).toBe('meeting_scheduled');
    expect(pendingReminders(w)).toEqual([
      `reminder_24h@${saoPaulo(2, '10:00').toISOString()}`,
      `reminder_2h@${saoPaulo(3, '08:00').toISOString()}`,
    ]);
    expect(w.events).toEqual(['stage.changed:meeting_scheduled', 'appointment.booked']);

    const moved = await w.service.reschedule({ tenantId: w.tenant.id, appointmentId: appointment.id, actor, start: saoPaulo(4, '15:00') });
    expect(pendingReminders(w)).toEqual([
      `reminder_24h@${saoPaulo(3, '15:00').toISOString()}`,
      `reminder_2h@${saoPaulo(4, '13:00').toISOString()}`,
    ]);

    await w.service.cancel({ tenantId: w.tenant.id, appointmentId: moved.appointment.id, actor });
    expect(pendingReminders(w)).toEqual([]);
    expect(w.events.slice(-2)).toEqual(['appointment.rescheduled', 'appointment.cancelled']);
  });

  it('a booking that fails after the follow-up engine ran leaves no reminder, no stage move and no event', async () => {
    const w = await world();
    const followUp = createFollowUpService({ store: w.store, clock: w.clock, events: w.bus });
    const service = w.serviceWith({ observers: [followUp, throwingObserver()], events: w.bus });
    await expect(
      service.book({ tenantId: w.tenant.id, leadId: w.lead.id, actor: { kind: 'operator' }, start: saoPaulo(3, '10:00') }),
    ).rejects.toThrow('observer exploded');
    expect((await w.store.leads.get(w.tenant.id, w.lead.id))?.stage).toBe(w.lead.stage);
    expect(pendingReminders(w)).toEqual([]);
    expect(w.events).toEqual([]);
    expect(w.calendar.allEvents('primary').map((event) => event.status)).toEqual(['cancelled']);
  });
});
