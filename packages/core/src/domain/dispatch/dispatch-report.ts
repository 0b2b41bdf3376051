/** What one dispatcher pass did, counted per outcome. */
export interface DispatchRunReport {
  /** Rows claimed by the pass. */
  readonly claimed: number;
  /** Messages accepted by the channel, their rows now `sent`. */
  readonly sent: number;
  /** `perform` decisions carried out (no message), their rows now `sent`, meaning "done". */
  readonly performed: number;
  readonly skipped: number;
  /** Back to `pending` without an attempt: handler deferral, business hours, channel down, stop. */
  readonly deferred: number;
  /** Transient failures, back to `pending` at a later `dueAt`. */
  readonly retried: number;
  /** Rows that failed for good (permanent failure or attempts exhausted). */
  readonly failed: number;
  /** Rows whose expired lease stuck recovery returned to `pending` during the pass. */
  readonly recovered: number;
}

/** The counters a pass fills in while it runs. */
export type DispatchRunCounters = { -readonly [Key in keyof DispatchRunReport]: number };

/** Counters at zero. */
export function emptyRunCounters(): DispatchRunCounters {
  return { claimed: 0, sent: 0, performed: 0, skipped: 0, deferred: 0, retried: 0, failed: 0, recovered: 0 };
}
