/**
 * Business hours and holidays of a tenant, in its IANA zone (SPEC §3 BusinessHours).
 *
 * Windows are half-open `[open, close)` in local wall-clock time; `24:00` closes at the next
 * midnight, and windows that touch (a day ending at 24:00 and the next starting at 00:00) merge.
 * A calendar with no hours configured is **always open** — an explicit fallback, logged once per
 * calendar name. A configuration that never opens is a `ValidationError`, not an endless search.
 */
import { ValidationError } from '../../errors/index.js';
import { noopLogger, type Logger } from '../../ports/logger/logger.js';
import { addLocalDays, localParts, minutesOf, weekdayOf, zonedInstant, type Interval, type Weekday } from './local-time.js';

/** Per weekday, a list of `[open, close]` local times, e.g. `{ mon: [['09:00','12:00'],['13:00','18:00']] }`. */
export type WeeklyHours = { readonly [Day in Weekday]?: ReadonlyArray<readonly [string, string]> | undefined };

export interface BusinessCalendarConfig {
  readonly timeZone: string;
  /** `null`/`undefined` ⇒ always open. A missing weekday ⇒ closed that day. */
  readonly hours?: WeeklyHours | null | undefined;
  /** Local dates (`YYYY-MM-DD`) on which the business is closed all day. */
  readonly holidays?: readonly string[] | undefined;
}

export interface BusinessCalendarOptions {
  /** Identifies the calendar (usually the tenant id) in the one-time fallback log line. */
  readonly name?: string;
  readonly logger?: Logger;
}

const searchHorizonDays = 400;
const warnedAlwaysOpen = new Set<string>();

export class BusinessCalendar {
  readonly timeZone: string;
  /** `false` when no hours were configured: the calendar is then always open. */
  readonly configured: boolean;
  private readonly hours: WeeklyHours;
  private readonly holidays: ReadonlySet<string>;
  private readonly dayCache = new Map<string, Interval[]>();

  constructor(config: BusinessCalendarConfig, options: BusinessCalendarOptions = {}) {
    this.timeZone = config.timeZone;
    this.configured = config.hours !== null && config.hours !== undefined;
    this.hours = config.hours ?? {};
    this.holidays = new Set(config.holidays ?? []);
    validateHours(this.hours);
    const name = options.name ?? config.timeZone;
    if (!this.configured && !warnedAlwaysOpen.has(name)) {
      warnedAlwaysOpen.add(name);
      (options.logger ?? noopLogger).info({ calendar: name }, 'business hours not configured: treating the business as always open');
    }
  }

  /** The calendar of a tenant (or any configuration with the same three fields). */
  static fromTenant(
    tenant: {
      readonly id?: string;
      readonly timeZone: string;
      readonly businessHours: WeeklyHours | null;
      readonly holidays: readonly string[];
    },
    options: Omit<BusinessCalendarOptions, 'name'> = {},
  ): BusinessCalendar {
    return new BusinessCalendar(
      { timeZone: tenant.timeZone, hours: tenant.businessHours, holidays: tenant.holidays },
      { ...options, name: tenant.id ?? tenant.timeZone },
    );
  }

  /** True when `localDate` is a configured holiday. */
  isHoliday(localDate: string): boolean {
    return this.holidays.has(localDate);
  }

  /** True when `at` falls inside an open window. */
  isOpen(at: Date): boolean {
    if (!this.configured) return true;
    const date = localParts(at, this.timeZone).date;
    return [...this.windowsOn(addLocalDays(date, -1)), ...this.windowsOn(date)].some((window) => window.start <= at && at < window.end);
  }

  /** `at` itself when open, otherwise the start of the next open window. */
  nextOpening(at: Date): Date {
    if (!this.configured) return new Date(at.getTime());
    const startDate = localParts(at, this.timeZone).date;
    for (let offset = -1; offset <= searchHorizonDays; offset += 1) {
      for (const window of this.windowsOn(addLocalDays(startDate, offset))) {
        if (window.end > at) return window.start > at ? window.start : new Date(at.getTime());
      }
    }
    throw ValidationError.forField('businessHours', `no open window within ${searchHorizonDays} days of ${at.toISOString()}`);
  }

  /**
   * The latest instant at or before `at` at which the business closed (an open window ended
   * and no other began at that moment); `undefined` when always open or nothing closed in the
   * searched past.
   */
  previousClosing(at: Date): Date | undefined {
    if (!this.configured) return undefined;
    const startDate = localParts(at, this.timeZone).date;
    for (let offset = 1; offset >= -searchHorizonDays; offset -= 1) {
      const date = addLocalDays(startDate, offset);
      const windows = this.windowsOn(date);
      for (let index = windows.length - 1; index >= 0; index -= 1) {
        const window = windows[index];
        if (!window || window.end > at) continue;
        // A closing is an end at which the business is not open: another window of the same
        // day or of the next one may start exactly then (or overlap it) and continue it.
        if (!this.isOpen(window.end)) return window.end;
      }
    }
    return undefined;
  }

  /** Open windows intersecting `[from, to)`, clipped to it, in time order. */
  windows(from: Date, to: Date): Interval[] {
    if (to <= from) return [];
    if (!this.configured) return [{ start: new Date(from.getTime()), end: new Date(to.getTime()) }];
    const out: Interval[] = [];
    const lastDate = localParts(to, this.timeZone).date;
    for (let date = addLocalDays(localParts(from, this.timeZone).date, -1); date <= lastDate; date = addLocalDays(date, 1)) {
      for (const window of this.windowsOn(date)) {
        if (window.end <= from || window.start >= to) continue;
        const start = window.start < from ? from : window.start;
        const end = window.end > to ? to : window.end;
        const previous = out[out.length - 1];
        if (previous && previous.end.getTime() >= start.getTime()) {
          out[out.length - 1] = { start: previous.start, end: end > previous.end ? end : previous.end };
        } else {
          out.push({ start: new Date(start.getTime()), end: new Date(end.getTime()) });
        }
      }
    }
    return out;
  }

  /** The open windows of one local date (before merging across midnight). */
  windowsOn(localDate: string): Interval[] {
    if (!this.configured)
      return [{ start: zonedInstant(localDate, '00:00', this.timeZone), end: zonedInstant(localDate, '24:00', this.timeZone) }];
    const cached = this.dayCache.get(localDate);
    if (cached) return cached;
    const windows: Interval[] = this.isHoliday(localDate)
      ? []
      : [...(this.hours[weekdayOf(localDate)] ?? [])]
          .map(([open, close]) => ({
            start: zonedInstant(localDate, open, this.timeZone),
            end: zonedInstant(localDate, close, this.timeZone),
          }))
          .filter((window) => window.end > window.start)
          .sort((a, b) => a.start.getTime() - b.start.getTime());
    if (this.dayCache.size > 1024) this.dayCache.clear();
    this.dayCache.set(localDate, windows);
    return windows;
  }
}

const localTimePattern = /^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$/;

function validateHours(hours: WeeklyHours): void {
  for (const [day, windows] of Object.entries(hours)) {
    for (const [index, window] of (windows ?? []).entries()) {
      const [open, close] = window;
      // Checked here so that a typo fails at configuration time, not as a RangeError on first use.
      if (!localTimePattern.test(open) || !localTimePattern.test(close)) {
        throw ValidationError.forField(`businessHours.${day}.${index}`, 'must be two times of day in the form HH:MM (00:00 to 24:00)');
      }
      if (minutesOf(close) <= minutesOf(open)) {
        throw ValidationError.forField(`businessHours.${day}.${index}`, `closes (${close}) at or before it opens (${open})`);
      }
    }
  }
}
