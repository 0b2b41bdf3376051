/**
 * Booking through core's real `BookingService` over the Google port and the fake Google on the
 * wire (in-memory store and lock): an insert whose answer is lost after Google created the event
 * ends with one event, adopted; a calendar whose free/busy Google reports an error for refuses
 * every booking; contenders for one slot get one success and no orphan event.
 */
import { systemClock } from '@sdr/core';
import { createInMemoryLock, createInMemoryStore, runBookingContention } from '@sdr/core/testing';
import { describe, expect, it } from 'vitest';
import { portOn, useFakeGoogle } from './__fixtures__/msw-google.js';

const fake = useFakeGoogle();

const contention = (attempts: number, requestTimeoutMs = 2_000) =>
  runBookingContention({
    store: createInMemoryStore(),
    calendar: portOn(fake, { requestTimeoutMs }),
    lock: createInMemoryLock({ clock: systemClock }),
    clock: systemClock,
    attempts,
  });

describe('booking over Google Calendar', () => {
  it('a booking whose insert times out after Google created the event ends with one event, adopted', async () => {
    fake.failNext('insert', { kind: 'slow', delayMs: 800 });
    const result = await contention(1, 250);
    expect(result).toMatchObject({ succeeded: 1, failures: 0, orphanEvents: 0, missingEvents: 0 });
    const events = fake.events('primary');
    expect(events).toHaveLength(1);
    expect(events[0]?.status).toBe('confirmed');
    // The event id is the appointment UUID's 32 hex digits, and the appointment id is also a private property.
    const appointmentId = events[0]?.extendedProperties?.private?.sdrAppointmentId ?? '';
    expect(events[0]?.id).toBe(appointmentId.replace(/-/g, ''));
    expect(fake.requests.filter((request) => request.method === 'POST' && request.path.endsWith('/events'))).toHaveLength(2);
  });

  it('free/busy errors on a 200 refuse the booking: no appointment, no event', async () => {
    fake.markUnreadable('primary', 'notFound');
    // One attempt: a second would be refused at once by the first one's hold in the store.
    const result = await contention(1);
    // No appointment either: the hold is released, so none is left without its event.
    expect(result).toMatchObject({ succeeded: 0, failures: 1, missingEvents: 0 });
    expect(result.errors.join(' ')).toContain('notFound');
    expect(fake.events('primary')).toEqual([]);
  });

  it('eight contenders for one slot: one booking, seven refusals, no orphan event', async () => {
    const result = await contention(8);
    expect(result).toMatchObject({ succeeded: 1, conflicts: 7, failures: 0, orphanEvents: 0, missingEvents: 0 });
    expect(fake.events('primary').filter((event) => event.status !== 'cancelled')).toHaveLength(1);
  });
});
