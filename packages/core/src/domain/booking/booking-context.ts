/**
 * What the booking operations share: their ports and settings, and the first steps every one of
 * them takes — loading the tenant, the lead and the appointment, checking the actor, the calendar
 * lock. The slot checks live in `booking-slots.ts`, the transaction and its after-commit effects
 * in `booking-unit-of-work.ts`, the deletion of events in `booking-event-cleanup.ts`.
 */
import { ConflictError, NotFoundError, ValidationError } from '../../errors/index.js';
import type { CalendarPort } from '../../ports/calendar/calendar-port.js';
import type { Clock } from '../../ports/clock/clock.js';
import { withLock, type LockPort } from '../../ports/lock/lock-port.js';
import { noopLogger, type Logger } from '../../ports/logger/logger.js';
import type { Store } from '../../ports/repositories/repositories.js';
import type { DomainEvents } from '../events/domain-events.js';
import type { Appointment } from '../model/appointment.js';
import type { Lead } from '../model/lead.js';
import type { Tenant } from '../model/tenant.js';
import { renderTemplate } from '../templates/template-engine.js';
import type { AppointmentObserver } from './appointment-observer.js';
import { type AvailableSlot } from './availability.js';
import type { BookingActor } from './booking-inputs.js';
import { calendarResolver } from './calendar-outbox.js';

/** Options of `BookingService`. */
export interface BookingServiceOptions {
  readonly store: Store;
  /**
   * The calendar bookings go to: one port, or the tenant's own port by tenant id (a server serving
   * many tenants, each with its own calendar account).
   */
  readonly calendar: CalendarPort | ((tenantId: string) => CalendarPort);
  readonly lock: LockPort;
  readonly clock: Clock;
  /** Told of every change inside the transaction that persists it (reminders, stage). */
  readonly observers?: readonly AppointmentObserver[];
  /** Receives `appointment.booked` / `.rescheduled` / `.cancelled` after commit. */
  readonly events?: DomainEvents;
  readonly logger?: Logger;
  /** Lease of the calendar lock; longer than a booking's calendar calls (default 30 s). */
  readonly lockTtlMs?: number;
  /** How long a booking waits for the calendar lock before `LockNotAcquiredError` (default 10 s). */
  readonly lockWaitMs?: number;
  /**
   * When the outbox worker first retries deleting the event of a cancelled or moved appointment
   * (default 60 s): the service deletes it at once itself, and the worker only follows up.
   */
  readonly deletionFollowUpMs?: number;
  /** Alternatives to a refused slot are searched this many days before and after it (default 7). */
  readonly alternativesSearchDays?: number;
  /** Mints appointment ids when the caller gives none (default: random UUIDs). */
  readonly newId?: () => string;
}

/** `BookingServiceOptions` with every default applied. */
export type BookingContext = Required<Omit<BookingServiceOptions, 'events' | 'calendar'>> & {
  readonly events: DomainEvents | undefined;
  /** The tenant's calendar. */
  readonly calendarFor: (tenantId: string) => CalendarPort;
  /** Alternatives being looked up now, by slot: the losers of one slot share one look-up. */
  readonly alternativesInFlight: Map<string, Promise<AvailableSlot[]>>;
};

/** Applies the defaults. */
export function bookingContextOf(options: BookingServiceOptions): BookingContext {
  return {
    store: options.store,
    calendarFor: calendarResolver(options.calendar),
    lock: options.lock,
    clock: options.clock,
    observers: options.observers ?? [],
    events: options.events,
    logger: options.logger ?? noopLogger,
    lockTtlMs: options.lockTtlMs ?? 30_000,
    lockWaitMs: options.lockWaitMs ?? 10_000,
    deletionFollowUpMs: options.deletionFollowUpMs ?? 60_000,
    alternativesSearchDays: options.alternativesSearchDays ?? 7,
    newId: options.newId ?? (() => globalThis.crypto.randomUUID()),
    alternativesInFlight: new Map(),
  };
}

/** The tenant, or `NotFoundError`. */
export async function loadTenant(context: BookingContext, tenantId: string): Promise<Tenant> {
  const tenant = await context.store.tenants.get(tenantId);
  if (tenant === null) throw new NotFoundError('tenant', tenantId);
  return tenant;
}

/** The lead, or `NotFoundError`; a lead acting for another lead is told it does not exist. */
export async function loadLeadFor(
  context: BookingContext,
  input: { tenantId: string; leadId: string; actor: BookingActor },
): Promise<Lead> {
  const lead = mayActFor(input.actor, input.leadId) ? await context.store.leads.get(input.tenantId, input.leadId) : null;
  if (lead === null) throw new NotFoundError('lead', input.leadId);
  return lead;
}

/**
 * The appointment, when the actor may see it; otherwise `NotFoundError` — the same answer as
 * for an id that does not exist, so a lead cannot probe other leads' appointments.
 */
export async function loadAppointmentFor(
  context: BookingContext,
  input: { tenantId: string; appointmentId: string; actor: BookingActor },
): Promise<Appointment> {
  const appointment = await context.store.appointments.get(input.tenantId, input.appointmentId);
  if (appointment === null || !mayActFor(input.actor, appointment.leadId)) throw new NotFoundError('appointment', input.appointmentId);
  return appointment;
}

/** Whether the actor may act on a lead's behalf. */
function mayActFor(actor: BookingActor, leadId: string): boolean {
  return actor.kind === 'operator' || actor.leadId === leadId;
}

/** Only `scheduled` appointments can be moved or cancelled. */
export function assertScheduled(appointment: Appointment): void {
  if (appointment.status !== 'scheduled') {
    throw new ConflictError(`appointment ${appointment.id} is ${appointment.status}: only a scheduled appointment can be changed`, {
      details: { appointmentId: appointment.id, status: appointment.status },
    });
  }
}

/** The event title from the tenant's `booking.eventTitle` (a masked phone when the lead has no name). */
export function eventTitleFor(tenant: Tenant, lead: Lead): string {
  try {
    return renderTemplate(tenant.booking.eventTitle, { leadName: lead.name ?? lead.phone.masked() });
  } catch (error) {
    if (!ValidationError.isInstance(error)) throw error;
    throw ValidationError.forField('booking.eventTitle', `${error.message}; only {{leadName}} can be used`, { cause: error });
  }
}

/** Runs `fn` holding the lock of the tenant's calendar; `LockNotAcquiredError` (retryable) when it stays taken. */
export function withCalendarLock<T>(
  context: BookingContext,
  input: { readonly tenantId: string; readonly calendarId: string; readonly run: () => Promise<T> },
): Promise<T> {
  const key = `calendar:${input.tenantId}:${input.calendarId}`;
  return withLock(context.lock, key, { ttlMs: context.lockTtlMs, waitMs: context.lockWaitMs }, input.run);
}
