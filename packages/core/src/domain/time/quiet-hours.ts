/**
 * Quiet hours: a daily local period in which reminders are not sent (SPEC §4.2 rule 7).
 * `['22:00', '08:00']` wraps midnight; `null` means none.
 */
import { addLocalDays, localParts, minutesOf, zonedInstant, type Interval } from './local-time.js';

export type QuietHours = readonly [start: string, end: string];

/** The quiet period containing `at`, or `undefined` when `at` is not in quiet hours. */
export function quietPeriodAt(at: Date, quietHours: QuietHours | null | undefined, timeZone: string): Interval | undefined {
  if (!quietHours) return undefined;
  const [start, end] = quietHours;
  if (start === end) return undefined;
  const wraps = minutesOf(end) < minutesOf(start);
  const today = localParts(at, timeZone).date;
  for (const offset of [-1, 0]) {
    const date = addLocalDays(today, offset);
    const period = {
      start: zonedInstant(date, start, timeZone),
      end: zonedInstant(wraps ? addLocalDays(date, 1) : date, end, timeZone),
    };
    if (period.start <= at && at < period.end) return period;
  }
  return undefined;
}

/** True when `at` is in quiet hours. */
export function isQuiet(at: Date, quietHours: QuietHours | null | undefined, timeZone: string): boolean {
  return quietPeriodAt(at, quietHours, timeZone) !== undefined;
}
