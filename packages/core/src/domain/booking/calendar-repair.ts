/**
 * Repairs what a consistency report lists, the store being the source of truth: orphan events
 * are deleted, missing events created, mismatched events moved to the appointment's times.
 *
 * Each item is re-checked under the calendar lock the booking service takes, right before it is
 * repaired: a report is a snapshot, and an event a booking has just created but not yet
 * persisted looks exactly like an orphan from outside that lock.
 */
import { ConflictError, NotFoundError, classifyError } from '../../errors/index.js';
import type { CalendarPort } from '../../ports/calendar/calendar-port.js';
import type { Clock } from '../../ports/clock/clock.js';
import { withLock, type LockPort } from '../../ports/lock/lock-port.js';
import { noopLogger, type Logger } from '../../ports/logger/logger.js';
import type { Store } from '../../ports/repositories/repositories.js';
import { calendarEventIdFor, type Appointment } from '../model/appointment.js';
import { eventTitleFor } from './booking-context.js';
import { ensureCalendarEvent, hasTimes } from './calendar-events.js';
import {
  judgeUnmatchedEvent,
  type CalendarConsistencyReport,
  type MissingEvent,
  type OrphanEvent,
  type TimeMismatch,
} from './calendar-consistency.js';

/** Input of `repairCalendarConsistency`. */
export interface CalendarRepairInput {
  readonly store: Store;
  readonly calendar: CalendarPort;
  readonly lock: LockPort;
  readonly clock: Clock;
  readonly report: CalendarConsistencyReport;
  readonly logger?: Logger;
  /** Lease of the calendar lock per repaired item (default 30 s). */
  readonly lockTtlMs?: number;
  /** Wait for the calendar lock per item (default 10 s). */
  readonly lockWaitMs?: number;
}

/** One item of a report and what became of it. */
export interface CalendarRepairOutcome {
  readonly kind: 'orphan_event' | 'missing_event' | 'time_mismatch';
  /** The event (orphans, mismatches) or appointment (missing events) the item is about. */
  readonly id: string;
  /** `repaired`; `skipped`: it no longer needed repair; `failed`: see `error`. */
  readonly result: 'repaired' | 'skipped' | 'failed';
  /** What was done or why nothing was. */
  readonly detail: string;
  readonly error?: string;
}

/** What `repairCalendarConsistency` did, item by item. */
export interface CalendarRepairResult {
  readonly outcomes: readonly CalendarRepairOutcome[];
  readonly repaired: number;
  readonly skipped: number;
  readonly failed: number;
}

type Repair = Omit<CalendarRepairOutcome, 'kind' | 'id' | 'error'>;

/** Repairs every item of `report`; one item failing does not stop the others. */
export async function repairCalendarConsistency(input: CalendarRepairInput): Promise<CalendarRepairResult> {
  const outcomes: CalendarRepairOutcome[] = [];
  const run = async (kind: CalendarRepairOutcome['kind'], id: string, repair: () => Promise<Repair>) => {
    try {
      const key = `calendar:${input.report.tenantId}:${input.report.calendarId}`;
      const done = await withLock(input.lock, key, { ttlMs: input.lockTtlMs ?? 30_000, waitMs: input.lockWaitMs ?? 10_000 }, repair);
      outcomes.push({ kind, id, ...done });
    } catch (error) {
      const message = classifyError(error).message;
      (input.logger ?? noopLogger).warn({ kind, id, error: message }, 'calendar repair failed');
      outcomes.push({ kind, id, result: 'failed', detail: 'repair failed', error: message });
    }
  };
  for (const orphan of input.report.orphanEvents) await run('orphan_event', orphan.eventId, () => deleteOrphan(input, orphan));
  for (const missing of input.report.missingEvents) await run('missing_event', missing.appointmentId, () => recreateEvent(input, missing));
  for (const mismatch of input.report.timeMismatches) await run('time_mismatch', mismatch.eventId, () => moveEvent(input, mismatch));
  return {
    outcomes,
    repaired: outcomes.filter((outcome) => outcome.result === 'repaired').length,
    skipped: outcomes.filter((outcome) => outcome.result === 'skipped').length,
    failed: outcomes.filter((outcome) => outcome.result === 'failed').length,
  };
}

async function deleteOrphan(input: CalendarRepairInput, orphan: OrphanEvent): Promise<Repair> {
  const { tenantId, calendarId } = input.report;
  const event = await input.calendar.getEvent({ calendarId, eventId: orphan.eventId });
  if (event === null || event.status === 'cancelled') return { result: 'skipped', detail: 'the event is already gone' };
  const verdict = judgeUnmatchedEvent(event, await input.store.appointments.get(tenantId, orphan.appointmentId));
  if (verdict === 'fine' || verdict === 'mismatch') return { result: 'skipped', detail: 'the event belongs to a live appointment now' };
  await input.calendar.deleteEvent({ calendarId, eventId: orphan.eventId });
  return { result: 'repaired', detail: `deleted (${verdict})` };
}

async function recreateEvent(input: CalendarRepairInput, missing: MissingEvent): Promise<Repair> {
  const { tenantId, calendarId } = input.report;
  const appointment = await input.store.appointments.get(tenantId, missing.appointmentId);
  if (appointment === null || appointment.status !== 'scheduled')
    return { result: 'skipped', detail: 'the appointment is no longer scheduled' };
  const current =
    appointment.calendarEventId === null ? null : await input.calendar.getEvent({ calendarId, eventId: appointment.calendarEventId });
  if (current !== null && current.status !== 'cancelled') return { result: 'skipped', detail: 'the appointment has its event now' };
  const tenant = await input.store.tenants.get(tenantId);
  if (tenant === null) throw new NotFoundError('tenant', tenantId);
  const lead = await input.store.leads.get(tenantId, appointment.leadId);
  if (lead === null) throw new NotFoundError('lead', appointment.leadId);
  const spec = { calendarId, tenantId, leadId: lead.id, appointmentId: appointment.id, summary: eventTitleFor(tenant, lead) };
  const create = (eventId: string) =>
    ensureCalendarEvent(input.calendar, { ...spec, eventId, start: appointment.start, end: appointment.end });
  // A deleted event keeps its id for good: a replacement needs a new one.
  const preferred =
    current === null ? (appointment.calendarEventId ?? calendarEventIdFor(appointment.id)) : replacementEventId(appointment);
  const event = await create(preferred).catch((error: unknown) => {
    if (!ConflictError.isInstance(error)) throw error;
    return create(replacementEventId(appointment));
  });
  if (event.eventId === appointment.calendarEventId) return { result: 'repaired', detail: `created event ${event.eventId}` };
  try {
    await input.store.appointments.update({ ...appointment, calendarEventId: event.eventId, updatedAt: input.clock.now() });
  } catch (error) {
    await input.calendar.deleteEvent({ calendarId, eventId: event.eventId }).catch(() => undefined);
    throw error;
  }
  return { result: 'repaired', detail: `created event ${event.eventId} and linked it to the appointment` };
}

async function moveEvent(input: CalendarRepairInput, mismatch: TimeMismatch): Promise<Repair> {
  const { tenantId, calendarId } = input.report;
  const appointment = await input.store.appointments.get(tenantId, mismatch.appointmentId);
  if (appointment === null || appointment.status !== 'scheduled' || appointment.calendarEventId !== mismatch.eventId) {
    return { result: 'skipped', detail: 'the appointment no longer owns this event' };
  }
  const event = await input.calendar.getEvent({ calendarId, eventId: mismatch.eventId });
  if (event === null || event.status === 'cancelled') throw new ConflictError(`event ${mismatch.eventId} is gone: check again`);
  if (hasTimes(event, appointment)) return { result: 'skipped', detail: 'the times agree now' };
  await input.calendar.updateEvent({ calendarId, eventId: mismatch.eventId, start: appointment.start, end: appointment.end });
  return { result: 'repaired', detail: `moved to ${appointment.start.toISOString()}–${appointment.end.toISOString()}` };
}

/** A fresh event id of the appointment: its own 32 hex digits plus 8 random ones (all base32hex). */
function replacementEventId(appointment: Appointment): string {
  return `${calendarEventIdFor(appointment.id)}${globalThis.crypto.randomUUID().replace(/-/g, '').slice(0, 8)}`;
}
