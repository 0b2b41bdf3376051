/**
 * Releases the claims of worker processes that died (SIGKILL, out of memory, a lost host) without
 * the graceful stop that releases them: their scheduled messages return to `pending` once the
 * process's liveness heartbeat has been silent for `silenceMs`, instead of waiting out the
 * dispatcher's 15-minute lease.
 *
 * Every worker process beats a `process` heartbeat every few seconds, whatever its passes do (a
 * dispatcher pass paced over many seconds is not a dead process). Silence is measured by this
 * process's own checks — a beat unchanged over enough consecutive checks `intervalMs` apart on
 * the base clock — never by comparing instants: the sandbox clock jumps forward on `advance`,
 * and two hosts' clocks may disagree, neither of which must make a live process look dead.
 */
import { classifyError, type Clock, type Logger, type SchedulerStore } from '@sdr/core';
import type { Heartbeats } from '../observability/index.js';

/** The heartbeat component of a worker process's liveness beat. */
export const processComponent = 'process';

/** Options of `createDeadWorkerClaims`. */
export interface DeadWorkerClaimsOptions {
  readonly heartbeats: Pick<Heartbeats, 'list' | 'forget'>;
  readonly scheduler: Pick<SchedulerStore, 'releaseClaimsOf'>;
  readonly clock: Clock;
  readonly logger: Logger;
  /** This process (never declared dead by itself). */
  readonly processId: string;
  /** The worker ids under which a process holds claims (its dispatcher's `lockedBy`). */
  readonly claimantsOf: (processId: string) => readonly string[];
  /** How often `check` runs; the number of silent checks is counted in these steps. */
  readonly intervalMs: number;
  /** How long a process's beat must stay unchanged before its claims are released. */
  readonly silenceMs: number;
}

/** The dead-process check of one process. */
export interface DeadWorkerClaims {
  /** One check: returns the processes found dead now, whose claims were released. */
  check(): Promise<readonly string[]>;
}

/** Creates the check; run `check` every `intervalMs`. */
export function createDeadWorkerClaims(options: DeadWorkerClaimsOptions): DeadWorkerClaims {
  const { heartbeats, scheduler, clock, logger, processId } = options;
  // A beat seen unchanged this many times in a row spans at least `silenceMs` of checks.
  const silentChecks = Math.ceil(options.silenceMs / options.intervalMs) + 1;
  // Per other process: the last beat seen and how many consecutive checks saw it unchanged.
  const seen = new Map<string, { readonly beatAt: number; readonly checks: number }>();

  const release = async (dead: string): Promise<void> => {
    const released = await scheduler.releaseClaimsOf({ workerIds: options.claimantsOf(dead), now: clock.now() });
    logger.warn(
      { processId: dead, released: released.length, ids: released.map((row) => row.id) },
      'a worker process stopped beating: its claimed messages are back to pending',
    );
    await heartbeats.forget(`${processComponent}-${dead}`);
    seen.delete(dead);
  };

  return {
    async check() {
      const beats = (await heartbeats.list()).filter((beat) => beat.component === processComponent && beat.processId !== processId);
      const alive = new Set(beats.map((beat) => beat.processId));
      for (const known of seen.keys()) if (!alive.has(known)) seen.delete(known);
      const dead: string[] = [];
      for (const beat of beats) {
        const beatAt = beat.lastBeatAt.getTime();
        const previous = seen.get(beat.processId);
        const checks = previous?.beatAt === beatAt ? previous.checks + 1 : 1;
        seen.set(beat.processId, { beatAt, checks });
        if (checks < silentChecks) continue;
        try {
          await release(beat.processId);
          dead.push(beat.processId);
        } catch (error) {
          logger.error(
            { processId: beat.processId, error: classifyError(error).message },
            'releasing the claims of a dead worker process failed',
          );
        }
      }
      return dead;
    },
  };
}
