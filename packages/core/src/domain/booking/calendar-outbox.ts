/**
 * Calendar work that must happen eventually: deleting the event of an appointment that was
 * cancelled or moved. The entry is written in the same transaction as the cancellation, so a
 * crash, a calendar outage or a lost answer can delay the deletion but never forget it — a
 * moved meeting is never left double-booked silently. Deleting is idempotent (an event already
 * gone counts as deleted), so the worker may repeat what the service already did.
 */
import { z } from 'zod';
import { AbortedError, ValidationError, classifyError } from '../../errors/index.js';
import type { CallOptions } from '../../ports/call-options.js';
import type { CalendarPort } from '../../ports/calendar/calendar-port.js';
import type { Clock } from '../../ports/clock/clock.js';
import { noopLogger, type Logger } from '../../ports/logger/logger.js';
import type { Store } from '../../ports/repositories/repositories.js';
import type { NewOutboxEntryInput, OutboxEntry } from '../model/outbox.js';
import type { StoredError } from '../model/scheduled-message.js';
import { parseOrThrow } from '../model/parse.js';
import { decideRetry, type RetryPolicy } from '../retry/retry-policy.js';
import { createPassLoop, type PassLoop, type PassLoopStopOptions } from '../workers/pass-loop.js';

/** Outbox `type` of an event deletion. */
export const deleteEventOutboxType = 'appointment.delete_event';

const deleteEventPayloadSchema = z.object({ calendarId: z.string().min(1), eventId: z.string().min(1) });

/** The outbox entry that deletes an appointment's calendar event. */
export function eventDeletionEntry(input: {
  readonly tenantId: string;
  readonly appointmentId: string;
  readonly calendarId: string;
  readonly eventId: string;
  /** When the worker may first try (the service tries right away itself). */
  readonly availableAt?: Date;
}): NewOutboxEntryInput {
  return {
    tenantId: input.tenantId,
    topic: 'calendar',
    aggregateType: 'appointment',
    aggregateId: input.appointmentId,
    type: deleteEventOutboxType,
    payload: { calendarId: input.calendarId, eventId: input.eventId },
    ...(input.availableAt === undefined ? {} : { availableAt: input.availableAt }),
  };
}

/** Options of `processCalendarOutbox` and `CalendarOutboxWorker`. */
export interface CalendarOutboxOptions {
  readonly store: Store;
  /** The calendar the deletions go to: one port, or the tenant's own by tenant id. */
  readonly calendar: CalendarPort | ((tenantId: string) => CalendarPort);
  readonly clock: Clock;
  /** Identifies this worker in the entries it holds. */
  readonly workerId: string;
  /** How long a claim is held before another worker may take the entries over (default 60 s). */
  readonly leaseMs?: number;
  /** Aggregates (appointments) claimed per run (default 50). */
  readonly maxAggregates?: number;
  /** Backoff between attempts; default: 30 s doubling up to 1 h, with no limit on attempts. */
  readonly retryPolicy?: RetryPolicy;
  readonly random?: () => number;
  readonly logger?: Logger;
}

/** What one run did. */
export interface CalendarOutboxRun {
  readonly claimed: number;
  readonly completed: number;
  /** Failed and scheduled for another attempt. */
  readonly retried: number;
  /** Failed for good (permanent error, or out of attempts). */
  readonly dead: number;
}

/**
 * Transient failures are retried until the event is gone (SPEC §4.3: a moved meeting is never
 * left double-booked silently), at most hourly once the backoff has grown; a stuck entry shows
 * as outbox lag. Permanent failures end in `dead` and are logged as errors — the consistency
 * check then reports the event as an orphan.
 */
const defaultCalendarRetryPolicy: RetryPolicy = Object.freeze({
  maxAttempts: Number.POSITIVE_INFINITY,
  baseDelayMs: 30_000,
  maxDelayMs: 3_600_000,
  factor: 2,
});

/**
 * Claims available `calendar` entries and applies them, per appointment in order. A failure
 * retries the entry with backoff (`decideRetry`) — the entries after it, of the same
 * appointment, wait with it — or, when permanent or out of attempts, marks it dead.
 *
 * `signal` (the worker's stop) is passed to the calendar: once it aborts, the entry in flight and
 * every entry not applied yet are released — available again at once, code `stopped`.
 */
export async function processCalendarOutbox(options: CalendarOutboxOptions & CallOptions): Promise<CalendarOutboxRun> {
  const now = options.clock.now();
  const entries = await options.store.outbox.claim({
    topic: 'calendar',
    now,
    workerId: options.workerId,
    leaseMs: options.leaseMs ?? 60_000,
    maxAggregates: options.maxAggregates ?? 50,
  });
  const counts = { claimed: entries.length, completed: 0, retried: 0, dead: 0 };
  const groups = byAggregate(entries);
  for (const [groupIndex, group] of groups.entries()) {
    for (const [index, entry] of group.entries()) {
      if (options.signal?.aborted === true) {
        counts.retried += await releaseStopped(
          options,
          [...group.slice(index), ...groups.slice(groupIndex + 1).flat()],
          options.signal.reason,
        );
        return counts;
      }
      try {
        await applyEntry(calendarResolver(options.calendar)(entry.tenantId), entry, options);
        counts.completed += await options.store.outbox.complete({ ids: [entry.id], workerId: options.workerId, now: options.clock.now() });
      } catch (error) {
        if (AbortedError.isInstance(error)) {
          counts.retried += await releaseStopped(options, [...group.slice(index), ...groups.slice(groupIndex + 1).flat()], error);
          return counts;
        }
        const decision = decideRetry({
          error,
          attemptsMade: entry.attempts + 1,
          policy: options.retryPolicy ?? defaultCalendarRetryPolicy,
          ...(options.random === undefined ? {} : { random: options.random }),
        });
        const failedAt = options.clock.now();
        const retryAt = decision.retry ? new Date(failedAt.getTime() + decision.delayMs) : null;
        const stored = storedErrorOf(error, failedAt);
        const waiting = group.slice(index).map((pending) => pending.id);
        const failed = await options.store.outbox.fail({ ids: waiting, workerId: options.workerId, now: failedAt, error: stored, retryAt });
        if (retryAt === null) counts.dead += failed;
        else counts.retried += failed;
        (options.logger ?? noopLogger)[retryAt === null ? 'error' : 'warn'](
          { outboxEntryId: entry.id, appointmentId: entry.aggregateId, attempts: entry.attempts + 1, error: stored.message },
          retryAt === null ? 'calendar outbox entry failed for good' : 'calendar outbox entry failed; it will be retried',
        );
        break;
      }
    }
  }
  return counts;
}

/** The worker is stopping: `entries` are available again at once, for this worker or another. */
async function releaseStopped(options: CalendarOutboxOptions, entries: readonly OutboxEntry[], reason: unknown): Promise<number> {
  if (entries.length === 0) return 0;
  const now = options.clock.now();
  const error: StoredError = { ...storedErrorOf(reason, now), code: 'stopped', transient: true };
  return options.store.outbox.fail({ ids: entries.map((entry) => entry.id), workerId: options.workerId, now, error, retryAt: now });
}

/** Runs one entry; unknown types and malformed payloads are permanent failures. */
async function applyEntry(calendar: CalendarPort, entry: OutboxEntry, options: CallOptions): Promise<void> {
  if (entry.type !== deleteEventOutboxType) {
    throw ValidationError.forField('type', `unknown calendar outbox entry type "${entry.type}"`);
  }
  const payload = parseOrThrow(deleteEventPayloadSchema, entry.payload, 'payload');
  // `deleted: false` (already gone) is as good as deleted.
  await calendar.deleteEvent(payload, options.signal === undefined ? {} : { signal: options.signal });
}

function byAggregate(entries: readonly OutboxEntry[]): OutboxEntry[][] {
  const groups = new Map<string, OutboxEntry[]>();
  for (const entry of [...entries].sort((a, b) => a.sequence - b.sequence)) {
    const key = `${entry.tenantId}\u0000${entry.aggregateType}\u0000${entry.aggregateId}`;
    groups.set(key, [...(groups.get(key) ?? []), entry]);
  }
  return [...groups.values()];
}

function storedErrorOf(error: unknown, at: Date): StoredError {
  const classification = classifyError(error);
  return { code: classification.code, message: classification.message.slice(0, 2000), transient: classification.transient, at };
}

/**
 * Runs `processCalendarOutbox` in a loop: recovers entries whose worker died, processes a batch,
 * and sleeps `intervalMs` on the clock when there was nothing left to do.
 */
export class CalendarOutboxWorker {
  private readonly options: CalendarOutboxOptions;
  private readonly loop: PassLoop<CalendarOutboxRun>;

  constructor(options: CalendarOutboxOptions & { readonly intervalMs?: number }) {
    this.options = options;
    this.loop = createPassLoop<CalendarOutboxRun>({
      name: 'calendar outbox',
      clock: options.clock,
      intervalMs: options.intervalMs ?? 5_000,
      pass: ({ signal }) => this.pass(signal),
      // A batch that went through completely may have left more behind: go again at once.
      more: (run) => run.claimed > 0 && run.claimed === run.completed,
      ...(options.logger === undefined ? {} : { logger: options.logger }),
      logFields: { workerId: options.workerId },
    });
  }

  /** When a pass last completed (loop or `runOnce`): a heartbeat for health checks and alerts; `null` before the first. */
  get lastHeartbeatAt(): Date | null {
    return this.loop.lastHeartbeatAt;
  }

  /** One pass: stuck entries recovered, then one batch processed (released when `stop` interrupts it). */
  runOnce(): Promise<CalendarOutboxRun> {
    return this.loop.runOnce();
  }

  /** Starts the loop (once); `stop` ends it. */
  start(): void {
    this.loop.start();
  }

  /**
   * Stops the loop: the calendar call in flight is aborted and the entries of the batch not yet
   * applied are released (available again at once). Resolves when the loop has exited, or when
   * `deadlineMs` (default 30 s, on the clock) has passed.
   */
  async stop(options?: PassLoopStopOptions): Promise<void> {
    if (!this.loop.running) return;
    await this.loop.stop(options);
  }

  private async pass(signal: AbortSignal): Promise<CalendarOutboxRun> {
    await this.options.store.outbox.recoverStuck({ now: this.options.clock.now() });
    return processCalendarOutbox({ ...this.options, signal });
  }
}

/** One calendar for every tenant, or the tenant's own: as a function of the tenant id. */
export function calendarResolver(calendar: CalendarPort | ((tenantId: string) => CalendarPort)): (tenantId: string) => CalendarPort {
  return typeof calendar === 'function' ? calendar : () => calendar;
}
