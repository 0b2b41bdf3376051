/**
 * Calendar ↔ store consistency check: compares the `scheduled` appointments of a calendar with
 * the live events of that calendar over a range and lists what disagrees —
 * - **orphan events**: an event of ours (it carries an appointment id) whose appointment is
 *   missing, cancelled, or points at another event;
 * - **missing events**: a `scheduled` appointment without a live event;
 * - **time mismatches**: an appointment and its event at different times.
 * Events without our appointment id are other people's meetings and are left alone.
 * `repairCalendarConsistency` fixes what a report lists; the store is the source of truth.
 */
import type { CalendarEvent, CalendarPort } from '../../ports/calendar/calendar-port.js';
import type { Clock } from '../../ports/clock/clock.js';
import type { Store } from '../../ports/repositories/repositories.js';
import type { Appointment } from '../model/appointment.js';
import { appointmentIdOfEvent, hasTimes } from './calendar-events.js';

/** An event of ours that no `scheduled` appointment owns. */
export interface OrphanEvent {
  readonly eventId: string;
  /** The appointment id the event carries. */
  readonly appointmentId: string;
  readonly start: Date;
  readonly end: Date;
  /** `appointment_missing`; `appointment_cancelled`; `superseded`: the appointment has another event. */
  readonly reason: 'appointment_missing' | 'appointment_cancelled' | 'superseded';
}

/** A `scheduled` appointment whose event is not on the calendar. */
export interface MissingEvent {
  readonly appointmentId: string;
  readonly eventId: string | null;
  readonly start: Date;
  readonly end: Date;
  readonly reason: 'no_event_id' | 'event_not_found' | 'event_deleted';
}

/** An appointment and its event at different times. */
export interface TimeMismatch {
  readonly appointmentId: string;
  readonly eventId: string;
  readonly appointmentStart: Date;
  readonly appointmentEnd: Date;
  readonly eventStart: Date;
  readonly eventEnd: Date;
}

/** What `checkCalendarConsistency` found. */
export interface CalendarConsistencyReport {
  readonly tenantId: string;
  readonly calendarId: string;
  readonly from: Date;
  readonly to: Date;
  readonly checkedAt: Date;
  readonly appointmentsChecked: number;
  readonly eventsChecked: number;
  readonly orphanEvents: readonly OrphanEvent[];
  readonly missingEvents: readonly MissingEvent[];
  readonly timeMismatches: readonly TimeMismatch[];
  /** No orphan, no missing event, no mismatch. */
  readonly consistent: boolean;
}

/** Input of `checkCalendarConsistency`. */
export interface CalendarConsistencyInput {
  readonly store: Store;
  readonly calendar: CalendarPort;
  readonly clock: Clock;
  readonly tenantId: string;
  readonly calendarId: string;
  /** The range checked: appointments and events overlapping `[from, to)`. */
  readonly from: Date;
  readonly to: Date;
}

/** Compares the calendar with the store over the range; reads only. */
export async function checkCalendarConsistency(input: CalendarConsistencyInput): Promise<CalendarConsistencyReport> {
  const { store, calendar, tenantId, calendarId } = input;
  const [events, appointments] = await Promise.all([
    calendar.listEvents({ calendarId, timeMin: input.from, timeMax: input.to }),
    store.appointments.listInRange(tenantId, calendarId, input.from, input.to),
  ]);
  const eventsById = new Map(events.map((event) => [event.eventId, event]));
  const matched = new Set<string>();
  const missingEvents: MissingEvent[] = [];
  const timeMismatches: TimeMismatch[] = [];

  for (const appointment of appointments) {
    const eventId = appointment.calendarEventId;
    if (eventId === null) {
      missingEvents.push(missingEventOf(appointment, 'no_event_id'));
      continue;
    }
    matched.add(eventId);
    // An event moved out of the range is not listed: ask for it by id.
    const event = eventsById.get(eventId) ?? (await calendar.getEvent({ calendarId, eventId }));
    if (event === null) missingEvents.push(missingEventOf(appointment, 'event_not_found'));
    else if (event.status === 'cancelled') missingEvents.push(missingEventOf(appointment, 'event_deleted'));
    else if (!hasTimes(event, appointment)) timeMismatches.push(mismatchOf(appointment, event));
  }

  const orphanEvents: OrphanEvent[] = [];
  const recognise = { tenantId, privateProperties: calendar.capabilities.privateProperties };
  for (const event of events) {
    if (matched.has(event.eventId)) continue;
    const appointmentId = appointmentIdOfEvent(event, recognise);
    if (appointmentId === null) continue;
    const appointment = await store.appointments.get(tenantId, appointmentId);
    const verdict = judgeUnmatchedEvent(event, appointment);
    if (verdict === 'mismatch' && appointment !== null) timeMismatches.push(mismatchOf(appointment, event));
    else if (verdict !== 'fine' && verdict !== 'mismatch') orphanEvents.push({ ...eventTimes(event), appointmentId, reason: verdict });
  }

  return {
    tenantId,
    calendarId,
    from: input.from,
    to: input.to,
    checkedAt: input.clock.now(),
    appointmentsChecked: appointments.length,
    eventsChecked: events.length,
    orphanEvents,
    missingEvents,
    timeMismatches,
    consistent: orphanEvents.length === 0 && missingEvents.length === 0 && timeMismatches.length === 0,
  };
}

/**
 * An event of ours in the range whose appointment is not a `scheduled` one of the range: its
 * appointment may lie outside the range (the event was moved in), have ended normally
 * (`completed` / `no_show` keep their event), or be gone.
 */
export function judgeUnmatchedEvent(
  event: Pick<CalendarEvent, 'eventId' | 'start' | 'end'>,
  appointment: Appointment | null,
): OrphanEvent['reason'] | 'mismatch' | 'fine' {
  if (appointment === null) return 'appointment_missing';
  if (appointment.calendarEventId !== event.eventId) return 'superseded';
  if (appointment.status === 'cancelled') return 'appointment_cancelled';
  if (appointment.status !== 'scheduled') return 'fine';
  return hasTimes(event, appointment) ? 'fine' : 'mismatch';
}

function eventTimes(event: CalendarEvent): { eventId: string; start: Date; end: Date } {
  return { eventId: event.eventId, start: event.start, end: event.end };
}

function missingEventOf(appointment: Appointment, reason: MissingEvent['reason']): MissingEvent {
  return { appointmentId: appointment.id, eventId: appointment.calendarEventId, start: appointment.start, end: appointment.end, reason };
}

function mismatchOf(appointment: Appointment, event: CalendarEvent): TimeMismatch {
  return {
    appointmentId: appointment.id,
    eventId: event.eventId,
    appointmentStart: appointment.start,
    appointmentEnd: appointment.end,
    eventStart: event.start,
    eventEnd: event.end,
  };
}
