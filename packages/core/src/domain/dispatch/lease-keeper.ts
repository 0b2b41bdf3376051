/**
 * Keeps the leases of the rows a pass holds alive (SPEC §4.6 "a lease can be extended by a
 * heartbeat"), so that a slow batch — pacing spreads 100 messages of one instance over 100
 * seconds, a provider may hang for minutes — is not taken back by stuck recovery and sent twice.
 *
 * Every `leaseMs / 3` of clock time it extends every row still held. Before a send, `confirm`
 * makes sure the row is still this worker's: when the lease it knows of could be close to
 * expiry (the process stalled, a heartbeat failed), it asks the store, which also extends it.
 */
import type { Clock } from '../../ports/clock/clock.js';
import type { Logger } from '../../ports/logger/logger.js';
import type { SchedulerStore } from '../../ports/scheduler/scheduler-store.js';
import type { ScheduledMessage } from '../model/scheduled-message.js';
import { describeError } from './emit-safely.js';

/** The leases of one pass. */
export interface LeaseKeeper {
  /** True when this worker still holds the row (checked in the store when the lease may be near its end). */
  confirm(id: string): Promise<boolean>;
  /** The row is settled (or given up): no more heartbeats for it. */
  release(id: string): void;
  /** Stops the heartbeats; call when the pass ends. */
  stop(): void;
}

/** Starts heartbeats for `rows`, just claimed by `workerId` with `leaseMs`. */
export function startLeaseKeeper(options: {
  readonly scheduler: SchedulerStore;
  readonly clock: Clock;
  readonly workerId: string;
  readonly leaseMs: number;
  readonly rows: readonly ScheduledMessage[];
  readonly logger: Logger;
}): LeaseKeeper {
  const { scheduler, clock, workerId, leaseMs, logger } = options;
  const interval = Math.max(1, Math.floor(leaseMs / 3));
  // Lease end per held row, as far as this worker knows.
  const expiries = new Map<string, number>();
  const claimedAt = clock.now().getTime();
  for (const row of options.rows) expiries.set(row.id, row.leaseExpiresAt?.getTime() ?? claimedAt + leaseMs);
  const stopped = new AbortController();

  const extend = async (ids: readonly string[]): Promise<number> => {
    const now = clock.now();
    const extended = await scheduler.heartbeat({ ids, workerId, now, leaseMs });
    if (extended === ids.length) {
      for (const id of ids) if (expiries.has(id)) expiries.set(id, now.getTime() + leaseMs);
    }
    return extended;
  };

  const beat = async (): Promise<void> => {
    const ids = [...expiries.keys()];
    if (ids.length === 0) return;
    try {
      const extended = await extend(ids);
      if (extended < ids.length) {
        // The store does not say which rows were lost: make every send confirm its own row.
        for (const id of ids) if (expiries.has(id)) expiries.set(id, 0);
        logger.warn({ workerId, held: ids.length, extended }, 'heartbeat: some leases were lost to stuck recovery');
      }
    } catch (error) {
      logger.warn({ workerId, error: describeError(error) }, 'heartbeat failed; sends will confirm their leases one by one');
    }
  };

  const run = async (): Promise<void> => {
    while (!stopped.signal.aborted) {
      try {
        await clock.sleep(interval, stopped.signal);
      } catch {
        return;
      }
      await beat();
    }
  };
  void run();

  return {
    confirm: async (id) => {
      const expiresAt = expiries.get(id);
      if (expiresAt === undefined) return false;
      // A third of the lease as margin: clocks of two workers may disagree by that much and the
      // row still not be recovered while this worker sends.
      if (clock.now().getTime() + interval < expiresAt) return true;
      if ((await extend([id])) === 1) return true;
      expiries.delete(id);
      return false;
    },
    release: (id) => {
      expiries.delete(id);
    },
    stop: () => {
      stopped.abort();
    },
  };
}
