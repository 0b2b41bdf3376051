/** Half-open intervals `[start, end)`: touching intervals (10:00–10:30, 10:30–11:00) do not overlap. */
export function overlaps(a: { readonly start: Date; readonly end: Date }, b: { readonly start: Date; readonly end: Date }): boolean {
  return a.start.getTime() < b.end.getTime() && b.start.getTime() < a.end.getTime();
}
