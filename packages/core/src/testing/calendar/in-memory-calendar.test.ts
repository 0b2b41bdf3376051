import { describe, expect, it } from 'vitest';
import { DuplicateError, NotFoundError, ProviderUnavailableError, ValidationError } from '../../errors/index.js';
import { calendarEventIdFor } from '../../domain/model/appointment.js';
import { VirtualClock } from '../../ports/clock/clock.js';
import { T0, at, hour, minute, newId } from '../__fixtures__/entities.js';
import { createInMemoryCalendar } from './in-memory-calendar.js';

function setup() {
  const calendar = createInMemoryCalendar({ clock: new VirtualClock(T0) });
  const create = (start: number, end: number, eventId = calendarEventIdFor(newId())) =>
    calendar.createEvent({ calendarId: 'primary', eventId, start: at(start), end: at(end), summary: 'Reunião' });
  return { calendar, create };
}

const ref = (eventId: string) => ({ calendarId: 'primary', eventId });

describe('createInMemoryCalendar', () => {
  it('validates event ids like Google: lowercase base32hex, 5 to 1024 characters', async () => {
    const { create } = setup();
    for (const eventId of ['abcd', 'ABCDEF', 'event-with-dash', 'wxyz0', 'a'.repeat(1025)]) {
      await expect(create(0, hour, eventId)).rejects.toSatisfy(ValidationError.isInstance.bind(ValidationError));
    }
    await create(0, hour, '0123456789abcdefghijklmnopqrstuv');
  });

  it('a deleted event keeps its id: get says cancelled, re-create is a duplicate, delete again is a no-op, update is not found', async () => {
    const { calendar, create } = setup();
    const event = await create(0, hour);
    await expect(create(2 * hour, 3 * hour, event.eventId)).rejects.toSatisfy(DuplicateError.isInstance.bind(DuplicateError));
    expect(await calendar.deleteEvent(ref(event.eventId))).toEqual({ deleted: true });
    expect(await calendar.deleteEvent(ref(event.eventId))).toEqual({ deleted: false });
    expect((await calendar.getEvent(ref(event.eventId)))?.status).toBe('cancelled');
    await expect(create(0, hour, event.eventId)).rejects.toSatisfy(DuplicateError.isInstance.bind(DuplicateError));
    await expect(calendar.updateEvent({ ...ref(event.eventId), summary: 'x' })).rejects.toSatisfy(
      NotFoundError.isInstance.bind(NotFoundError),
    );
    expect(await calendar.getEvent(ref(calendarEventIdFor(newId())))).toBeNull();
    expect(calendar.allEvents('primary')).toHaveLength(1);
  });

  it('freeBusy merges live events and busy blocks overlapping [timeMin, timeMax), sorted and unclipped; cancelled events are free', async () => {
    const { calendar, create } = setup();
    await create(9 * hour, 10 * hour);
    await create(10 * hour, 11 * hour);
    const cancelled = await create(13 * hour, 14 * hour);
    await calendar.deleteEvent(ref(cancelled.eventId));
    calendar.addBusy('primary', { start: at(10 * hour + 30 * minute), end: at(12 * hour) });
    calendar.addBusy('primary', { start: at(15 * hour), end: at(16 * hour) });
    calendar.addBusy('primary', { start: at(20 * hour), end: at(21 * hour) });
    const busy = await calendar.freeBusy({ calendarId: 'primary', timeMin: at(9 * hour + 30 * minute), timeMax: at(20 * hour) });
    expect(busy).toEqual([
      { start: at(9 * hour), end: at(12 * hour) },
      { start: at(15 * hour), end: at(16 * hour) },
    ]);
    expect(
      (await calendar.listEvents({ calendarId: 'primary', timeMin: at(0), timeMax: at(24 * hour) })).map((event) => event.start),
    ).toEqual([at(9 * hour), at(10 * hour)]);
  });

  it('creates a fake conference link on request and keeps private properties', async () => {
    const { calendar } = setup();
    const eventId = calendarEventIdFor(newId());
    const event = await calendar.createEvent({
      calendarId: 'primary',
      eventId,
      start: at(0),
      end: at(hour),
      summary: 'Reunião',
      conferencing: true,
      privateProperties: { appointmentId: 'a1' },
    });
    expect(event.conferenceUrl).toMatch(/^https:\/\//);
    expect((await calendar.getEvent(ref(eventId)))?.privateProperties).toEqual({ appointmentId: 'a1' });
  });

  it('while down, health says so and every call fails retryably', async () => {
    const { calendar, create } = setup();
    calendar.setHealth('down', 'maintenance');
    expect(await calendar.health()).toMatchObject({ status: 'down', detail: 'maintenance' });
    await expect(create(0, hour)).rejects.toSatisfy(ProviderUnavailableError.isInstance.bind(ProviderUnavailableError));
    calendar.setHealth('up');
    await create(0, hour);
  });
});
