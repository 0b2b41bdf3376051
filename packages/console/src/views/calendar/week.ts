/** Days of a week in the tenant's time zone, for the calendar. */

const dayMs = 24 * 3_600_000;

/** The instant of the local midnight that starts the day of `instant` in `timeZone`. */
export function startOfLocalDay(instant: Date, timeZone: string): Date {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone, hour: 'numeric', minute: 'numeric', second: 'numeric', hourCycle: 'h23' })
    .formatToParts(instant)
    .reduce<Record<string, number>>((found, part) => (part.type === 'literal' ? found : { ...found, [part.type]: Number(part.value) }), {});
  const sinceMidnightMs = (((parts['hour'] ?? 0) * 60 + (parts['minute'] ?? 0)) * 60 + (parts['second'] ?? 0)) * 1000;
  return new Date(instant.getTime() - sinceMidnightMs - (instant.getTime() % 1000));
}

/** Seven consecutive local days from the day of `from`, each as its start and end instants. */
export function weekFrom(from: Date, timeZone: string): { readonly start: Date; readonly end: Date }[] {
  const first = startOfLocalDay(from, timeZone);
  return Array.from({ length: 7 }, (_, index) => {
    // Re-anchored each day, so that a DST change within the week keeps days on local midnights.
    const start = startOfLocalDay(new Date(first.getTime() + index * dayMs + 12 * 3_600_000), timeZone);
    const end = startOfLocalDay(new Date(start.getTime() + dayMs + 12 * 3_600_000), timeZone);
    return { start, end };
  });
}

/** A week later (`weeks` may be negative). */
export function shiftWeeks(from: Date, weeks: number): Date {
  return new Date(from.getTime() + weeks * 7 * dayMs);
}
