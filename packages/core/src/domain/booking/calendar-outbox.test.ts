import { describe, expect, it } from 'vitest';
import { ProviderError, ProviderUnavailableError } from '../../errors/index.js';
import { VirtualClock } from '../../ports/clock/clock.js';
import { createInMemoryCalendar } from '../../testing/calendar/in-memory-calendar.js';
import { injectFaults } from '../../testing/faults/inject-faults.js';
import { createInMemoryStore } from '../../memory/store/in-memory-store.js';
import { CalendarOutboxWorker, eventDeletionEntry, processCalendarOutbox } from './calendar-outbox.js';

const tenantId = crypto.randomUUID();

async function setup() {
  const clock = new VirtualClock('2026-03-02T12:00:00Z');
  const store = createInMemoryStore({ clock });
  const calendar = createInMemoryCalendar({ clock });
  const { port, faults } = injectFaults(calendar, { clock });
  const event = await calendar.createEvent({
    calendarId: 'primary',
    eventId: 'abcdef0123456789',
    start: new Date('2026-03-03T13:00:00Z'),
    end: new Date('2026-03-03T13:30:00Z'),
    summary: 'Meeting',
  });
  const appointmentId = crypto.randomUUID();
  const options = { store, calendar: port, clock, workerId: 'worker-1', random: () => 0.5 };
  return { clock, store, calendar, faults, event, appointmentId, options };
}

describe('processCalendarOutbox', () => {
  it('deletes the event and completes the entry; an event already gone completes too', async () => {
    const { store, calendar, event, appointmentId, options } = await setup();
    await store.outbox.append(eventDeletionEntry({ tenantId, appointmentId, calendarId: 'primary', eventId: event.eventId }));
    await store.outbox.append(
      eventDeletionEntry({ tenantId, appointmentId: crypto.randomUUID(), calendarId: 'primary', eventId: 'vvvvv00000' }),
    );
    expect(await processCalendarOutbox(options)).toEqual({ claimed: 2, completed: 2, retried: 0, dead: 0 });
    expect((await calendar.getEvent({ calendarId: 'primary', eventId: event.eventId }))?.status).toBe('cancelled');
    expect(store.dump().outbox.map((entry) => entry.status)).toEqual(['done', 'done']);
  });

  it('a transient failure is retried later with backoff, and later entries of the same appointment wait with it', async () => {
    const { store, faults, clock, event, appointmentId, options } = await setup();
    await store.outbox.append(eventDeletionEntry({ tenantId, appointmentId, calendarId: 'primary', eventId: event.eventId }));
    await store.outbox.append(eventDeletionEntry({ tenantId, appointmentId, calendarId: 'primary', eventId: 'vvvvv00000' }));
    faults.failNext('deleteEvent', 1, new ProviderUnavailableError({ provider: 'in-memory', operation: 'deleteEvent' }));
    expect(await processCalendarOutbox(options)).toEqual({ claimed: 2, completed: 0, retried: 2, dead: 0 });
    const [first, second] = store.dump().outbox;
    expect(first).toMatchObject({ status: 'pending', attempts: 1, lastError: { transient: true } });
    expect(second).toMatchObject({ status: 'pending' });
    // Full jitter with random 0.5 on a 30 s base: 15 s.
    expect(first!.availableAt.getTime() - clock.now().getTime()).toBe(15_000);
    await clock.advance(15_000);
    expect(await processCalendarOutbox(options)).toEqual({ claimed: 2, completed: 2, retried: 0, dead: 0 });
  });

  it.each([
    ['an unknown entry type', { type: 'appointment.teleport', payload: {} }],
    ['a malformed payload', { type: 'appointment.delete_event', payload: { calendarId: 'primary' } }],
  ])('%s fails for good at once', async (_label, entry) => {
    const { store, options, appointmentId } = await setup();
    await store.outbox.append({ tenantId, topic: 'calendar', aggregateType: 'appointment', aggregateId: appointmentId, ...entry });
    expect(await processCalendarOutbox(options)).toEqual({ claimed: 1, completed: 0, retried: 0, dead: 1 });
    expect(store.dump().outbox[0]).toMatchObject({ status: 'dead', lastError: { transient: false } });
  });

  it('a permanent provider error, or running out of attempts, ends in dead', async () => {
    const { store, faults, clock, event, appointmentId, options } = await setup();
    await store.outbox.append(eventDeletionEntry({ tenantId, appointmentId, calendarId: 'primary', eventId: event.eventId }));
    faults.failNext('deleteEvent', 5, new ProviderUnavailableError({ provider: 'in-memory', operation: 'deleteEvent' }));
    const policy = { maxAttempts: 2, baseDelayMs: 1000, maxDelayMs: 1000, factor: 1 };
    expect(await processCalendarOutbox({ ...options, retryPolicy: policy })).toMatchObject({ retried: 1 });
    await clock.advance(1000);
    expect(await processCalendarOutbox({ ...options, retryPolicy: policy })).toMatchObject({ dead: 1 });

    await store.outbox.append(
      eventDeletionEntry({ tenantId, appointmentId: crypto.randomUUID(), calendarId: 'primary', eventId: 'vvvvv11111' }),
    );
    faults.clear();
    faults.failNext(
      'deleteEvent',
      1,
      new ProviderError({ provider: 'in-memory', operation: 'deleteEvent', message: 'bad request', status: 400 }),
    );
    expect(await processCalendarOutbox(options)).toMatchObject({ claimed: 1, dead: 1 });
  });
});

describe('CalendarOutboxWorker', () => {
  it('runs until stopped, picking up entries as they become available', async () => {
    const { store, calendar, clock, event, appointmentId, options } = await setup();
    const worker = new CalendarOutboxWorker({ ...options, intervalMs: 1000 });
    expect(worker.lastHeartbeatAt).toBeNull();
    worker.start();
    worker.start();
    await store.outbox.append(
      eventDeletionEntry({
        tenantId,
        appointmentId,
        calendarId: 'primary',
        eventId: event.eventId,
        availableAt: new Date(clock.now().getTime() + 5000),
      }),
    );
    await clock.advance(4000);
    expect((await calendar.getEvent({ calendarId: 'primary', eventId: event.eventId }))?.status).toBe('confirmed');
    await clock.advance(2000);
    expect((await calendar.getEvent({ calendarId: 'primary', eventId: event.eventId }))?.status).toBe('cancelled');
    expect(worker.lastHeartbeatAt?.getTime()).toBeGreaterThanOrEqual(clock.now().getTime() - 1000);
    expect(store.dump().outbox[0]?.status).toBe('done');
    await worker.stop();
    await worker.stop();
    expect(clock.pendingTimers).toBe(0);
  });

  it('stop aborts the calendar call in flight and releases the batch: nothing deleted, every entry available again at once', async () => {
    const { store, calendar, clock, faults, event, appointmentId, options } = await setup();
    await store.outbox.append(eventDeletionEntry({ tenantId, appointmentId, calendarId: 'primary', eventId: event.eventId }));
    await store.outbox.append(
      eventDeletionEntry({ tenantId, appointmentId: crypto.randomUUID(), calendarId: 'primary', eventId: 'vvvvv00000' }),
    );
    faults.delay('deleteEvent', 60_000);
    const worker = new CalendarOutboxWorker({ ...options, intervalMs: 1000 });
    worker.start();
    await clock.advance(1000);
    await worker.stop();
    expect(faults.calls('deleteEvent').map((call) => call.outcome)).toEqual(['rejected']);
    expect((await calendar.getEvent({ calendarId: 'primary', eventId: event.eventId }))?.status).toBe('confirmed');
    expect(store.dump().outbox.map((entry) => [entry.status, entry.lastError?.code, entry.availableAt.getTime()])).toEqual([
      ['pending', 'stopped', clock.now().getTime()],
      ['pending', 'stopped', clock.now().getTime()],
    ]);
    expect(clock.pendingTimers).toBe(0);
    faults.clear();
    expect(await processCalendarOutbox(options)).toMatchObject({ claimed: 2, completed: 2 });
  });

  it('runOnce recovers entries whose worker died before processing them', async () => {
    const { store, clock, event, appointmentId, options } = await setup();
    await store.outbox.append(eventDeletionEntry({ tenantId, appointmentId, calendarId: 'primary', eventId: event.eventId }));
    await store.outbox.claim({ topic: 'calendar', now: clock.now(), workerId: 'dead-worker', leaseMs: 1000, maxAggregates: 10 });
    await clock.advance(1001);
    const run = await new CalendarOutboxWorker(options).runOnce();
    expect(run).toMatchObject({ claimed: 1, completed: 1 });
  });
});

describe('the default retry policy', () => {
  it('keeps retrying a transient failure, at most hourly, until the event is gone', async () => {
    const { store, faults, clock, calendar, event, appointmentId, options } = await setup();
    await store.outbox.append(eventDeletionEntry({ tenantId, appointmentId, calendarId: 'primary', eventId: event.eventId }));
    faults.failNext('deleteEvent', 20, new ProviderUnavailableError({ provider: 'in-memory', operation: 'deleteEvent' }));
    const run = { ...options, random: () => 0.999 };
    for (let attempt = 1; attempt <= 20; attempt += 1) {
      expect(await processCalendarOutbox(run)).toMatchObject({ retried: 1 });
      const [entry] = store.dump().outbox;
      expect(entry!.availableAt.getTime() - clock.now().getTime()).toBeLessThanOrEqual(3_600_000);
      await clock.advanceTo(entry!.availableAt);
    }
    expect(await processCalendarOutbox(run)).toMatchObject({ completed: 1 });
    expect((await calendar.getEvent({ calendarId: 'primary', eventId: event.eventId }))?.status).toBe('cancelled');
  });
});
