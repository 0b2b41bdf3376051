/**
 * The Kommo inbox worker: drains `kommo_inbox` — claims the head delivery of up to `batchSize`
 * tenants (see `kommo-inbox.ts`), applies them side by side (one per tenant, so a tenant's
 * deliveries apply in order) and settles each: done, back later with backoff (a transient
 * failure: Kommo rate-limited or down), or dead (a permanent failure, or the attempts exhausted;
 * kept with its error for an operator).
 *
 * A delivery given up on raises the tenant's critical `kommo_inbox_failed` alert (the card moves
 * it named were never applied: a lead marked lost in Kommo may still be messaged); the next
 * delivery of that tenant that applies resolves it. Resolving is tried after every applied
 * delivery, not remembered per process, so it holds with any number of workers: when nothing is
 * open it is one update that matches no row.
 *
 * Crash-safe: a delivery is settled only after it was applied, and applying is idempotent (a
 * card already where a person put it is an echo). A worker killed mid-batch leaves its claims to
 * expire after `leaseMs`; another worker (or the restarted one) takes them again.
 */
import { parseKommoWebhook } from '@sdr/adapter-kommo';
import {
  classifyError,
  createPassLoop,
  decideRetry,
  raiseAlert,
  resolveAlert,
  type Clock,
  type DomainEvents,
  type PassLoopStopOptions,
  type RetryPolicy,
  type Store,
} from '@sdr/core';
import { applyKommoDelivery, type KommoDeliveryDeps } from './kommo-delivery.js';
import type { KommoInbox, KommoInboxDelivery } from './kommo-inbox.js';

/** The kind of the alert raised when a Kommo delivery is given up on. */
export const kommoInboxFailedAlertKind = 'kommo_inbox_failed';

/** The key of that alert: one per tenant. */
const kommoInboxAlertKey = 'kommo';

/** Options of `createKommoInboxWorker`. */
export interface KommoInboxWorkerOptions extends KommoDeliveryDeps {
  /** The store: the deliveries read leads and sync states, the alert is written in its transaction. */
  readonly store: Pick<Store, 'leads' | 'syncStates' | 'transaction'>;
  /** Where the `kommo_inbox_failed` alert is announced (webhook deliveries, alert channels). */
  readonly events?: DomainEvents | undefined;
  readonly inbox: KommoInbox;
  readonly clock: Clock;
  readonly workerId: string;
  /** Wait between passes that found nothing, in ms (default 500). */
  readonly pollIntervalMs?: number;
  /** Tenants per pass (default 16). */
  readonly batchSize?: number;
  /** How long a claim holds, in ms (default 120 s): a dead worker's deliveries return after it. */
  readonly leaseMs?: number;
  /** Backoff of failed deliveries (default: 12 attempts, 2 s doubling up to 10 minutes). */
  readonly retryPolicy?: RetryPolicy;
}

/** A running (or startable) worker. */
export interface KommoInboxWorker {
  readonly workerId: string;
  /** When the last pass completed; `null` before the first. */
  readonly lastHeartbeatAt: Date | null;
  /** One pass: how many deliveries it claimed. */
  drainOnce(): Promise<number>;
  start(): void;
  /** Stops claiming and lets the pass in flight finish within the deadline (default 30 s). */
  stop(options?: PassLoopStopOptions): Promise<void>;
}

const defaultRetryPolicy: RetryPolicy = { maxAttempts: 12, baseDelayMs: 2_000, maxDelayMs: 600_000, factor: 2 };

/** Creates the worker; `start` runs it until `stop`. */
export function createKommoInboxWorker(options: KommoInboxWorkerOptions): KommoInboxWorker {
  const { inbox, workerId, clock, logger } = options;
  const pollIntervalMs = options.pollIntervalMs ?? 500;
  const batchSize = options.batchSize ?? 16;
  const leaseMs = options.leaseMs ?? 120_000;
  const policy = options.retryPolicy ?? defaultRetryPolicy;

  // The alert's write is not the delivery's: a failure to write it is logged and the delivery stays settled.
  const alerting = async (tenantId: string, action: string, write: () => Promise<unknown>) => {
    try {
      await write();
    } catch (error) {
      logger.error(
        { tenantId, kind: kommoInboxFailedAlertKind, error: classifyError(error).message },
        `could not ${action} the Kommo inbox alert`,
      );
    }
  };

  const raiseFailed = (entry: KommoInboxDelivery, error: string, now: Date) =>
    alerting(entry.tenantId, 'raise', async () => {
      const { opened } = await raiseAlert(options, {
        tenantId: entry.tenantId,
        kind: kommoInboxFailedAlertKind,
        key: kommoInboxAlertKey,
        severity: 'critical',
        message:
          `a Kommo webhook delivery received ${entry.receivedAt.toISOString()} was given up after ${entry.attempts + 1} attempt(s): ` +
          `${error}. The card moves it named were not applied.`,
        details: { inboxId: entry.id, attempts: entry.attempts + 1, error, receivedAt: entry.receivedAt.toISOString() },
        now,
      });
      if (opened) logger.error({ tenantId: entry.tenantId, inboxId: entry.id }, 'Kommo inbox failing: alert raised');
    });

  const resolveFailed = (tenantId: string, now: Date) =>
    alerting(tenantId, 'resolve', async () => {
      const resolved = await resolveAlert(options, { tenantId, kind: kommoInboxFailedAlertKind, key: kommoInboxAlertKey, now });
      if (resolved !== null) logger.info({ tenantId }, 'Kommo deliveries apply again: alert resolved');
    });

  const apply = async (entry: KommoInboxDelivery): Promise<void> => {
    try {
      const report = await applyKommoDelivery(options, { tenantId: entry.tenantId, delivery: parseKommoWebhook(entry.body) });
      const now = clock.now();
      const settled = await inbox.complete({
        id: entry.id,
        workerId,
        now,
        outcome: `moves=${report.moves.length} echoes=${report.echoes}`,
      });
      if (settled) await resolveFailed(entry.tenantId, now);
    } catch (error) {
      const { message } = classifyError(error);
      const decision = decideRetry({ error, attemptsMade: entry.attempts + 1, policy });
      const log = { inboxId: entry.id, tenantId: entry.tenantId, attempts: entry.attempts + 1, error: message };
      const now = clock.now();
      if (decision.retry) {
        logger.warn({ ...log, retryInMs: decision.delayMs }, 'Kommo delivery failed; will retry');
        await inbox.retry({ id: entry.id, workerId, at: new Date(now.getTime() + decision.delayMs), error: message });
      } else {
        logger.error({ ...log, reason: decision.reason }, 'Kommo delivery given up');
        if (await inbox.bury({ id: entry.id, workerId, now, error: message })) await raiseFailed(entry, message, now);
      }
    }
  };

  const drainPass = async (): Promise<number> => {
    const claimed = await inbox.claim({ workerId, now: clock.now(), leaseMs, limit: batchSize });
    await Promise.all(
      claimed.map((entry) =>
        apply(entry).catch((error: unknown) => {
          // Applied but not settled: the claim expires and the delivery is applied again, to no effect.
          logger.error({ inboxId: entry.id, error: classifyError(error).message }, 'could not settle a Kommo delivery');
        }),
      ),
    );
    return claimed.length;
  };

  // At once again after a pass that claimed something, `pollIntervalMs` later otherwise.
  const drain = createPassLoop({
    name: 'Kommo inbox',
    clock,
    intervalMs: pollIntervalMs,
    pass: drainPass,
    more: (claimed) => claimed > 0,
    logger,
    logFields: { workerId },
  });

  return {
    workerId,
    // The loop's heartbeat: its passes and the ones run here alike.
    get lastHeartbeatAt() {
      return drain.lastHeartbeatAt;
    },
    drainOnce: () => drain.runOnce(),
    start() {
      drain.start();
    },
    stop: (stopOptions) => drain.stop(stopOptions),
  };
}
