/**
 * Half-open intervals `[start, end)` of instants, as availability needs them: merged, subtracted
 * and searched. Touching intervals (10:00–10:30, 10:30–11:00) do not overlap, so back-to-back
 * meetings are allowed.
 */
import type { Interval } from '../time/local-time.js';

/** True when `a` and `b` share at least one instant. */
export function intervalsOverlap(a: Interval, b: Interval): boolean {
  return a.start.getTime() < b.end.getTime() && b.start.getTime() < a.end.getTime();
}

/** `interval` widened by `before` milliseconds at its start and `after` at its end. */
export function padInterval(interval: Interval, padding: { readonly before: number; readonly after: number }): Interval {
  return { start: new Date(interval.start.getTime() - padding.before), end: new Date(interval.end.getTime() + padding.after) };
}

/**
 * Sorted, disjoint intervals covering exactly what `intervals` cover. Touching intervals merge
 * too: the result never has two intervals meeting at one instant. Empty intervals are dropped.
 */
export function mergeIntervals(intervals: readonly Interval[]): Interval[] {
  const sorted = intervals
    .map((interval) => ({ start: interval.start.getTime(), end: interval.end.getTime() }))
    .filter((interval) => interval.end > interval.start)
    .sort((a, b) => a.start - b.start || a.end - b.end);
  const merged: { start: number; end: number }[] = [];
  for (const interval of sorted) {
    const last = merged[merged.length - 1];
    if (last !== undefined && interval.start <= last.end) last.end = Math.max(last.end, interval.end);
    else merged.push({ ...interval });
  }
  return merged.map((interval) => ({ start: new Date(interval.start), end: new Date(interval.end) }));
}

/** What `from` covers and `remove` does not, as sorted, disjoint intervals. */
export function subtractIntervals(from: readonly Interval[], remove: readonly Interval[]): Interval[] {
  const holes = mergeIntervals(remove);
  const out: Interval[] = [];
  for (const interval of mergeIntervals(from)) {
    let cursor = interval.start.getTime();
    const end = interval.end.getTime();
    for (const hole of holes) {
      if (hole.end.getTime() <= cursor || hole.start.getTime() >= end) continue;
      if (hole.start.getTime() > cursor) out.push({ start: new Date(cursor), end: hole.start });
      cursor = Math.max(cursor, hole.end.getTime());
    }
    if (cursor < end) out.push({ start: new Date(cursor), end: new Date(end) });
  }
  return out;
}

/**
 * The first interval of `merged` (sorted and disjoint, as `mergeIntervals` returns them) that
 * overlaps `probe`, found by binary search.
 */
export function firstOverlap(merged: readonly Interval[], probe: Interval): Interval | undefined {
  // Disjoint and sorted by start means sorted by end as well: find the first that ends after the probe starts.
  let low = 0;
  let high = merged.length;
  const probeStart = probe.start.getTime();
  while (low < high) {
    const middle = (low + high) >>> 1;
    const candidate = merged[middle];
    if (candidate !== undefined && candidate.end.getTime() <= probeStart) low = middle + 1;
    else high = middle;
  }
  const found = merged[low];
  return found !== undefined && intervalsOverlap(found, probe) ? found : undefined;
}
