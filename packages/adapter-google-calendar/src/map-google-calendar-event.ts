/**
 * Pure converters between the port's shapes and Google Calendar's resources.
 */
import type { BusyInterval, CalendarEvent, CreateCalendarEventInput, UpdateCalendarEventInput } from '@sdr/core';
import type { calendar_v3 } from '@googleapis/calendar';
import type { GoogleEvent } from './google-calendar-api.js';

/** A Google date-time (RFC 3339) or all-day date (`YYYY-MM-DD`, read as midnight UTC) as an instant; `null` when absent or unreadable. */
export function instantOf(
  time: { readonly dateTime?: string | null | undefined; readonly date?: string | null | undefined } | null | undefined,
): Date | null {
  const text = time?.dateTime ?? (time?.date ? `${time.date}T00:00:00Z` : null);
  if (!text) return null;
  const at = new Date(text);
  return Number.isNaN(at.getTime()) ? null : at;
}

/** The port's event from Google's; `null` when a live event has no readable times (then the body is malformed). */
export function mapGoogleEvent(calendarId: string, event: GoogleEvent): CalendarEvent | null {
  const status = event.status === 'cancelled' || event.status === 'tentative' ? event.status : 'confirmed';
  const start = instantOf(event.start);
  const end = instantOf(event.end);
  // Deleted events may come back with only their id: their times no longer matter.
  if ((start === null || end === null) && status !== 'cancelled') return null;
  const video = event.conferenceData?.entryPoints?.find((entry) => entry.entryPointType === 'video')?.uri;
  return {
    calendarId,
    eventId: event.id,
    start: start ?? new Date(0),
    end: end ?? new Date(0),
    summary: event.summary ?? '',
    description: event.description ?? null,
    status,
    privateProperties: { ...event.extendedProperties?.private },
    conferenceUrl: event.hangoutLink ?? video ?? null,
  };
}

/** The body of `events.insert`. */
export function googleEventInsertBody(input: CreateCalendarEventInput, conference: boolean): calendar_v3.Schema$Event {
  return {
    id: input.eventId,
    summary: input.summary,
    ...(input.description === undefined ? {} : { description: input.description }),
    start: { dateTime: input.start.toISOString() },
    end: { dateTime: input.end.toISOString() },
    ...(input.attendees && input.attendees.length > 0
      ? {
          attendees: input.attendees.map((attendee) => ({
            email: attendee.email,
            ...(attendee.name ? { displayName: attendee.name } : {}),
          })),
        }
      : {}),
    ...(input.privateProperties && Object.keys(input.privateProperties).length > 0
      ? { extendedProperties: { private: { ...input.privateProperties } } }
      : {}),
    ...(conference
      ? { conferenceData: { createRequest: { requestId: input.eventId, conferenceSolutionKey: { type: 'hangoutsMeet' } } } }
      : {}),
  };
}

/** The body of `events.patch`: only the fields given. */
export function googleEventPatchBody(input: UpdateCalendarEventInput): calendar_v3.Schema$Event {
  return {
    ...(input.summary === undefined ? {} : { summary: input.summary }),
    ...(input.description === undefined ? {} : { description: input.description }),
    ...(input.start === undefined ? {} : { start: { dateTime: input.start.toISOString() } }),
    ...(input.end === undefined ? {} : { end: { dateTime: input.end.toISOString() } }),
  };
}

/** Busy intervals from `freebusy.query`, in time order; unreadable ones are dropped by the caller's schema. */
export function mapBusy(busy: readonly { readonly start: string; readonly end: string }[]): BusyInterval[] {
  return busy
    .map((interval) => ({ start: new Date(interval.start), end: new Date(interval.end) }))
    .filter((interval) => !Number.isNaN(interval.start.getTime()) && !Number.isNaN(interval.end.getTime()))
    .sort((a, b) => a.start.getTime() - b.start.getTime() || a.end.getTime() - b.end.getTime());
}

/** True when `existing` carries every private property of `wanted` (a non-empty set): the event is ours. */
export function carriesProperties(existing: CalendarEvent, wanted: Readonly<Record<string, string>> | undefined): boolean {
  const entries = Object.entries(wanted ?? {});
  return entries.length > 0 && entries.every(([key, value]) => existing.privateProperties[key] === value);
}
