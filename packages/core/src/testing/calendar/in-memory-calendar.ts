/**
 * `createInMemoryCalendar`: a `CalendarPort` that behaves like Google Calendar where the
 * booking engine depends on it — caller-chosen event ids in Google's alphabet, deleted events
 * that keep their id (re-creating one is a duplicate, deleting again is a no-op), and
 * free/busy that also reports other people's events (`addBusy`).
 *
 * `freeBusy` merges overlapping and touching busy intervals (as Google does) and does **not**
 * clip them to the queried range: an interval that starts before `timeMin` is reported whole.
 * While `setHealth('down')` is in force every call fails with a retryable
 * `ProviderUnavailableError`, as an unreachable calendar would. A call whose signal has aborted
 * rejects with an `AbortedError` and changes nothing.
 */
import { DuplicateError, NotFoundError, ProviderUnavailableError, ValidationError } from '../../errors/index.js';
import { throwIfAborted, type CallOptions } from '../../ports/call-options.js';
import { systemClock, type Clock } from '../../ports/clock/clock.js';
import type {
  BusyInterval,
  CalendarEvent,
  CalendarEventRef,
  CalendarPort,
  CreateCalendarEventInput,
} from '../../ports/calendar/calendar-port.js';
import type { PortHealth } from '../../ports/health.js';
import { overlaps } from '../../internal/interval.js';
import { settle } from '../../internal/settle.js';

/** Options of `createInMemoryCalendar`. */
export interface InMemoryCalendarOptions {
  /** Stamps events and health checks. Default: the system clock. */
  readonly clock?: Clock;
}

/** An event as the in-memory calendar stores it: the port's view plus what tests may check. */
export interface InMemoryCalendarEvent extends CalendarEvent {
  readonly attendees: readonly { readonly email: string; readonly name?: string }[];
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** The in-memory `CalendarPort`, plus inspection and fault controls for tests. */
export interface InMemoryCalendar extends CalendarPort {
  /** Marks time busy that is not one of our events (other meetings, all-day blocks). */
  addBusy(calendarId: string, interval: BusyInterval): void;
  /** Every event of the calendar, cancelled ones included, in creation order. */
  allEvents(calendarId: string): InMemoryCalendarEvent[];
  /** What `health` reports; `down` also makes every call fail. */
  setHealth(status: PortHealth['status'], detail?: string): void;
  /** Forgets every event and busy block. */
  clear(): void;
}

/** The `provider` name of the in-memory calendar. */
export const inMemoryCalendarProvider = 'in-memory';

/** Google's event-id alphabet: lowercase base32hex, 5 to 1024 characters. */
const eventIdPattern = /^[0-9a-v]{5,1024}$/;

/** Creates an in-memory calendar with no events; every calendar id exists and starts empty. */
export function createInMemoryCalendar(options: InMemoryCalendarOptions = {}): InMemoryCalendar {
  const clock = options.clock ?? systemClock;
  const events = new Map<string, Map<string, InMemoryCalendarEvent>>();
  const busyBlocks = new Map<string, BusyInterval[]>();
  let health: { status: PortHealth['status']; detail?: string } = { status: 'up' };

  const eventsOf = (calendarId: string): Map<string, InMemoryCalendarEvent> => {
    let calendar = events.get(calendarId);
    if (calendar === undefined) {
      calendar = new Map();
      events.set(calendarId, calendar);
    }
    return calendar;
  };

  /** Runs one call the way the provider would answer it: refused while the calendar is down. */
  const call = <T>(operation: string, options: CallOptions | undefined, fn: () => T): Promise<T> =>
    settle(() => {
      throwIfAborted(options, { provider: inMemoryCalendarProvider, operation });
      if (health.status === 'down') {
        throw new ProviderUnavailableError({
          provider: inMemoryCalendarProvider,
          operation,
          message: health.detail ?? 'the calendar is down',
        });
      }
      return fn();
    });

  const liveEvent = (ref: CalendarEventRef): InMemoryCalendarEvent => {
    const event = events.get(ref.calendarId)?.get(ref.eventId);
    if (event === undefined || event.status === 'cancelled') throw new NotFoundError('calendar event', ref.eventId);
    return event;
  };

  return {
    contractVersion: 'v1',
    provider: inMemoryCalendarProvider,
    capabilities: Object.freeze({ conferencing: true, privateProperties: true }),

    freeBusy: (input, options) =>
      call('freeBusy', options, () => {
        assertRange(input.timeMin, input.timeMax);
        const range = { start: input.timeMin, end: input.timeMax };
        const intervals = [
          ...[...eventsOf(input.calendarId).values()].filter((event) => event.status !== 'cancelled'),
          ...(busyBlocks.get(input.calendarId) ?? []),
        ]
          .filter((interval) => overlaps(interval, range))
          .map((interval) => ({ start: interval.start.getTime(), end: interval.end.getTime() }))
          .sort((a, b) => a.start - b.start || a.end - b.end);
        const merged: { start: number; end: number }[] = [];
        for (const interval of intervals) {
          const last = merged[merged.length - 1];
          if (last !== undefined && interval.start <= last.end) last.end = Math.max(last.end, interval.end);
          else merged.push({ ...interval });
        }
        return merged.map((interval) => ({ start: new Date(interval.start), end: new Date(interval.end) }));
      }),

    createEvent: (input, options) =>
      call('createEvent', options, () => {
        assertEventId(input.eventId);
        assertRange(input.start, input.end, 'end');
        const calendar = eventsOf(input.calendarId);
        // Google keeps the id of a deleted event: inserting it again is a 409 as well.
        if (calendar.has(input.eventId)) throw new DuplicateError('calendar event', input.eventId);
        const now = clock.now();
        const event: InMemoryCalendarEvent = {
          calendarId: input.calendarId,
          eventId: input.eventId,
          start: new Date(input.start.getTime()),
          end: new Date(input.end.getTime()),
          summary: input.summary,
          description: input.description ?? null,
          status: 'confirmed',
          privateProperties: { ...input.privateProperties },
          conferenceUrl: input.conferencing === true ? conferenceUrlFor(input) : null,
          attendees: (input.attendees ?? []).map((attendee) => ({ ...attendee })),
          createdAt: now,
          updatedAt: now,
        };
        calendar.set(event.eventId, event);
        return toPortEvent(event);
      }),

    getEvent: (ref, options) =>
      call('getEvent', options, () => {
        const event = events.get(ref.calendarId)?.get(ref.eventId);
        return event === undefined ? null : toPortEvent(event);
      }),

    updateEvent: (input, options) =>
      call('updateEvent', options, () => {
        const event = liveEvent(input);
        const start = input.start ?? event.start;
        const end = input.end ?? event.end;
        assertRange(start, end, 'end');
        const updated: InMemoryCalendarEvent = {
          ...event,
          start: new Date(start.getTime()),
          end: new Date(end.getTime()),
          summary: input.summary ?? event.summary,
          description: input.description ?? event.description,
          updatedAt: clock.now(),
        };
        eventsOf(input.calendarId).set(input.eventId, updated);
        return toPortEvent(updated);
      }),

    deleteEvent: (ref, options) =>
      call('deleteEvent', options, () => {
        const event = events.get(ref.calendarId)?.get(ref.eventId);
        if (event === undefined || event.status === 'cancelled') return { deleted: false };
        eventsOf(ref.calendarId).set(ref.eventId, { ...event, status: 'cancelled', updatedAt: clock.now() });
        return { deleted: true };
      }),

    listEvents: (input, options) =>
      call('listEvents', options, () => {
        assertRange(input.timeMin, input.timeMax);
        const range = { start: input.timeMin, end: input.timeMax };
        return [...eventsOf(input.calendarId).values()]
          .filter((event) => event.status !== 'cancelled' && overlaps(event, range))
          .sort((a, b) => a.start.getTime() - b.start.getTime())
          .map(toPortEvent);
      }),

    health: (options) =>
      settle(() => {
        throwIfAborted(options, { provider: inMemoryCalendarProvider, operation: 'health' });
        return { status: health.status, ...(health.detail === undefined ? {} : { detail: health.detail }), checkedAt: clock.now() };
      }),

    addBusy: (calendarId, interval) => {
      assertRange(interval.start, interval.end, 'end');
      const blocks = busyBlocks.get(calendarId) ?? [];
      blocks.push({ start: new Date(interval.start.getTime()), end: new Date(interval.end.getTime()) });
      busyBlocks.set(calendarId, blocks);
    },

    allEvents: (calendarId) =>
      [...(events.get(calendarId)?.values() ?? [])].map((event) => ({
        ...toPortEvent(event),
        attendees: event.attendees.map((attendee) => ({ ...attendee })),
        createdAt: new Date(event.createdAt.getTime()),
        updatedAt: new Date(event.updatedAt.getTime()),
      })),

    setHealth: (status, detail) => {
      health = detail === undefined ? { status } : { status, detail };
    },

    clear: () => {
      events.clear();
      busyBlocks.clear();
    },
  };
}

function assertEventId(eventId: string): void {
  if (!eventIdPattern.test(eventId)) {
    throw ValidationError.forField('eventId', 'must be 5 to 1024 characters of lowercase base32hex (0-9 and a-v)');
  }
}

function assertRange(start: Date, end: Date, field = 'timeMax'): void {
  if (Number.isNaN(start.getTime()) || Number.isNaN(end.getTime())) throw ValidationError.forField(field, 'must be a valid instant');
  if (end.getTime() <= start.getTime()) throw ValidationError.forField(field, 'must be after the start');
}

/** A fake, stable video-meeting link (never a real Meet URL, so nobody joins one by mistake). */
function conferenceUrlFor(input: CreateCalendarEventInput): string {
  return `https://meet.in-memory.invalid/${input.eventId}`;
}

function toPortEvent(event: InMemoryCalendarEvent): CalendarEvent {
  return {
    calendarId: event.calendarId,
    eventId: event.eventId,
    start: new Date(event.start.getTime()),
    end: new Date(event.end.getTime()),
    summary: event.summary,
    description: event.description,
    status: event.status,
    privateProperties: { ...event.privateProperties },
    conferenceUrl: event.conferenceUrl,
  };
}
