/**
 * The booking service on this store, not only on the in-memory double: book, reschedule and
 * cancel with the follow-up engine as observer (stage and reminders in the appointment's unit of
 * work) and the PostgreSQL lock; and concurrent attempts at one slot through the real service,
 * where exactly one may succeed — on PGlite and PostgreSQL.
 */
import { randomUUID } from 'node:crypto';
import {
  BookingService,
  PhoneNumber,
  VirtualClock,
  createFollowUpService,
  parseOrThrow,
  systemClock,
  tenantSchema,
  type Store,
} from '@sdr/core';
import { createInMemoryCalendar, runBookingContention } from '@sdr/core/testing';
import { buildLead } from '@sdr/testkit';
import { beforeEach, expect, it } from 'vitest';
import { createPostgresLock } from '../lock/postgres-lock.js';
import { createPostgresStore } from '../store/postgres-store.js';
import { describeEachDriver } from '../test-support/test-database.js';

/** The instant of a São Paulo wall-clock time `HH:MM` on a day of March 2026. */
const saoPaulo = (day: number, time: string) => new Date(`2026-03-${String(day).padStart(2, '0')}T${time}:00-03:00`);
const open = [['09:00', '12:00'] as [string, string], ['13:00', '18:00'] as [string, string]];

describeEachDriver('booking service on the PostgreSQL store', (database) => {
  beforeEach(async () => {
    await database().reset();
  });

  it('book, reschedule and cancel: the lead moves stage and the reminders follow the appointment, in its unit of work', async () => {
    const clock = new VirtualClock('2026-03-02T11:00:00.000Z');
    const store: Store = createPostgresStore({ db: database().db, clock });
    const now = clock.now();
    const tenant = await store.tenants.create(
      parseOrThrow(tenantSchema, {
        id: randomUUID(),
        name: 'Clínica',
        timeZone: 'America/Sao_Paulo',
        businessHours: { mon: open, tue: open, wed: open, thu: open, fri: open },
        createdAt: now,
        updatedAt: now,
        version: 0,
      }),
    );
    const lead = await store.leads.create(buildLead({ tenantId: tenant.id, phone: PhoneNumber.parse('+55 11 98765-4321') }));
    const calendar = createInMemoryCalendar({ clock });
    const service = new BookingService({
      store,
      calendar,
      lock: createPostgresLock({ db: database().db, clock }),
      clock,
      observers: [createFollowUpService({ store, clock })],
    });
    const pendingReminders = async () =>
      (await store.scheduledMessages.list({ tenantId: tenant.id, leadId: lead.id, statuses: ['pending'] }))
        .map((row) => `${row.kind}@${row.dueAt.toISOString()}`)
        .sort();
    const actor = { kind: 'lead' as const, leadId: lead.id };

    const { appointment } = await service.book({ tenantId: tenant.id, leadId: lead.id, actor, start: saoPaulo(3, '10:00') });
    expect(await store.appointments.get(tenant.id, appointment.id)).toMatchObject({ status: 'scheduled' });
    expect((await store.leads.get(tenant.id, lead.id))?.stage).toBe('meeting_scheduled');
    expect(await pendingReminders()).toEqual([
      `reminder_24h@${saoPaulo(2, '10:00').toISOString()}`,
      `reminder_2h@${saoPaulo(3, '08:00').toISOString()}`,
    ]);

    const moved = await service.reschedule({ tenantId: tenant.id, appointmentId: appointment.id, actor, start: saoPaulo(4, '15:00') });
    expect((await store.appointments.get(tenant.id, appointment.id))?.status).toBe('cancelled');
    expect(await pendingReminders()).toEqual([
      `reminder_24h@${saoPaulo(3, '15:00').toISOString()}`,
      `reminder_2h@${saoPaulo(4, '13:00').toISOString()}`,
    ]);

    await service.cancel({ tenantId: tenant.id, appointmentId: moved.appointment.id, actor });
    expect(await pendingReminders()).toEqual([]);
    expect(await store.appointments.listByLead(tenant.id, lead.id, { statuses: ['scheduled'] })).toEqual([]);
  });

  it('30 concurrent attempts at one slot through the real service: exactly one succeeds, no event left orphaned', async () => {
    // The real clock: attempts wait their turn on the PostgreSQL lock, which polls on the clock.
    const clock = systemClock;
    const store = createPostgresStore({ db: database().db, clock });
    const result = await runBookingContention({
      store,
      calendar: createInMemoryCalendar({ clock }),
      lock: createPostgresLock({ db: database().db, clock }),
      clock,
      attempts: 30,
    });
    expect(result.succeeded).toBe(1);
    expect(result.conflicts).toBe(29);
    expect(result.failures).toBe(0);
    expect(result.orphanEvents).toBe(0);
    expect(result.missingEvents).toBe(0);
  });
});
