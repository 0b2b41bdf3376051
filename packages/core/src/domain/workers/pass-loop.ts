/**
 * The one lifecycle of every background worker (the dispatcher, the CRM sync, the calendar
 * outbox, the hosts' periodic jobs and the adapters' inbox and delivery workers): passes run
 * back to back while they find more work, `intervalMs` apart otherwise (plus jitter, growing
 * while idle when asked to), until stopped; a failed pass is logged and the loop goes on; every
 * completed pass reports a heartbeat with what it did; a stop lets the pass in flight finish
 * within a deadline, then abandons it.
 */
import { ConflictError, ValidationError } from '../../errors/index.js';
import type { Clock } from '../../ports/clock/clock.js';
import { noopLogger, type Logger } from '../../ports/logger/logger.js';
import { describeError } from '../events/after-commit.js';

/** The signals one pass receives. */
export interface PassSignals {
  /** Aborted when a stop begins: claim nothing more, release what is not started, finish what is. */
  readonly signal: AbortSignal;
  /** Aborted when the stop deadline passes: give up what is still in flight (the stop no longer waits for it). */
  readonly abandon: AbortSignal;
}

/** What a completed pass reports. */
export interface PassHeartbeat<Report> {
  /** When the pass completed, on the loop's clock. */
  readonly at: Date;
  /** What the pass did. */
  readonly report: Report;
}

/** How the idle wait grows while passes find nothing to do. */
export interface IdleBackoff {
  /** Each idle pass in a row multiplies the wait by this (at least 1). */
  readonly factor: number;
  /** The wait never grows beyond this. */
  readonly maxIntervalMs: number;
}

/** Options of `createPassLoop`. */
export interface PassLoopOptions<Report> {
  /** Names the worker in logs and errors (`dispatcher`, `CRM sync`, …). */
  readonly name: string;
  readonly clock: Clock;
  /** One pass. It should watch `signal` (and `abandon`) and return what it did; a throw is logged and the loop goes on. */
  readonly pass: (signals: PassSignals) => Promise<Report>;
  /** Wait after a pass that found no more work (and after a failed pass), in ms. */
  readonly intervalMs: number;
  /** Whether `start` waits an interval before the first pass (its owner has just run one itself). Default: the first pass runs at once. */
  readonly waitFirst?: boolean;
  /** A uniform random `[0, jitterMs)` added to each wait, so that many workers do not poll in step (default 0). */
  readonly jitterMs?: number;
  /** Source of jitter in `[0, 1)` (default `Math.random`). */
  readonly random?: () => number;
  /** Whether the pass left more work behind (a full batch): the next pass then starts at once. Default: never. */
  readonly more?: (report: Report) => boolean;
  /** Whether the pass found nothing to do; with `idleBackoff`, the wait grows while it is so. */
  readonly idle?: (report: Report) => boolean;
  /** Longer waits while idle; none by default. */
  readonly idleBackoff?: IdleBackoff;
  /** How long `stop()` lets a pass in flight finish when not told otherwise (default 30 s). */
  readonly stopDeadlineMs?: number;
  /** Called after every completed pass, loop or `runOnce`. A throw is logged. */
  readonly onHeartbeat?: (heartbeat: PassHeartbeat<Report>) => void;
  readonly logger?: Logger;
  /** Fields added to the loop's log lines (e.g. `{ workerId }`). */
  readonly logFields?: Readonly<Record<string, unknown>>;
}

/** Options of `PassLoop.stop`. */
export interface PassLoopStopOptions {
  /** How long a pass in flight may still run, in ms on the clock (default: the loop's `stopDeadlineMs`). */
  readonly deadlineMs?: number;
}

/** A worker's loop, started and stopped by its owner. */
export interface PassLoop<Report> {
  /** Starts the loop; `false` when it already runs. Throws a `ConflictError` while a stop is under way. */
  start(): boolean;
  /**
   * Stops: the current pass's `signal` aborts (no more claims) and the loop ends; a pass in flight
   * may finish within the deadline, then its `abandon` signal aborts and the stop resolves without
   * waiting for it any longer. Afterwards the loop can be started (or run) again.
   */
  stop(options?: PassLoopStopOptions): Promise<void>;
  /** One pass outside the loop (a stop waits for it too); its failure is the caller's. */
  runOnce(): Promise<Report>;
  /** Whether the loop runs (a stop under way included). */
  readonly running: boolean;
  /** When a pass last completed; `null` before the first. */
  readonly lastHeartbeatAt: Date | null;
}

const defaultStopDeadlineMs = 30_000;

/** Creates a loop; bad options (a negative interval, a backoff factor below 1) are a `ValidationError`. */
export function createPassLoop<Report>(options: PassLoopOptions<Report>): PassLoop<Report> {
  checkOptions(options);
  const { clock, name } = options;
  const logger = options.logger ?? noopLogger;
  const random = options.random ?? Math.random;
  const jitterMs = options.jitterMs ?? 0;
  const fields = options.logFields ?? {};
  let lastHeartbeatAt: Date | null = null;
  let loop: Promise<void> | null = null;
  let stopping: Promise<void> | null = null;
  let stopController = new AbortController();
  let abandonController = new AbortController();
  const inFlight = new Set<Promise<unknown>>();

  const runPass = async (): Promise<Report> => {
    const report = await options.pass({ signal: stopController.signal, abandon: abandonController.signal });
    lastHeartbeatAt = clock.now();
    if (options.onHeartbeat !== undefined) {
      try {
        options.onHeartbeat({ at: new Date(lastHeartbeatAt.getTime()), report });
      } catch (error) {
        logger.error({ ...fields, worker: name, error: describeError(error) }, `${name} heartbeat listener failed`);
      }
    }
    return report;
  };

  const runOnce = (): Promise<Report> => {
    const pass = runPass();
    inFlight.add(pass);
    const forget = () => inFlight.delete(pass);
    pass.then(forget, forget);
    return pass;
  };

  const waitMs = (idlePasses: number): number => {
    const backoff = options.idleBackoff;
    const base =
      backoff === undefined || idlePasses <= 1
        ? options.intervalMs
        : Math.min(backoff.maxIntervalMs, options.intervalMs * backoff.factor ** (idlePasses - 1));
    return jitterMs > 0 ? base + Math.floor(random() * jitterMs) : base;
  };

  const runLoop = async (signal: AbortSignal): Promise<void> => {
    let idlePasses = 0;
    if (options.waitFirst === true) {
      try {
        await clock.sleep(waitMs(0), signal);
      } catch {
        return;
      }
    }
    while (!signal.aborted) {
      let more = false;
      try {
        const report = await runOnce();
        more = options.more?.(report) ?? false;
        idlePasses = options.idle?.(report) === true ? idlePasses + 1 : 0;
      } catch (error) {
        logger.error({ ...fields, worker: name, error: describeError(error) }, `${name} pass failed; trying again after the poll interval`);
      }
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- the pass may have been stopped; TypeScript keeps the loop condition's narrowing across the await
      if (more || signal.aborted) continue;
      try {
        await clock.sleep(waitMs(idlePasses), signal);
      } catch {
        return;
      }
    }
  };

  const stop = (stopOptions: PassLoopStopOptions = {}): Promise<void> => {
    if (stopping !== null) return stopping;
    const deadlineMs = stopOptions.deadlineMs ?? options.stopDeadlineMs ?? defaultStopDeadlineMs;
    if (!Number.isFinite(deadlineMs) || deadlineMs < 0)
      return Promise.reject(ValidationError.forField('deadlineMs', 'must be 0 or more milliseconds'));
    const abandon = abandonController;
    const timer = new AbortController();
    const deadlinePassed = new Promise<void>((resolve) => {
      const giveUp = () => {
        abandon.abort(new ConflictError(`the ${name} stop deadline passed`, { retryable: true }));
        // A pass that honours `abandon` settles within a turn: its last words are still awaited.
        setTimeout(resolve, 0);
      };
      if (deadlineMs === 0) giveUp();
      else clock.sleep(deadlineMs, timer.signal).then(giveUp, () => undefined);
    });
    stopController.abort(new ConflictError(`the ${name} was stopped`, { retryable: true }));
    stopping = (async () => {
      try {
        await Promise.race([Promise.allSettled([...(loop === null ? [] : [loop]), ...inFlight]), deadlinePassed]);
        if (abandon.signal.aborted && inFlight.size > 0) {
          logger.warn(
            { ...fields, worker: name, abandoned: inFlight.size },
            `${name} stop deadline passed: the pass in flight is abandoned`,
          );
        }
      } finally {
        timer.abort();
        loop = null;
        stopController = new AbortController();
        abandonController = new AbortController();
        inFlight.clear();
        stopping = null;
      }
    })();
    return stopping;
  };

  return {
    start() {
      if (stopping !== null) throw new ConflictError(`the ${name} is stopping: await stop() before starting it again`);
      if (loop !== null) return false;
      loop = runLoop(stopController.signal);
      return true;
    },
    stop,
    runOnce,
    get running() {
      return loop !== null;
    },
    get lastHeartbeatAt() {
      return lastHeartbeatAt === null ? null : new Date(lastHeartbeatAt.getTime());
    },
  };
}

function checkOptions<Report>(options: PassLoopOptions<Report>): void {
  const milliseconds = (field: string, value: number | undefined) => {
    if (value !== undefined && (!Number.isFinite(value) || value < 0))
      throw ValidationError.forField(field, 'must be 0 or more milliseconds');
  };
  if (options.name.trim() === '') throw ValidationError.forField('name', 'must not be empty');
  milliseconds('intervalMs', options.intervalMs);
  milliseconds('jitterMs', options.jitterMs);
  milliseconds('stopDeadlineMs', options.stopDeadlineMs);
  const backoff = options.idleBackoff;
  if (backoff !== undefined) {
    if (!Number.isFinite(backoff.factor) || backoff.factor < 1) throw ValidationError.forField('idleBackoff.factor', 'must be 1 or more');
    milliseconds('idleBackoff.maxIntervalMs', backoff.maxIntervalMs);
    if (backoff.maxIntervalMs < options.intervalMs)
      throw ValidationError.forField('idleBackoff.maxIntervalMs', 'must not be below intervalMs');
  }
}
