/**
 * The dispatcher (SPEC §4.6): the one worker that sends every scheduled message — follow-ups,
 * reminders, billing steps — through the handlers registered for their kinds.
 *
 * A pass claims up to `batchSize` due rows of the handled kinds — with pacing on, only what the
 * pacing sends within `claimHorizonMs`, so that a crashed process strands few claims — and
 * processes them concurrently:
 * rows of different channel instances never wait on each other, rows of one instance are paced.
 * Each row is re-validated by its handler just before the send (and again after a pacing wait),
 * held back outside business hours or while its channel instance is down (no attempt counted),
 * retried with backoff on transient failures and failed at once on permanent ones. Leases are
 * extended while the pass runs; expired ones are recovered at start and periodically.
 *
 * **Virtual time.** Everything waits on the `Clock`: pacing gaps, heartbeats, the idle poll and
 * the stop deadline. On a `VirtualClock` a pass that has to wait (two messages on one instance
 * with pacing on) stays pending until the clock is advanced, so a driver starts `runOnce()`
 * without awaiting it, advances the clock (e.g. to `clock.nextTimerAt()` repeatedly), then
 * awaits it. With `pacing: false` a pass over a responsive channel never waits on the clock.
 */
import { noopLogger } from '../../ports/logger/logger.js';
import type { Tenant } from '../model/tenant.js';
import { BusinessCalendar } from '../time/business-calendar.js';
import { createChannelHealthGate } from './channel-health-gate.js';
import { emptyRunCounters, type DispatchRunReport } from './dispatch-report.js';
import { resolveDispatcherSettings, type DispatcherOptions } from './dispatcher-options.js';
import { describeError } from './emit-safely.js';
import { createInstancePacer } from './instance-pacer.js';
import { startLeaseKeeper } from './lease-keeper.js';
import { createPassLoop, type PassSignals } from '../workers/pass-loop.js';
import { processClaimedMessage, type DispatchDependencies, type DispatchPass } from './process-claimed-message.js';

/** The running dispatcher. */
export interface Dispatcher {
  /** The `lockedBy` of this dispatcher's claims. */
  readonly workerId: string;
  /**
   * One pass: stuck recovery when it is due (on the first pass, then every
   * `stuckRecoveryIntervalMs`), then claim up to the claim limit (`batchSize`, or with pacing
   * what it sends within `claimHorizonMs`) of due rows of the handled kinds,
   * process each, report. Throws only when the claim itself fails (the store is down).
   */
  runOnce(): Promise<DispatchRunReport>;
  /** Returns `sending` rows whose lease expired to `pending`; returns how many (also done by the passes). */
  recoverStuck(): Promise<number>;
  /**
   * Starts the background loop: stuck recovery on its first pass, then `runOnce` repeatedly,
   * sleeping `pollIntervalMs` after a pass that claimed less than its claim limit. A failed pass is
   * logged and the loop goes on. Does nothing when the loop already runs.
   */
  start(): void;
  /**
   * Graceful stop: no more claims; rows not yet sent go back to `pending`, due now, without
   * counting an attempt; sends (and `perform`s) already in flight may finish within `deadlineMs`
   * (default 30 s, on the clock). Sends still in flight at the deadline are aborted (the port's
   * call signal) and abandoned: whether the provider took them is unknown, so their rows stay
   * `sending` until the lease expires and stuck recovery returns them (the idempotency key lets a
   * deduplicating provider drop the repeat). Resolves when the loop and every pass have exited;
   * the dispatcher can then be started (or run) again.
   */
  stop(options?: { readonly deadlineMs?: number }): Promise<void>;
  /** When a pass last completed (loop or `runOnce`): a heartbeat for health checks and alerts; `null` before the first. */
  readonly lastHeartbeatAt: Date | null;
}

/** Creates a dispatcher; bad options (two handlers for one kind, a zero lease, …) are a `ValidationError`. */
export function createDispatcher(options: DispatcherOptions): Dispatcher {
  const settings = resolveDispatcherSettings(options);
  const { store, clock, messaging } = options;
  const { workerId } = settings;
  const logger = options.logger ?? noopLogger;
  const random = options.random ?? Math.random;
  const events = options.events;
  const kinds = [...settings.handlers.keys()];
  const deps: DispatchDependencies = {
    store,
    messagingFor: typeof messaging === 'function' ? messaging : () => messaging,
    clock,
    settings,
    gate: createChannelHealthGate({ messaging, store, clock, settings: settings.channelHealth, events, logger }),
    pacer: createInstancePacer({ clock, pacing: settings.pacing, random }),
    events,
    logger,
    random,
  };

  let lastRecoveryAt: number | null = null;

  const recoverStuck = async (): Promise<number> => {
    const now = clock.now();
    const recovered = await store.scheduledMessages.recoverStuck({ now });
    lastRecoveryAt = now.getTime();
    if (recovered.length > 0) {
      logger.warn(
        { workerId, recovered: recovered.length, ids: recovered.map((row) => row.id) },
        'recovered scheduled messages whose lease expired',
      );
    }
    return recovered.length;
  };

  const openPass = (
    signals: { readonly stopping: AbortSignal; readonly abandon: AbortSignal },
    leases: DispatchPass['leases'],
    counters: DispatchPass['counters'],
  ): DispatchPass => {
    const tenants = new Map<string, Promise<Tenant | null>>();
    const calendars = new Map<string, BusinessCalendar>();
    return {
      ...signals,
      leases,
      counters,
      tenant: (tenantId) => {
        let tenant = tenants.get(tenantId);
        if (tenant === undefined) {
          tenant = store.tenants.get(tenantId);
          tenants.set(tenantId, tenant);
        }
        return tenant;
      },
      calendar: (tenant) => {
        let calendar = calendars.get(tenant.id);
        if (calendar === undefined) {
          calendar = BusinessCalendar.fromTenant(tenant, { logger });
          calendars.set(tenant.id, calendar);
        }
        return calendar;
      },
    };
  };

  // `signal` aborts when a stop begins; `abandon` when its deadline passes: sends in flight are
  // aborted and the pass stops waiting for them.
  const runPass = async ({ signal, abandon }: PassSignals): Promise<DispatchRunReport> => {
    const counters = emptyRunCounters();
    if (signal.aborted) return { ...counters };
    if (lastRecoveryAt === null || clock.now().getTime() - lastRecoveryAt >= settings.stuckRecoveryIntervalMs) {
      try {
        counters.recovered = await recoverStuck();
      } catch (error) {
        logger.error({ workerId, error: describeError(error) }, 'stuck recovery failed; the next pass tries again');
      }
    }
    // Recovery took time: a stop that arrived meanwhile must not be followed by a claim.
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- TypeScript keeps the narrowing from the check above across the await
    if (signal.aborted) return { ...counters };
    const claimed = await store.scheduledMessages.claimDue({
      now: clock.now(),
      limit: settings.claimLimit,
      workerId,
      leaseMs: settings.leaseMs,
      kinds,
    });
    counters.claimed = claimed.length;
    if (claimed.length > 0) {
      const leases = startLeaseKeeper({
        scheduler: store.scheduledMessages,
        clock,
        workerId,
        leaseMs: settings.leaseMs,
        rows: claimed,
        logger,
      });
      const pass = openPass({ stopping: signal, abandon }, leases, counters);
      let unsettled = claimed.length;
      const work = Promise.all(
        claimed.map(async (row) => {
          await processClaimedMessage(row, pass, deps);
          leases.release(row.id);
          unsettled -= 1;
        }),
      );
      // The listener lives as long as the batch: `abandon` outlives every pass of the loop, and a
      // listener added per pass and never removed would pile up for as long as the process runs.
      let onAbandon = (): void => undefined;
      const abandoned = new Promise<void>((resolve) => {
        onAbandon = resolve;
        if (abandon.aborted) resolve();
        else abandon.addEventListener('abort', onAbandon, { once: true });
      });
      try {
        await Promise.race([work, abandoned]);
      } finally {
        abandon.removeEventListener('abort', onAbandon);
        leases.stop();
      }
      if (unsettled > 0)
        logger.warn({ workerId, unsettled }, 'stop deadline passed with sends in flight: aborted; stuck recovery will return their rows');
    }
    return { ...counters };
  };

  const loop = createPassLoop<DispatchRunReport>({
    name: 'dispatcher',
    clock,
    pass: runPass,
    intervalMs: settings.pollIntervalMs,
    more: (report) => report.claimed >= settings.claimLimit,
    logger,
    logFields: { workerId },
  });

  return {
    workerId,
    runOnce: () => loop.runOnce(),
    recoverStuck,
    start: () => {
      if (loop.running) return;
      const lastRecovery = lastRecoveryAt;
      // The loop's first pass recovers stuck rows, whatever earlier `runOnce` calls did.
      lastRecoveryAt = null;
      try {
        loop.start();
      } catch (error) {
        lastRecoveryAt = lastRecovery;
        throw error;
      }
    },
    stop: (stopOptions) => loop.stop(stopOptions),
    get lastHeartbeatAt() {
      return loop.lastHeartbeatAt;
    },
  };
}
