/**
 * What the booking operations share: their ports and settings, and the steps every one of them
 * takes — loading the tenant, checking the actor, the calendar lock, a fresh look at free/busy,
 * observers inside the transaction, alternatives for a refused slot, events after commit.
 */
import { ConflictError, NotFoundError, SlotUnavailableError, ValidationError, classifyError } from '../../errors/index.js';
import type { CalendarEventRef, CalendarPort } from '../../ports/calendar/calendar-port.js';
import type { Clock } from '../../ports/clock/clock.js';
import { withLock, type LockPort } from '../../ports/lock/lock-port.js';
import { noopLogger, type Logger } from '../../ports/logger/logger.js';
import type { Repositories, Store } from '../../ports/repositories/repositories.js';
import { emitCommitted, runCommitted, type DeferredEvent } from '../events/after-commit.js';
import type { DomainEvents } from '../events/domain-events.js';
import { transactionWithRetry } from '../unit-of-work/transaction-retry.js';
import type { Appointment } from '../model/appointment.js';
import type { Lead } from '../model/lead.js';
import type { Tenant } from '../model/tenant.js';
import { renderTemplate } from '../templates/template-engine.js';
import { toZonedIso, type Interval } from '../time/local-time.js';
import type { AppointmentChange, AppointmentChangeContext, AppointmentObserver } from './appointment-observer.js';
import {
  bookableRange,
  describeSlot,
  freeSlotIntervals,
  checkSlot,
  nearestSlots,
  type AvailabilityIgnore,
  type AvailableSlot,
  type SlotCheck,
  type SlotRefusal,
  type SlotRules,
} from './availability.js';
import type { BookingActor } from './booking-inputs.js';
import { calendarResolver, eventDeletionEntry } from './calendar-outbox.js';
import { hasTimes } from './calendar-events.js';

const dayMs = 24 * 3_600_000;

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
export function mayActFor(actor: BookingActor, leadId: string): boolean {
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

/** What does not count as busy when `appointment` is being moved: itself and its event's time. */
export function ignoringAppointment(appointment: Appointment): AvailabilityIgnore {
  return { appointmentIds: [appointment.id], intervals: [{ start: appointment.start, end: appointment.end }] };
}

/** A slot to check on one calendar, and what does not count as busy. */
export interface SlotRequest {
  readonly tenant: Tenant;
  readonly calendarId: string;
  readonly slot: Interval;
  readonly ignore?: AvailabilityIgnore;
  /** Default `offer`; `conflicts` for an operator's availability override. */
  readonly rules?: SlotRules;
}

/**
 * Checks the slot against fresh free/busy and the stored appointments. `ownEventId`: the event
 * this very booking may have created in an attempt whose answer was lost — it is not a conflict.
 */
export async function checkSlotFreshly(
  context: BookingContext,
  request: SlotRequest & { readonly ownEventId?: string },
): Promise<SlotCheck> {
  const { tenant, calendarId, slot } = request;
  const reach = tenant.booking.bufferBefore + tenant.booking.bufferAfter;
  const timeMin = new Date(slot.start.getTime() - reach);
  const timeMax = new Date(slot.end.getTime() + reach);
  const [busy, appointments] = await Promise.all([
    context.calendarFor(tenant.id).freeBusy({ calendarId, timeMin, timeMax }),
    context.store.appointments.listInRange(tenant.id, calendarId, timeMin, timeMax),
  ]);
  const facts = { tenant, now: context.clock.now(), busy, appointments, slot, rules: request.rules ?? 'offer' };
  const verdict = checkSlot({ ...facts, ...(request.ignore === undefined ? {} : { ignore: request.ignore }) });
  if (verdict.ok || verdict.reason !== 'busy' || request.ownEventId === undefined) return verdict;
  const own = await context.calendarFor(tenant.id).getEvent({ calendarId, eventId: request.ownEventId });
  if (own === null || own.status === 'cancelled' || !hasTimes(own, slot)) return verdict;
  // Free/busy merges intervals without saying whose they are: taking our event's time out also
  // hides another event at exactly that time. That event would have been booked over ours after
  // our attempt checked the slot under the lock — directly in the calendar, not through us.
  return checkSlot({
    ...facts,
    ignore: { appointmentIds: request.ignore?.appointmentIds ?? [], intervals: [...(request.ignore?.intervals ?? []), own] },
  });
}

/**
 * The error for a refused slot, with up to three free slots nearest to it. Finding them reads
 * the calendar once more; if that fails, the error goes out without alternatives.
 */
export async function slotUnavailable(
  context: BookingContext,
  request: SlotRequest & { readonly reason: SlotRefusal; readonly cause?: unknown },
): Promise<SlotUnavailableError> {
  const alternatives = await alternativesFor(context, request).catch((error: unknown) => {
    context.logger.warn({ tenantId: request.tenant.id, error: classifyError(error).message }, 'could not look up alternative slots');
    return [];
  });
  return new SlotUnavailableError(
    `the slot at ${toZonedIso(request.slot.start, request.tenant.timeZone)} cannot be booked: ${request.reason}`,
    {
      alternatives,
      details: { reason: request.reason, calendarId: request.calendarId, start: request.slot.start.toISOString() },
      ...(request.cause === undefined ? {} : { cause: request.cause }),
    },
  );
}

/**
 * Alternatives to a refused slot. Concurrent refusals of the same slot (the losers of a contended
 * slot) share one look-up — one free/busy read and one appointment query instead of one each.
 */
function alternativesFor(context: BookingContext, request: SlotRequest): Promise<AvailableSlot[]> {
  const key = JSON.stringify([
    request.tenant.id,
    request.calendarId,
    request.slot.start.getTime(),
    request.slot.end.getTime(),
    request.ignore?.appointmentIds ?? [],
    (request.ignore?.intervals ?? []).map((interval) => [interval.start.getTime(), interval.end.getTime()]),
  ]);
  const running = context.alternativesInFlight.get(key);
  if (running !== undefined) return running;
  const lookup = lookUpAlternatives(context, request).finally(() => context.alternativesInFlight.delete(key));
  context.alternativesInFlight.set(key, lookup);
  return lookup;
}

async function lookUpAlternatives(context: BookingContext, request: SlotRequest): Promise<AvailableSlot[]> {
  const span = context.alternativesSearchDays * dayMs;
  // A request before the notice or past the horizon is searched from the nearest bookable edge.
  const bookable = bookableRange(request.tenant, context.clock.now());
  const center = Math.min(Math.max(request.slot.start.getTime(), bookable.start.getTime()), bookable.end.getTime());
  const slots = await loadFreeSlots(context, {
    tenant: request.tenant,
    calendarId: request.calendarId,
    from: new Date(center - span),
    to: new Date(center + span),
    durationMinutes: (request.slot.end.getTime() - request.slot.start.getTime()) / 60_000,
    ...(request.ignore === undefined ? {} : { ignore: request.ignore }),
  });
  return nearestSlots(slots, { start: request.slot.start }).map((slot) => describeSlot(slot, request.tenant));
}

/** A range of slot starts to list on one calendar. */
export interface FreeSlotsRequest {
  readonly tenant: Tenant;
  readonly calendarId: string;
  /** Clipped to the minimum notice. */
  readonly from?: Date;
  /** Clipped to the horizon. */
  readonly to?: Date;
  readonly durationMinutes: number;
  readonly ignore?: AvailabilityIgnore;
  readonly limit?: number;
}

/** Free slots (without local renderings) from the calendar's current free/busy and the stored appointments. */
export async function loadFreeSlots(context: BookingContext, request: FreeSlotsRequest): Promise<Interval[]> {
  const { tenant, calendarId } = request;
  const now = context.clock.now();
  const bookable = bookableRange(tenant, now);
  const from = Math.max(bookable.start.getTime(), request.from?.getTime() ?? -Infinity);
  const to = Math.min(bookable.end.getTime(), request.to?.getTime() ?? Infinity);
  if (to <= from) return [];
  const reach = tenant.booking.bufferBefore + tenant.booking.bufferAfter;
  const timeMin = new Date(from - reach);
  const timeMax = new Date(to + request.durationMinutes * 60_000 + reach);
  const [busy, appointments] = await Promise.all([
    context.calendarFor(tenant.id).freeBusy({ calendarId, timeMin, timeMax }),
    context.store.appointments.listInRange(tenant.id, calendarId, timeMin, timeMax),
  ]);
  return freeSlotIntervals({
    tenant,
    now,
    busy,
    appointments,
    durationMinutes: request.durationMinutes,
    from: new Date(from),
    to: new Date(to),
    ...(request.ignore === undefined ? {} : { ignore: request.ignore }),
    ...(request.limit === undefined ? {} : { limit: request.limit }),
  });
}

/** What work inside a booking transaction gets: the repositories and a way to defer effects past the commit. */
export interface UnitOfWork {
  readonly tx: Repositories;
  /** Runs `effect` once the transaction committed; never if it rolls back. */
  readonly afterCommit: (effect: () => void) => void;
}

/**
 * Runs `work` in one store transaction, then the effects it deferred (observers' domain events)
 * — only when the transaction committed. A transaction that lost an optimistic race (the lead
 * changed between the observers' read and their write — the CRM sync linking it, a message
 * arriving) is run again on the fresh state, its deferred effects discarded; the calendar event
 * made before it is idempotent, so the booking still ends with one. An effect that throws is
 * logged, not passed on: the change is committed by then.
 */
export async function transactionWithEffects<T>(context: BookingContext, work: (unit: UnitOfWork) => Promise<T>): Promise<T> {
  let effects: (() => void)[] = [];
  const result = await transactionWithRetry(context.store, (tx) => {
    const attempt: (() => void)[] = [];
    effects = attempt;
    return work({ tx, afterCommit: (effect) => void attempt.push(effect) });
  });
  runCommitted(
    context.logger,
    effects.map((run) => ({ run })),
  );
  return result;
}

/** Tells every observer, in order, inside the transaction `change` is persisted in. */
export async function notifyObservers(
  context: BookingContext,
  input: AppointmentChangeContext & { readonly change: AppointmentChange },
): Promise<void> {
  const { change, ...changeContext } = input;
  for (const observer of context.observers) await observer.onAppointmentChange(change, changeContext);
}

/** Queues, inside `tx`, the deletion of the cancelled appointment's event for the calendar outbox. */
export async function queueEventDeletion(
  context: BookingContext,
  input: { readonly tx: Repositories; readonly appointment: Appointment; readonly now: Date },
): Promise<void> {
  const { tx, appointment, now } = input;
  if (appointment.calendarEventId === null) return;
  await tx.outbox.append(
    eventDeletionEntry({
      tenantId: appointment.tenantId,
      appointmentId: appointment.id,
      calendarId: appointment.calendarId,
      eventId: appointment.calendarEventId,
      availableAt: new Date(now.getTime() + context.deletionFollowUpMs),
    }),
  );
}

/**
 * Deletes the event of an appointment already cancelled in the store (its deletion queued):
 * best effort — when it fails, the outbox worker does it later. `true` when the event is gone
 * now (deleted, already gone, or there was none).
 */
export async function deleteEventNow(context: BookingContext, appointment: Appointment): Promise<boolean> {
  if (appointment.calendarEventId === null) return true;
  try {
    await context
      .calendarFor(appointment.tenantId)
      .deleteEvent({ calendarId: appointment.calendarId, eventId: appointment.calendarEventId });
    return true;
  } catch (error) {
    context.logger.warn(
      { appointmentId: appointment.id, eventId: appointment.calendarEventId, error: classifyError(error).message },
      'could not delete the calendar event now; the calendar outbox will retry',
    );
    return false;
  }
}

/**
 * Undoes an event whose booking could not be persisted. When the calendar refuses even that,
 * the deletion goes to the outbox (and, should the store fail too, the consistency check will
 * report the event as an orphan).
 */
export async function compensateEvent(
  context: BookingContext,
  ref: CalendarEventRef & { readonly tenantId: string; readonly appointmentId: string },
): Promise<void> {
  try {
    await context.calendarFor(ref.tenantId).deleteEvent({ calendarId: ref.calendarId, eventId: ref.eventId });
  } catch (deleteError) {
    try {
      await context.store.outbox.append(eventDeletionEntry(ref));
      context.logger.warn(
        { appointmentId: ref.appointmentId, error: classifyError(deleteError).message },
        'could not delete the event of a failed booking; queued for the calendar outbox',
      );
    } catch (appendError) {
      context.logger.error(
        { appointmentId: ref.appointmentId, eventId: ref.eventId, error: classifyError(appendError).message },
        'could not delete nor queue the event of a failed booking: the consistency check will report it as an orphan',
      );
    }
  }
}

/** Emits domain events after commit; a throwing listener is logged, not passed to the caller. */
export function emitAfterCommit(context: BookingContext, events: readonly DeferredEvent[]): void {
  emitCommitted(context, events);
}
