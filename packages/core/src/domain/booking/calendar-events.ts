/**
 * The calendar side of a booking: the event of an appointment, created idempotently (its id is
 * derived from the appointment id, so a second attempt meets the first one's event instead of
 * making another) and tagged with the appointment id, so that the consistency check can tell our
 * events from everyone else's.
 */
import { ConflictError, DuplicateError, ProviderError, isTransientError } from '../../errors/index.js';
import type { CalendarEvent, CalendarEventRef, CalendarPort } from '../../ports/calendar/calendar-port.js';
import type { Interval } from '../time/local-time.js';

/** Private event property holding the appointment id (Google `extendedProperties.private`). */
export const appointmentIdProperty = 'sdrAppointmentId';
/** Private event property holding the tenant id, for calendars several tenants share. */
export const tenantIdProperty = 'sdrTenantId';
/** Private event property holding the lead id. */
export const leadIdProperty = 'sdrLeadId';

/** What `ensureCalendarEvent` needs to create (or recognise) an appointment's event. */
interface AppointmentEventSpec extends CalendarEventRef, Interval {
  readonly tenantId: string;
  readonly leadId: string;
  readonly appointmentId: string;
  readonly summary: string;
  readonly description?: string | undefined;
}

/** True when the event covers exactly `interval`. */
export function hasTimes(event: Interval, interval: Interval): boolean {
  return event.start.getTime() === interval.start.getTime() && event.end.getTime() === interval.end.getTime();
}

/**
 * Creates the appointment's event, or returns the one an earlier attempt created:
 * - the provider answers "duplicate" ⇒ the event exists: it is read and, when it is live and
 *   at the same times, used;
 * - the call fails in a way that may hide a success (a timeout, a 5xx) ⇒ the event is looked up
 *   once; found live at the same times, it is used, otherwise the original error is rethrown.
 *
 * A duplicate that was deleted (its booking was compensated), or that stands at other times,
 * cannot be this booking's event: `ConflictError`, and the caller must book with a new id.
 */
export async function ensureCalendarEvent(calendar: CalendarPort, spec: AppointmentEventSpec): Promise<CalendarEvent> {
  const ref = { calendarId: spec.calendarId, eventId: spec.eventId };
  try {
    return await calendar.createEvent({
      ...ref,
      start: spec.start,
      end: spec.end,
      summary: spec.summary,
      ...(spec.description === undefined ? {} : { description: spec.description }),
      privateProperties: {
        [appointmentIdProperty]: spec.appointmentId,
        [tenantIdProperty]: spec.tenantId,
        [leadIdProperty]: spec.leadId,
      },
    });
  } catch (error) {
    if (DuplicateError.isInstance(error)) return adoptExisting(calendar, spec, error);
    if (!isTransientError(error)) throw error;
    const existing = await calendar.getEvent(ref).catch(() => null);
    if (existing !== null && existing.status !== 'cancelled' && hasTimes(existing, spec)) return existing;
    throw error;
  }
}

async function adoptExisting(calendar: CalendarPort, spec: AppointmentEventSpec, duplicate: unknown): Promise<CalendarEvent> {
  const existing = await calendar.getEvent({ calendarId: spec.calendarId, eventId: spec.eventId });
  if (existing === null) {
    throw new ProviderError({
      provider: calendar.provider,
      operation: 'createEvent',
      message: `reported event ${spec.eventId} as a duplicate, but it cannot be read`,
      retryable: true,
      cause: duplicate,
    });
  }
  if (existing.status === 'cancelled') {
    throw new ConflictError(
      `the calendar event of appointment ${spec.appointmentId} was created and deleted before; book again with a new appointment id`,
      { cause: duplicate, details: { appointmentId: spec.appointmentId, eventId: spec.eventId } },
    );
  }
  if (!hasTimes(existing, spec)) {
    throw new ConflictError(`appointment id ${spec.appointmentId} was already used for a booking at another time`, {
      cause: duplicate,
      details: { appointmentId: spec.appointmentId, eventId: spec.eventId },
    });
  }
  return existing;
}

/**
 * The appointment id an event of ours carries, or `null` for someone else's event. Without
 * private properties (a provider that cannot store them) our ids are recognised by their shape:
 * `calendarEventIdFor` writes a UUID's 32 hex digits.
 */
export function appointmentIdOfEvent(
  event: Pick<CalendarEvent, 'eventId' | 'privateProperties'>,
  options: { readonly tenantId: string; readonly privateProperties: boolean },
): string | null {
  const tenantId = event.privateProperties[tenantIdProperty];
  if (tenantId !== undefined && tenantId !== options.tenantId) return null;
  const tagged = event.privateProperties[appointmentIdProperty];
  if (tagged !== undefined) return tagged;
  if (options.privateProperties) return null;
  const hex = /^[0-9a-f]{32}$/.exec(event.eventId)?.[0];
  return hex === undefined ? null : `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
