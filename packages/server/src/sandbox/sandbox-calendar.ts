/**
 * `createSandboxCalendar`: the sandbox calendar of the embedded default — a `CalendarPort` over
 * the server's tables that behaves like Google Calendar where the booking engine depends on it:
 * caller-chosen ids in Google's alphabet, deleted events that keep their row (`cancelled`), so
 * re-creating one is a `DuplicateError` and deleting again a no-op, and free/busy from the live
 * events, merged where they overlap or touch and not clipped to the range (as Google reports).
 * A call whose signal has already aborted rejects with an `AbortedError` before any statement;
 * a statement already sent runs to its end.
 */
import {
  DuplicateError,
  NotFoundError,
  SdrError,
  ValidationError,
  throwIfAborted,
  type BusyInterval,
  type CallOptions,
  type CallSite,
  type CalendarEvent,
  type CalendarPort,
  type Clock,
  type CreateCalendarEventInput,
} from '@sdr/core';
import type { Database, Row } from '@sdr/store-postgres';
import { fromJson, instant, sandboxTable, textOrNull, toDate } from './sandbox-sql.js';

/** The `provider` name of the sandbox calendar. */
export const sandboxCalendarProvider = 'sandbox';

/** Options of `createSandboxCalendar`. */
export interface SandboxCalendarOptions {
  readonly db: Database;
  /** The server schema holding the sandbox tables (default `sdr_server`). */
  readonly schema?: string;
  /** Stamps events and health checks. */
  readonly clock: Clock;
  /**
   * Whose calendars these are (the tenant id): two tenants booking into `primary` book into two
   * calendars, neither seeing the other's events nor busy time. Default: the empty account.
   */
  readonly account?: string;
}

const site = (operation: string): CallSite => ({ provider: sandboxCalendarProvider, operation });

/** Google's event-id alphabet: lowercase base32hex, 5 to 1024 characters. */
const eventIdPattern = /^[0-9a-v]{5,1024}$/;

/** Creates the sandbox calendar; every calendar id exists and starts empty. */
export function createSandboxCalendar(options: SandboxCalendarOptions): CalendarPort {
  const { db, clock } = options;
  const account = options.account ?? '';
  const events = sandboxTable(options.schema, 'sandbox_calendar_events');

  const liveInRange = async (
    operation: string,
    input: { readonly calendarId: string; readonly timeMin: Date; readonly timeMax: Date },
  ): Promise<CalendarEvent[]> => {
    assertCalendarId(input.calendarId);
    assertRange(input.timeMin, input.timeMax, 'timeMax');
    const rows = await db.query(
      operation,
      `SELECT * FROM ${events} WHERE account = $4 AND calendar_id = $1 AND status <> 'cancelled' AND start_at < $3::timestamptz AND end_at > $2::timestamptz
       ORDER BY start_at, end_at, event_id`,
      [input.calendarId, instant(input.timeMin), instant(input.timeMax), account],
    );
    return rows.map(toEvent);
  };

  const read = async (calendarId: string, eventId: string): Promise<CalendarEvent | null> => {
    const [row] = await db.query(
      'sandbox.calendar.getEvent',
      `SELECT * FROM ${events} WHERE account = $3 AND calendar_id = $1 AND event_id = $2`,
      [calendarId, eventId, account],
    );
    return row ? toEvent(row) : null;
  };

  return {
    contractVersion: 'v1',
    provider: sandboxCalendarProvider,
    capabilities: Object.freeze({ conferencing: false, privateProperties: true }),

    async freeBusy(input, options) {
      throwIfAborted(options, site('freeBusy'));
      const live = await liveInRange('sandbox.calendar.freeBusy', input);
      const merged: { start: number; end: number }[] = [];
      for (const event of live) {
        const last = merged[merged.length - 1];
        const interval = { start: event.start.getTime(), end: event.end.getTime() };
        if (last !== undefined && interval.start <= last.end) last.end = Math.max(last.end, interval.end);
        else merged.push(interval);
      }
      return merged.map((interval): BusyInterval => ({ start: new Date(interval.start), end: new Date(interval.end) }));
    },

    async createEvent(input: CreateCalendarEventInput, options?: CallOptions) {
      throwIfAborted(options, site('createEvent'));
      assertCalendarId(input.calendarId);
      if (!eventIdPattern.test(input.eventId)) {
        throw ValidationError.forField('eventId', 'must be 5 to 1024 characters of lowercase base32hex (0-9 and a-v)');
      }
      assertRange(input.start, input.end, 'end');
      if (input.summary.length > 1024) throw ValidationError.forField('summary', 'must be at most 1024 characters');
      if (input.description !== undefined && input.description.length > 8192) {
        throw ValidationError.forField('description', 'must be at most 8192 characters');
      }
      const now = instant(clock.now());
      const [row] = await db.write(
        'sandbox.calendar.createEvent',
        `INSERT INTO ${events} (account, calendar_id, event_id, start_at, end_at, summary, description, status, attendees, private_properties, created_at, updated_at)
         VALUES ($10, $1, $2, $3::timestamptz, $4::timestamptz, $5, $6, 'confirmed', $7::jsonb, $8::jsonb, $9::timestamptz, $9::timestamptz)
         ON CONFLICT (account, calendar_id, event_id) DO NOTHING RETURNING *`,
        [
          input.calendarId,
          input.eventId,
          instant(input.start),
          instant(input.end),
          input.summary,
          input.description ?? null,
          JSON.stringify(input.attendees ?? []),
          JSON.stringify(input.privateProperties ?? {}),
          now,
          account,
        ],
      );
      // Google keeps the id of a deleted event: inserting it again is a 409 as well.
      if (!row) throw new DuplicateError('calendar event', input.eventId);
      return toEvent(row);
    },

    async getEvent(ref, options) {
      throwIfAborted(options, site('getEvent'));
      return read(ref.calendarId, ref.eventId);
    },

    async updateEvent(input, options) {
      throwIfAborted(options, site('updateEvent'));
      const current = await read(input.calendarId, input.eventId);
      if (current === null || current.status === 'cancelled') throw new NotFoundError('calendar event', input.eventId);
      const start = input.start ?? current.start;
      const end = input.end ?? current.end;
      assertRange(start, end, 'end');
      const [row] = await db.write(
        'sandbox.calendar.updateEvent',
        `UPDATE ${events} SET start_at = $3::timestamptz, end_at = $4::timestamptz, summary = $5, description = $6, updated_at = $7::timestamptz
         WHERE account = $8 AND calendar_id = $1 AND event_id = $2 AND status <> 'cancelled' RETURNING *`,
        [
          input.calendarId,
          input.eventId,
          instant(start),
          instant(end),
          input.summary ?? current.summary,
          input.description ?? current.description,
          instant(clock.now()),
          account,
        ],
      );
      // Deleted by someone else between the read and the write.
      if (!row) throw new NotFoundError('calendar event', input.eventId);
      return toEvent(row);
    },

    async deleteEvent(ref, options) {
      throwIfAborted(options, site('deleteEvent'));
      const rows = await db.write(
        'sandbox.calendar.deleteEvent',
        `UPDATE ${events} SET status = 'cancelled', updated_at = $3::timestamptz
         WHERE account = $4 AND calendar_id = $1 AND event_id = $2 AND status <> 'cancelled' RETURNING event_id`,
        [ref.calendarId, ref.eventId, instant(clock.now()), account],
      );
      return { deleted: rows.length > 0 };
    },

    async listEvents(input, options) {
      throwIfAborted(options, site('listEvents'));
      return liveInRange('sandbox.calendar.listEvents', input);
    },

    async health(options) {
      throwIfAborted(options, site('health'));
      try {
        await db.query('sandbox.calendar.health', 'SELECT 1 AS up');
        return { status: 'up', checkedAt: clock.now() };
      } catch {
        return { status: 'down', detail: 'the sandbox calendar database is unreachable', checkedAt: clock.now() };
      }
    },
  };
}

function assertCalendarId(calendarId: string): void {
  if (calendarId.trim() === '' || calendarId.length > 256) throw ValidationError.forField('calendarId', 'must be 1 to 256 characters');
}

function assertRange(start: Date, end: Date, field: string): void {
  if (Number.isNaN(start.getTime()) || Number.isNaN(end.getTime())) throw ValidationError.forField(field, 'must be a valid instant');
  if (end.getTime() <= start.getTime()) throw ValidationError.forField(field, 'must be after the start');
}

function toEvent(row: Row): CalendarEvent {
  const status = String(row['status']);
  if (status !== 'confirmed' && status !== 'tentative' && status !== 'cancelled') {
    throw new SdrError(`the sandbox calendar holds an event with an unknown status ${status}`);
  }
  return {
    calendarId: String(row['calendar_id']),
    eventId: String(row['event_id']),
    start: toDate(row['start_at']),
    end: toDate(row['end_at']),
    summary: String(row['summary']),
    description: textOrNull(row['description']),
    status,
    privateProperties: (fromJson(row['private_properties']) ?? {}) as Record<string, string>,
    conferenceUrl: null,
  };
}
