/**
 * The calendar sync on this store over Google Calendar on the wire (the adapter's fake Google
 * behind msw, `onUnhandledRequest: 'error'`): an event a person deletes in Google Calendar
 * cancels its appointment and the appointment's reminders within one sync, and the sync token
 * is kept in the `calendar_sync_tokens` table.
 */
import { randomUUID } from 'node:crypto';
import { createGoogleCalendar } from '@sdr/adapter-google-calendar';
import { createFakeGoogleCalendar } from '@sdr/adapter-google-calendar/testing';
import {
  BookingService,
  CalendarSyncService,
  PhoneNumber,
  VirtualClock,
  createFollowUpService,
  parseOrThrow,
  tenantSchema,
} from '@sdr/core';
import { buildLead } from '@sdr/testkit';
import { http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { createPostgresLock } from '../lock/postgres-lock.js';
import { createPostgresStore } from '../store/postgres-store.js';
import { describeEachDriver } from '../test-support/test-database.js';

const saoPaulo = (day: number, time: string) => new Date(`2026-03-${String(day).padStart(2, '0')}T${time}:00-03:00`);
const open = [['09:00', '12:00'] as [string, string], ['13:00', '18:00'] as [string, string]];

const fake = createFakeGoogleCalendar();
const server = setupServer(
  http.all(`${fake.rootUrl}*`, ({ request }) => fake.handle(request)),
  http.post(fake.tokenUrl, ({ request }) => fake.handle(request)),
);
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterAll(() => server.close());

describeEachDriver('calendar sync on the PostgreSQL store over Google Calendar', (database) => {
  beforeEach(async () => {
    await database().reset();
    fake.reset();
  });

  it('an event deleted in Google Calendar cancels the appointment and its reminders within one sync', async () => {
    const clock = new VirtualClock('2026-03-02T11:00:00.000Z');
    const store = createPostgresStore({ db: database().db, clock });
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
    const calendar = createGoogleCalendar({
      auth: { type: 'oauth', clientId: 'client-1', clientSecret: 'client-secret-1', refreshToken: 'refresh-token-1' },
      rootUrl: fake.rootUrl,
      tokenUrl: fake.tokenUrl,
      requestTimeoutMs: 2_000,
    });
    const booking = new BookingService({
      store,
      calendar,
      lock: createPostgresLock({ db: database().db, clock }),
      clock,
      observers: [createFollowUpService({ store, clock })],
    });
    const sync = new CalendarSyncService({ store, booking, tokens: store.calendarSyncTokens, clock });
    const pendingReminders = async () =>
      (await store.scheduledMessages.list({ tenantId: tenant.id, leadId: lead.id, statuses: ['pending'] })).map((row) => row.kind).sort();

    const { appointment } = await booking.book({
      tenantId: tenant.id,
      leadId: lead.id,
      actor: { kind: 'lead', leadId: lead.id },
      start: saoPaulo(3, '10:00'),
    });
    expect(await pendingReminders()).toEqual(['reminder_24h', 'reminder_2h']);
    const first = await sync.sync({ tenantId: tenant.id, calendar });
    expect(first).toMatchObject({ full: true, cancelled: [], failed: [] });
    const token = await store.calendarSyncTokens.get(tenant.id, tenant.booking.calendarId);
    expect(token).toEqual(expect.any(String));

    fake.person.deleteEvent(tenant.booking.calendarId, appointment.calendarEventId ?? '');
    const second = await sync.sync({ tenantId: tenant.id, calendar });

    expect(second).toMatchObject({ full: false, cancelled: [appointment.id], failed: [] });
    // The incremental request carried the stored token.
    const listRequests = fake.requests.filter((request) => request.method === 'GET' && request.path.endsWith('/events'));
    expect(listRequests.at(-1)?.query.get('syncToken')).toBe(token);
    expect(await store.appointments.get(tenant.id, appointment.id)).toMatchObject({ status: 'cancelled' });
    expect(await pendingReminders()).toEqual([]);
    const notes = (await store.outbox.list({ tenantId: tenant.id, topic: 'crm' })).filter((entry) => entry.type === 'lead.note_added');
    expect(notes.map((entry) => entry.payload)).toMatchObject([{ key: `calendar-event-deleted:${appointment.id}` }]);
    expect(await store.calendarSyncTokens.get(tenant.id, tenant.booking.calendarId)).not.toBe(token);
  });
});
