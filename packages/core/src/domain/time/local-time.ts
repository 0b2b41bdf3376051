/**
 * Conversions between UTC instants and wall-clock time in an IANA zone, on the Temporal API
 * (temporal-polyfill). Nothing here computes an offset by hand: non-existent local times (the
 * spring-forward gap) move forward, ambiguous ones (the fall-back overlap) take the earlier
 * instant — Temporal's `compatible` disambiguation, the same rule calendars apply.
 */
import { Temporal } from 'temporal-polyfill';

export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';
export const weekdays: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

/** A half-open interval of instants `[start, end)`. */
export interface Interval {
  readonly start: Date;
  readonly end: Date;
}

/** The instant at which the wall clock of `timeZone` shows `localDate` `localTime` (`24:00` = next midnight). */
export function zonedInstant(localDate: string, localTime: string, timeZone: string): Date {
  let date = Temporal.PlainDate.from(localDate);
  let time = localTime;
  if (localTime === '24:00') {
    date = date.add({ days: 1 });
    time = '00:00';
  }
  const zoned = date.toPlainDateTime(Temporal.PlainTime.from(time)).toZonedDateTime(timeZone, { disambiguation: 'compatible' });
  return new Date(zoned.epochMilliseconds);
}

/** Wall-clock parts of an instant in a zone. */
export interface LocalParts {
  /** `YYYY-MM-DD` */
  readonly date: string;
  /** `HH:MM` */
  readonly time: string;
  readonly weekday: Weekday;
  /** Minutes since local midnight. */
  readonly minuteOfDay: number;
  /** The UTC offset in force, such as `-03:00`. */
  readonly offset: string;
}

export function localParts(at: Date, timeZone: string): LocalParts {
  const zoned = Temporal.Instant.fromEpochMilliseconds(at.getTime()).toZonedDateTimeISO(timeZone);
  return {
    date: zoned.toPlainDate().toString(),
    time: `${pad(zoned.hour)}:${pad(zoned.minute)}`,
    weekday: weekdays[zoned.dayOfWeek - 1] ?? 'mon',
    minuteOfDay: zoned.hour * 60 + zoned.minute,
    offset: zoned.offset,
  };
}

/** `YYYY-MM-DD` of `localDate` plus `days` (negative allowed). */
export function addLocalDays(localDate: string, days: number): string {
  return Temporal.PlainDate.from(localDate).add({ days }).toString();
}

/** Weekday of a local date. */
export function weekdayOf(localDate: string): Weekday {
  return weekdays[Temporal.PlainDate.from(localDate).dayOfWeek - 1] ?? 'mon';
}

/** Whole days from `from` to `to` (local dates). */
export function daysBetween(from: string, to: string): number {
  return Temporal.PlainDate.from(from).until(Temporal.PlainDate.from(to), { largestUnit: 'days' }).days;
}

/** Minutes since midnight of an `HH:MM` string (`24:00` ⇒ 1440). */
export function minutesOf(localTime: string): number {
  const [hours = 0, minutes = 0] = localTime.split(':').map(Number);
  return hours * 60 + minutes;
}

/** ISO-8601 with the zone's offset, e.g. `2026-03-02T10:00:00-03:00`. */
export function toZonedIso(at: Date, timeZone: string): string {
  const zoned = Temporal.Instant.fromEpochMilliseconds(at.getTime()).toZonedDateTimeISO(timeZone);
  return zoned.toString({ timeZoneName: 'never', smallestUnit: 'second' });
}

export interface FormatLocalOptions {
  readonly locale?: string;
  /** `datetime` (default): date and time; `date`; `time`; `weekday-datetime`. */
  readonly style?: 'datetime' | 'date' | 'time' | 'weekday-datetime';
}

/** A human label of an instant in a zone and locale (`02/03/2026 10:00`, `Mon, Mar 2, 2026, 10:00 AM`). */
export function formatLocal(at: Date, timeZone: string, options: FormatLocalOptions = {}): string {
  return formatterFor(timeZone, options.locale ?? 'en', options.style ?? 'datetime').format(at);
}

// Building an `Intl.DateTimeFormat` costs far more than formatting with one (a month of
// 15-minute slots is thousands of labels): formatters are kept per zone, locale and style.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string, locale: string, style: NonNullable<FormatLocalOptions['style']>): Intl.DateTimeFormat {
  const key = `${timeZone}\u0000${locale}\u0000${style}`;
  const cached = formatters.get(key);
  if (cached) return cached;
  const parts: Intl.DateTimeFormatOptions = { timeZone };
  if (style !== 'time') Object.assign(parts, { year: 'numeric', month: '2-digit', day: '2-digit' });
  if (style === 'weekday-datetime') Object.assign(parts, { weekday: 'short', month: 'short', day: 'numeric' });
  if (style !== 'date') Object.assign(parts, { hour: '2-digit', minute: '2-digit' });
  const formatter = new Intl.DateTimeFormat(locale, parts);
  if (formatters.size >= 256) formatters.clear();
  formatters.set(key, formatter);
  return formatter;
}

function pad(value: number): string {
  return String(value).padStart(2, '0');
}
