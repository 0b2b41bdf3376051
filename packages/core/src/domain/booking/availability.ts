/**
 * Availability (SPEC §4.3), pure: the tenant's business-hours windows, minus the calendar's busy
 * intervals, minus existing `scheduled` appointments, with buffers, cut into slots of the tenant's
 * length, no earlier than the minimum notice and no later than the horizon.
 *
 * The rules, where the issue leaves room:
 * - Slots start on a grid of `booking.slotMinutes` anchored at each window's opening (09:00,
 *   09:30, …), and lie entirely inside one window. A slot may be longer than the grid step.
 * - Buffers belong to each meeting: a slot needs `bufferBefore` free before it and
 *   `bufferAfter` free after it, and existing appointments keep theirs — so two of our meetings
 *   are at least `bufferAfter + bufferBefore` apart whatever order they were booked in. Buffers
 *   may reach outside business hours (they separate meetings, they are not working time).
 * - Minimum notice: a slot starts at least `minimumNotice` after `now`.
 * - Horizon: a slot starts on or before the local date `today + horizonDays` in the tenant zone.
 * - Everything is computed on instants from `BusinessCalendar` windows, so DST days have the
 *   slots their wall clock has (no 02:30 on a spring-forward night, two 01:30s in autumn).
 */
import type { Appointment } from '../model/appointment.js';
import type { TenantConfig } from '../model/tenant.js';
import { BusinessCalendar } from '../time/business-calendar.js';
import { addLocalDays, formatLocal, localParts, toZonedIso, zonedInstant, type Interval } from '../time/local-time.js';
import { firstOverlap, mergeIntervals, padInterval, subtractIntervals } from './intervals.js';

const minuteMs = 60_000;

/** What availability reads of a tenant: its zone, locale, hours, holidays and booking settings. */
export type BookingTenant = Pick<TenantConfig, 'timeZone' | 'locale' | 'businessHours' | 'holidays' | 'booking'> & {
  readonly id?: string;
};

/** Busy time not to count: the appointment being moved and its calendar event. */
export interface AvailabilityIgnore {
  /** Appointments that do not block (the one a reschedule replaces). */
  readonly appointmentIds?: readonly string[];
  /** Time removed from the calendar's busy intervals (that appointment's event). */
  readonly intervals?: readonly Interval[];
}

/** The facts availability is computed from. */
export interface AvailabilityInput {
  readonly tenant: BookingTenant;
  readonly now: Date;
  /** The calendar's busy intervals (free/busy), in any order, possibly overlapping. */
  readonly busy: readonly Interval[];
  /** Stored appointments; only `scheduled` ones block, each padded by the buffers. */
  readonly appointments: readonly Pick<Appointment, 'id' | 'start' | 'end' | 'status'>[];
  readonly ignore?: AvailabilityIgnore;
  /** Length of the meeting; default `booking.slotMinutes`. */
  readonly durationMinutes?: number;
}

/** `availableSlots` input: the facts plus the range of slot starts wanted. */
export interface SlotsInput extends AvailabilityInput {
  /** Earliest slot start wanted (clipped to the minimum notice). */
  readonly from?: Date;
  /** Slots start before this (clipped to the horizon). */
  readonly to?: Date;
  /** At most this many slots, earliest first. */
  readonly limit?: number;
}

/** A bookable slot: UTC instants, and the same in the tenant's zone for people. */
export interface AvailableSlot {
  readonly start: Date;
  readonly end: Date;
  /** `2026-03-02T10:00:00-03:00`: the start with the tenant zone's offset. */
  readonly localStart: string;
  readonly localEnd: string;
  /** The start for a human in the tenant's locale, e.g. `seg., 2 de mar., 10:00`. */
  readonly localLabel: string;
}

/** Why a requested slot cannot be booked. */
export type SlotRefusal = 'before_minimum_notice' | 'beyond_horizon' | 'outside_business_hours' | 'busy';

/** The verdict of `checkSlot`; `conflict` is the busy time (buffers included) a `busy` slot hits. */
export type SlotCheck = { readonly ok: true } | { readonly ok: false; readonly reason: SlotRefusal; readonly conflict?: Interval };

/**
 * Slot starts allowed by notice and horizon: from `now + minimumNotice` to the local midnight
 * that ends the day `horizonDays` after today.
 */
export function bookableRange(tenant: BookingTenant, now: Date): Interval {
  const today = localParts(now, tenant.timeZone).date;
  return {
    start: new Date(now.getTime() + tenant.booking.minimumNotice),
    end: zonedInstant(addLocalDays(today, tenant.booking.horizonDays + 1), '00:00', tenant.timeZone),
  };
}

/** Every free slot whose start lies in the requested range, earliest first. */
export function availableSlots(input: SlotsInput): AvailableSlot[] {
  return freeSlotIntervals(input).map((slot) => describeSlot(slot, input.tenant));
}

/**
 * `availableSlots` without the local renderings, which cost far more than finding the slots:
 * for callers that keep only a few of them (the alternatives to a refused slot).
 */
export function freeSlotIntervals(input: SlotsInput): Interval[] {
  const bookable = bookableRange(input.tenant, input.now);
  const rangeStart = Math.max(bookable.start.getTime(), input.from?.getTime() ?? -Infinity);
  const rangeEnd = Math.min(bookable.end.getTime(), input.to?.getTime() ?? Infinity);
  const limit = input.limit ?? Infinity;
  if (rangeEnd <= rangeStart || limit <= 0) return [];
  const durationMs = durationOf(input);
  const stepMs = input.tenant.booking.slotMinutes * minuteMs;
  const blocked = blockedIntervals(input);
  const slots: Interval[] = [];
  for (const window of openWindows(input.tenant, new Date(rangeStart), new Date(rangeEnd + durationMs))) {
    const windowStart = window.start.getTime();
    const firstStep = Math.max(0, Math.ceil((rangeStart - windowStart) / stepMs));
    for (let start = windowStart + firstStep * stepMs; start < rangeEnd && start + durationMs <= window.end.getTime(); start += stepMs) {
      const slot = { start: new Date(start), end: new Date(start + durationMs) };
      if (firstOverlap(blocked, guardOf(slot, input.tenant)) !== undefined) continue;
      slots.push(slot);
      if (slots.length >= limit) return slots;
    }
  }
  return slots;
}

/**
 * Whether `slot` may be booked now: after the minimum notice, within the horizon, inside one
 * business-hours window, and free of busy time and other appointments (buffers included). A
 * slot need not lie on the grid `availableSlots` offers.
 */
export function checkSlot(input: AvailabilityInput & { readonly slot: Interval }): SlotCheck {
  const { slot, tenant } = input;
  const bookable = bookableRange(tenant, input.now);
  if (slot.start.getTime() < bookable.start.getTime()) return { ok: false, reason: 'before_minimum_notice' };
  if (slot.start.getTime() >= bookable.end.getTime()) return { ok: false, reason: 'beyond_horizon' };
  const inside = openWindows(tenant, slot.start, slot.end).some(
    (window) => window.start.getTime() <= slot.start.getTime() && slot.end.getTime() <= window.end.getTime(),
  );
  if (!inside) return { ok: false, reason: 'outside_business_hours' };
  const conflict = firstOverlap(blockedIntervals(input), guardOf(slot, tenant));
  return conflict === undefined ? { ok: true } : { ok: false, reason: 'busy', conflict };
}

/**
 * Up to `count` (default 3) slots nearest to the requested start, before or after it, nearest
 * first (the earlier of two equally near ones first).
 */
export function nearestSlots<Slot extends Interval>(
  slots: readonly Slot[],
  request: { readonly start: Date; readonly count?: number },
): Slot[] {
  const target = request.start.getTime();
  const count = request.count ?? 3;
  return [...slots]
    .sort((a, b) => Math.abs(a.start.getTime() - target) - Math.abs(b.start.getTime() - target) || a.start.getTime() - b.start.getTime())
    .slice(0, Math.max(0, count));
}

/** `interval` with its local renderings in the tenant's zone and locale. */
export function describeSlot(interval: Interval, tenant: Pick<BookingTenant, 'timeZone' | 'locale'>): AvailableSlot {
  return {
    start: new Date(interval.start.getTime()),
    end: new Date(interval.end.getTime()),
    localStart: toZonedIso(interval.start, tenant.timeZone),
    localEnd: toZonedIso(interval.end, tenant.timeZone),
    localLabel: formatLocal(interval.start, tenant.timeZone, { locale: tenant.locale, style: 'weekday-datetime' }),
  };
}

/** The meeting length in milliseconds. */
function durationOf(input: AvailabilityInput): number {
  return (input.durationMinutes ?? input.tenant.booking.slotMinutes) * minuteMs;
}

/** The buffers every meeting keeps free before and after it. */
export function buffersOf(tenant: BookingTenant): { readonly before: number; readonly after: number } {
  return { before: tenant.booking.bufferBefore, after: tenant.booking.bufferAfter };
}

/** A slot together with the buffers it needs free. */
function guardOf(slot: Interval, tenant: BookingTenant): Interval {
  return padInterval(slot, buffersOf(tenant));
}

/** Calendar busy time (minus what is ignored) and padded scheduled appointments, merged. */
function blockedIntervals(input: AvailabilityInput): Interval[] {
  const ignoredIds = new Set(input.ignore?.appointmentIds ?? []);
  const busy = subtractIntervals(input.busy, input.ignore?.intervals ?? []);
  const appointments = input.appointments
    .filter((appointment) => appointment.status === 'scheduled' && !ignoredIds.has(appointment.id))
    .map((appointment) => padInterval(appointment, buffersOf(input.tenant)));
  return mergeIntervals([...busy, ...appointments]);
}

/**
 * The open windows around `[from, to)`, merged across midnight, whole rather than clipped to the
 * range (so that the slot grid stays anchored at the opening time) — except at the local
 * midnights a day beyond either end, where an always-open calendar has to be cut somewhere.
 */
function openWindows(tenant: BookingTenant, from: Date, to: Date): Interval[] {
  const calendar = BusinessCalendar.fromTenant({
    ...(tenant.id === undefined ? {} : { id: tenant.id }),
    timeZone: tenant.timeZone,
    businessHours: tenant.businessHours,
    holidays: tenant.holidays,
  });
  const first = addLocalDays(localParts(from, tenant.timeZone).date, -1);
  const last = addLocalDays(localParts(to, tenant.timeZone).date, 2);
  return calendar
    .windows(zonedInstant(first, '00:00', tenant.timeZone), zonedInstant(last, '00:00', tenant.timeZone))
    .filter((window) => window.end.getTime() > from.getTime() && window.start.getTime() < to.getTime());
}
