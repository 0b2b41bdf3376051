/**
 * The calendar sync on the in-memory store and a calendar double whose `listChanges` reports
 * what a person did in the calendar (the in-memory calendar itself is changed the same way), with
 * sync tokens it can expire.
 */
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../errors/index.js';
import { CalendarSyncTokenExpiredError, type CalendarChange } from '../../ports/calendar/calendar-changes.js';
import type { CalendarPort } from '../../ports/calendar/calendar-port.js';
import type { InMemoryCalendar } from '../../testing/calendar/in-memory-calendar.js';
import { bookedWorld, saoPaulo } from '../booking/__fixtures__/booking-world.js';
import { addTransactionalSink } from '../events/after-commit.js';
import { createDomainEvents, type DomainEventMap } from '../events/domain-events.js';
import { CalendarSyncService, calendarMoveConflictAlertKind } from './calendar-sync-service.js';
import { createInMemoryCalendarSyncTokens } from './calendar-sync-tokens.js';

/** The in-memory calendar plus `listChanges` over the changes a test reports, with tokens it can expire. */
function trackingCalendar(calendar: InMemoryCalendar) {
  const pending: CalendarChange[] = [];
  const issued: string[] = [];
  const requests: (string | null)[] = [];
  let expired = false;
  const port: CalendarPort = {
    ...calendar,
    listChanges: async ({ calendarId, syncToken }) => {
      requests.push(syncToken ?? null);
      if (syncToken !== undefined && syncToken !== null && (expired || !issued.includes(syncToken))) {
        throw new CalendarSyncTokenExpiredError(calendarId);
      }
      // Without a token: every event of the calendar, as Google's full sync.
      const changes: CalendarChange[] =
        syncToken === undefined || syncToken === null
          ? (await calendar.listEvents({ calendarId, timeMin: new Date(0), timeMax: new Date(8.64e15) })).map((event) => ({
              kind: 'changed' as const,
              event,
            }))
          : pending.splice(0);
      if (syncToken === undefined || syncToken === null) pending.length = 0;
      expired = false;
      const next = `token-${issued.length + 1}`;
      issued.push(next);
      return { changes, nextSyncToken: next };
    },
  };
  return {
    port,
    requests,
    report: (change: CalendarChange) => pending.push(change),
    expireTokens: () => {
      expired = true;
    },
  };
}

async function syncWorld() {
  const world = await bookedWorld();
  const tracking = trackingCalendar(world.calendar);
  const tokens = createInMemoryCalendarSyncTokens();
  // The alert's event: what the transactional sinks (webhook deliveries) write with it, and what the notifiers hear.
  const events = createDomainEvents();
  const raised: DomainEventMap['alert.raised'][] = [];
  const writtenWithAlert: { readonly kind: string; readonly alertOpenInTransaction: boolean }[] = [];
  events.on('alert.raised', (event) => raised.push(event));
  addTransactionalSink(events, async (tx, written) => {
    for (const entry of written) {
      if (entry.name !== 'alert.raised') continue;
      const open = await tx.alerts.listOpen({ tenantId: world.tenant.id });
      writtenWithAlert.push({ kind: entry.event.kind, alertOpenInTransaction: open.some((alert) => alert.kind === entry.event.kind) });
    }
  });
  const sync = new CalendarSyncService({ store: world.store, booking: world.service, tokens, clock: world.clock, events });
  const run = () => sync.sync({ tenantId: world.tenant.id, calendar: tracking.port });
  // The first sync is a full one: it only learns where the calendar is.
  const first = await run();
  return { ...world, tracking, tokens, run, first, raised, writtenWithAlert };
}

describe('CalendarSyncService', () => {
  it('starts with a full sync that changes nothing and stores the token', async () => {
    const world = await syncWorld();
    expect(world.first).toMatchObject({ full: true, changes: 1, cancelled: [], rescheduled: [], flagged: [], failed: [] });
    expect(await world.tokens.get(world.tenant.id, 'primary')).toBe('token-1');
    expect(world.store.dump().appointments.map((appointment) => appointment.status)).toEqual(['scheduled']);
  });

  it('our event deleted by a person: the appointment is cancelled, its reminders too, and the CRM gets a note', async () => {
    const world = await syncWorld();
    const eventId = world.booked.calendarEventId ?? '';
    await world.calendar.deleteEvent({ calendarId: 'primary', eventId });
    world.tracking.report({ kind: 'deleted', eventId, privateProperties: {} });

    const result = await world.run();
    expect(result).toMatchObject({ full: false, cancelled: [world.booked.id], failed: [] });
    expect(world.tracking.requests).toEqual([null, 'token-1']);
    expect(world.store.dump().appointments.map((appointment) => appointment.status)).toEqual(['cancelled']);
    expect(world.observer.changes.map((change) => change.type)).toEqual(['cancelled']);
    const note = world.store.dump().outbox.find((entry) => entry.type === 'lead.note_added');
    expect(note?.payload).toMatchObject({ key: `calendar-event-deleted:${world.booked.id}` });
    expect(await world.tokens.get(world.tenant.id, 'primary')).toBe('token-2');

    // Seen again (a replayed notification): nothing more happens.
    world.tracking.report({ kind: 'deleted', eventId, privateProperties: {} });
    expect(await world.run()).toMatchObject({ cancelled: [], failed: [] });
    expect(world.observer.changes).toHaveLength(1);
  });

  it('our event moved to a free time: the appointment follows, same id and event, the observers told', async () => {
    const world = await syncWorld();
    const eventId = world.booked.calendarEventId ?? '';
    const start = saoPaulo(4, '15:00');
    const end = new Date(start.getTime() + 30 * 60_000);
    const event = await world.calendar.updateEvent({ calendarId: 'primary', eventId, start, end });
    world.tracking.report({ kind: 'changed', event });

    expect(await world.run()).toMatchObject({ rescheduled: [world.booked.id], failed: [] });
    const [stored] = world.store.dump().appointments;
    expect(stored).toMatchObject({ id: world.booked.id, status: 'scheduled', start, end, calendarEventId: eventId });
    expect(world.observer.changes).toMatchObject([
      { type: 'rescheduled', previous: { start: world.booked.start }, appointment: { start } },
    ]);
    expect(world.emitted.map((entry) => entry.name)).toEqual(['appointment.rescheduled']);
  });

  it('our event moved onto another meeting: nothing changes and an operator alert is raised', async () => {
    const world = await syncWorld();
    const other = await world.service.book({
      tenantId: world.tenant.id,
      leadId: world.otherLead.id,
      actor: { kind: 'lead', leadId: world.otherLead.id },
      start: saoPaulo(4, '11:00'),
    });
    world.observer.changes.length = 0;
    const eventId = world.booked.calendarEventId ?? '';
    const event = await world.calendar.updateEvent({
      calendarId: 'primary',
      eventId,
      start: other.appointment.start,
      end: other.appointment.end,
    });
    world.tracking.report({ kind: 'changed', event });

    expect(await world.run()).toMatchObject({ flagged: [world.booked.id], rescheduled: [], failed: [] });
    expect(world.store.dump().appointments.find((appointment) => appointment.id === world.booked.id)).toMatchObject({
      status: 'scheduled',
      start: world.booked.start,
    });
    expect(world.observer.changes).toEqual([]);
    const alerts = await world.store.alerts.listOpen({ tenantId: world.tenant.id });
    expect(alerts).toMatchObject([{ kind: calendarMoveConflictAlertKind, key: world.booked.id, severity: 'warning' }]);
    // Raised the one way alerts are: written with its event in one transaction, then announced.
    expect(world.writtenWithAlert).toEqual([{ kind: calendarMoveConflictAlertKind, alertOpenInTransaction: true }]);
    expect(world.raised).toMatchObject([
      { tenantId: world.tenant.id, kind: calendarMoveConflictAlertKind, key: world.booked.id, severity: 'warning' },
    ]);
    // Seen again by the next sync: the open alert is refreshed, not announced twice.
    world.tracking.report({ kind: 'changed', event });
    expect(await world.run()).toMatchObject({ flagged: [world.booked.id] });
    expect(world.raised).toHaveLength(1);
  });

  it('foreign events are ignored', async () => {
    const world = await syncWorld();
    const foreign = await world.calendar.createEvent({
      calendarId: 'primary',
      eventId: 'dentist0appointment',
      summary: 'Dentist',
      start: saoPaulo(3, '15:00'),
      end: saoPaulo(3, '16:00'),
    });
    world.tracking.report({ kind: 'changed', event: foreign });
    world.tracking.report({ kind: 'deleted', eventId: 'somebody0else', privateProperties: {} });
    expect(await world.run()).toMatchObject({ changes: 2, cancelled: [], rescheduled: [], flagged: [], failed: [] });
    expect(world.store.dump().appointments.map((appointment) => appointment.status)).toEqual(['scheduled']);
  });

  it('an expired sync token: a full resync, which still sees that our event is gone', async () => {
    const world = await syncWorld();
    const eventId = world.booked.calendarEventId ?? '';
    await world.calendar.deleteEvent({ calendarId: 'primary', eventId });
    world.tracking.expireTokens();
    const result = await world.run();
    expect(world.tracking.requests).toEqual([null, 'token-1', null]);
    expect(result).toMatchObject({ full: true, cancelled: [world.booked.id], failed: [] });
    expect(await world.tokens.get(world.tenant.id, 'primary')).toBe('token-2');
  });

  it('a change that fails keeps the token, so the next sync sees it again', async () => {
    const world = await syncWorld();
    const eventId = world.booked.calendarEventId ?? '';
    world.tracking.report({ kind: 'deleted', eventId, privateProperties: {} });
    // The booking service's store fails the cancellation's transaction once.
    world.storeFaults.failNext('transaction', 1, () => new Error('database down'));
    const result = await world.run();
    expect(result).toMatchObject({ cancelled: [], failed: [{ eventId, error: 'database down' }] });
    expect(await world.tokens.get(world.tenant.id, 'primary')).toBe('token-1');
    expect(world.store.dump().appointments.map((appointment) => appointment.status)).toEqual(['scheduled']);

    // The double reports the change again from the old token (a real provider would, too).
    world.tracking.report({ kind: 'deleted', eventId, privateProperties: {} });
    expect(await world.run()).toMatchObject({ cancelled: [world.booked.id], failed: [] });
    expect(world.store.dump().appointments.map((appointment) => appointment.status)).toEqual(['cancelled']);
  });

  it('refuses a calendar that cannot list changes, naming it', async () => {
    const world = await syncWorld();
    const sync = new CalendarSyncService({ store: world.store, booking: world.service, tokens: world.tokens, clock: world.clock });
    await expect(sync.sync({ tenantId: world.tenant.id, calendar: world.calendar })).rejects.toSatisfy(
      (error) => ValidationError.isInstance(error) && error.message.includes('cannot list changes'),
    );
  });
});
