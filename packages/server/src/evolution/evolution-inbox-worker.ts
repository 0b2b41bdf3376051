/**
 * The inbox worker: drains `evolution_inbox` — claims the head event of up to `batchSize` leads
 * (see `evolution-inbox.ts`), applies them side by side (one per lead, so per-lead order holds)
 * and settles each: done, back later (a transient failure, with backoff, or a deliberate wait),
 * or dead (a permanent failure, or the attempts exhausted; kept with its error).
 *
 * Every minute it also raises the `channel_down` alert for instances whose connection has not been
 * open for 30 minutes (Evolution's `connection.update`), whether or not anything waits to be sent;
 * the alert is resolved when the connection opens.
 *
 * Crash-safe: an event is settled only after it was applied, and applying is idempotent. A
 * worker killed mid-batch leaves its claims to expire after `leaseMs`; another worker (or the
 * restarted one) takes them again. Any number of workers may drain one database.
 */
import {
  channelDownAlertKind,
  classifyError,
  createPassLoop,
  decideRetry,
  raiseAlert,
  type PassLoopStopOptions,
  type RetryPolicy,
} from '@sdr/core';
import { applyEvolutionEvent, type EvolutionEventDeps, type EvolutionEventResult } from './apply-evolution-event.js';
import type { EvolutionInbox, InboxEvent } from './evolution-inbox.js';

/** Options of `createEvolutionInboxWorker`. */
export interface EvolutionInboxWorkerOptions extends EvolutionEventDeps {
  readonly inbox: EvolutionInbox;
  readonly workerId: string;
  /** Wait between passes that found nothing, in ms (default 500). */
  readonly pollIntervalMs?: number;
  /** Leads per pass (default 32). */
  readonly batchSize?: number;
  /** How long a claim holds, in ms (default 60 s): a dead worker's events return after it. */
  readonly leaseMs?: number;
  /** Backoff of failed events (default: 10 attempts, 1 s doubling up to 5 minutes). */
  readonly retryPolicy?: RetryPolicy;
  readonly random?: () => number;
  /** How long an instance's connection may stay not open before the `channel_down` alert (default 30 minutes). */
  readonly channelAlertAfterMs?: number;
  /** How often connections are checked for that alert, in ms (default 60 s). */
  readonly channelCheckIntervalMs?: number;
}

/** A running (or startable) worker. */
export interface EvolutionInboxWorker {
  readonly workerId: string;
  /** When the last pass completed; `null` before the first. */
  readonly lastHeartbeatAt: Date | null;
  /** One pass: how many events it claimed. */
  drainOnce(): Promise<number>;
  /** Raises `channel_down` for instances whose connection stayed not open too long; how many. */
  checkChannels(): Promise<number>;
  start(): void;
  /** Stops claiming and waits for the pass in flight, at most `deadlineMs` (default 30 s, on the clock). */
  stop(options?: PassLoopStopOptions): Promise<void>;
}

const defaultRetryPolicy: RetryPolicy = { maxAttempts: 10, baseDelayMs: 1_000, maxDelayMs: 300_000, factor: 2 };

/** Creates the worker; `start` runs it until `stop`. */
export function createEvolutionInboxWorker(options: EvolutionInboxWorkerOptions): EvolutionInboxWorker {
  const { inbox, workerId, clock, logger } = options;
  const pollIntervalMs = options.pollIntervalMs ?? 500;
  const batchSize = options.batchSize ?? 32;
  const leaseMs = options.leaseMs ?? 60_000;
  const policy = options.retryPolicy ?? defaultRetryPolicy;

  const settle = async (event: InboxEvent, result: EvolutionEventResult | { readonly kind: 'failed'; readonly error: unknown }) => {
    const now = clock.now();
    if (result.kind === 'done') {
      await inbox.complete({ id: event.id, workerId, now, outcome: result.outcome });
      return;
    }
    if (result.kind === 'wait') {
      await inbox.retry({ id: event.id, workerId, at: result.until, error: null, countAttempt: false });
      return;
    }
    const { message } = classifyError(result.error);
    const decision = decideRetry({
      error: result.error,
      attemptsMade: event.attempts + 1,
      policy,
      ...(options.random ? { random: options.random } : {}),
    });
    const log = { inboxId: event.id, tenantId: event.tenantId, event: event.event, attempts: event.attempts + 1, error: message };
    if (decision.retry) {
      logger.warn({ ...log, retryInMs: decision.delayMs }, 'Evolution event failed; will retry');
      await inbox.retry({ id: event.id, workerId, at: new Date(now.getTime() + decision.delayMs), error: message, countAttempt: true });
    } else {
      logger.error({ ...log, reason: decision.reason }, 'Evolution event given up');
      await inbox.bury({ id: event.id, workerId, now, error: message });
    }
  };

  const drainPass = async (): Promise<number> => {
    const claimed = await inbox.claim({ workerId, now: clock.now(), leaseMs, limit: batchSize });
    await Promise.all(
      claimed.map(async (event) => {
        let result: EvolutionEventResult | { readonly kind: 'failed'; readonly error: unknown };
        try {
          result = await applyEvolutionEvent(event, options);
        } catch (error) {
          result = { kind: 'failed', error };
        }
        try {
          await settle(event, result);
        } catch (error) {
          // Applied but not settled: the claim expires and the event is applied again, to no effect.
          logger.error({ inboxId: event.id, error: classifyError(error).message }, 'could not settle an Evolution event');
        }
      }),
    );
    return claimed.length;
  };

  const alertAfterMs = options.channelAlertAfterMs ?? 30 * 60_000;
  const checkChannels = async (): Promise<number> => {
    const now = clock.now();
    const closed = await options.delivery.closedSince(new Date(now.getTime() - alertAfterMs));
    for (const channel of closed) {
      const { opened } = await raiseAlert(options, {
        tenantId: channel.tenantId,
        kind: channelDownAlertKind,
        key: channel.instance,
        severity: 'critical',
        message: `WhatsApp instance ${channel.instance} has not been connected since ${channel.since.toISOString()} (${channel.state})`,
        details: { instance: channel.instance, since: channel.since.toISOString(), state: channel.state },
        now,
      });
      if (opened)
        logger.error(
          { tenantId: channel.tenantId, instance: channel.instance, state: channel.state },
          'channel instance down: alert raised',
        );
    }
    return closed.length;
  };

  const logFields = { workerId };
  // Draining: at once again after a pass that claimed something, `pollIntervalMs` later otherwise.
  const drain = createPassLoop({
    name: 'Evolution inbox',
    clock,
    intervalMs: pollIntervalMs,
    pass: drainPass,
    more: (claimed) => claimed > 0,
    logger,
    logFields,
  });
  // The connections are looked at on their own schedule, whether or not anything waits.
  const channels = createPassLoop({
    name: 'Evolution channel check',
    clock,
    intervalMs: options.channelCheckIntervalMs ?? 60_000,
    pass: checkChannels,
    logger,
    logFields,
  });

  return {
    workerId,
    // The loop's heartbeat: its passes and the ones run here alike.
    get lastHeartbeatAt() {
      return drain.lastHeartbeatAt;
    },
    drainOnce: () => drain.runOnce(),
    checkChannels,
    start() {
      if (drain.running) return;
      drain.start();
      channels.start();
    },
    async stop(stopOptions) {
      await Promise.all([drain.stop(stopOptions), channels.stop(stopOptions)]);
    },
  };
}
