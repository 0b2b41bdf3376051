/**
 * Booking's slot checks: a slot checked fresh against the calendar and the store, the refusal
 * with alternatives when it is taken, and the free slots of a range.
 */
import { SlotUnavailableError, classifyError } from '../../errors/index.js';
import type { Appointment } from '../model/appointment.js';
import type { Tenant } from '../model/tenant.js';
import { toZonedIso, type Interval } from '../time/local-time.js';
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
import { hasTimes } from './calendar-events.js';
import type { BookingContext } from './booking-context.js';

const dayMs = 24 * 3_600_000;

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
interface FreeSlotsRequest {
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
