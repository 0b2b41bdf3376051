/**
 * The workers of a `worker` / `all` process: the dispatcher (follow-ups, reminders, billing
 * steps; it also returns stuck rows to `pending`), the CRM sync worker, the calendar outbox,
 * CRM reconciliation, alert evaluation, the Evolution inbox and the Google Calendar sync. Each writes a heartbeat to the database after every
 * pass, so alert evaluation in any process can tell a silent dispatcher.
 *
 * Any number of processes may run them on one database: claims are `FOR UPDATE SKIP LOCKED`
 * with leases, so every due message is sent once. `stop` is the graceful part of a shutdown: no
 * new claims, in-flight sends finish within the deadline, unfinished claims are released. A
 * process that dies without stopping stops its `process` beat; the others release its
 * dispatcher's claims after `claimReleaseSilenceMs` instead of waiting out the lease.
 */
import {
  CalendarOutboxWorker,
  classifyError,
  createBillingDispatchHandler,
  createCrmReconciler,
  createCrmSyncWorker,
  createDispatcher,
  createFollowUpDispatchHandler,
  createPassLoop,
  type Logger,
  type PassLoop,
} from '@sdr/core';
import { createAlertEvaluator } from '../observability/index.js';
import { createWebhookWorker } from '../webhooks/index.js';
import type { Composition } from './compose.js';
import type { ServerConfig } from './config.js';
import { createDeadWorkerClaims, processComponent } from './dead-worker-claims.js';

/** How often a worker process beats its liveness (and looks for dead ones). */
const processBeatIntervalMs = 5_000;
/** How long another process's liveness beat must be silent before its claims are released. */
export const claimReleaseSilenceMs = 30_000;

/** The workers of one process. */
export interface RunningWorkers {
  /** Component names and their worker ids (heartbeats, logs). */
  readonly components: ReadonlyMap<string, string>;
  /** Stops claiming, lets in-flight work finish within `deadlineMs`, releases claims and heartbeats. */
  stop(deadlineMs: number): Promise<void>;
}

/** Starts every worker. */
export function startWorkers(input: {
  readonly composition: Composition;
  readonly config: ServerConfig;
  readonly logger: Logger;
}): RunningWorkers {
  const { composition, config, logger } = input;
  const { context, ports, clock, heartbeats, processId } = composition;
  const { store, events } = context;
  const workerId = (component: string, process: string = processId) => `${component}-${process}`;

  const dispatcher = createDispatcher({
    store,
    // The tenant's channel, held while its WhatsApp integration's last check is down.
    messaging: ports.gatedMessagingFor,
    clock,
    handlers: [
      createFollowUpDispatchHandler({ followUp: context.services.followUp, events, logger }),
      createBillingDispatchHandler({ events }),
    ],
    workerId: workerId('dispatcher'),
    pollIntervalMs: config.dispatch.pollIntervalMs,
    pacing:
      config.dispatch.pacingMs === 0
        ? false
        : { minIntervalMs: config.dispatch.pacingMs, jitterMs: Math.round(config.dispatch.pacingMs / 4) },
    events,
    logger,
  });
  const crmSync = createCrmSyncWorker({ store, clock, crmFor: ports.crmFor, events, logger, workerId: workerId('crm-sync') });
  const calendarOutbox = new CalendarOutboxWorker({
    store,
    calendar: ports.calendarFor,
    clock,
    workerId: workerId('calendar-outbox'),
    logger,
  });
  const reconciler = createCrmReconciler({
    store,
    clock,
    crmFor: ports.crmFor,
    inbound: context.services.crmInbound,
    events,
    logger,
  });
  const alerts = createAlertEvaluator({
    store,
    clock,
    heartbeats,
    events,
    logger,
    thresholds: { heartbeatMissingAfterMs: config.alerts.heartbeatMissingAfterMs, crmSyncLagMs: config.alerts.crmSyncLagMs },
  });

  const evolutionInbox = composition.evolution.worker({ workerId: workerId('evolution-inbox') });
  const kommoInbox = composition.kommo.worker({ workerId: workerId('kommo-inbox') });
  const webhookWorker = createWebhookWorker({
    database: composition.webhooks.database,
    store,
    clock,
    events,
    logger,
    workerId: workerId('webhooks'),
    allowPrivate: config.webhooks.allowPrivate,
  });

  const components = new Map<string, string>([
    ['dispatcher', dispatcher.workerId],
    ['evolution-inbox', evolutionInbox.workerId],
    ['kommo-inbox', kommoInbox.workerId],
    ['crm-sync', crmSync.workerId],
    ['calendar-outbox', workerId('calendar-outbox')],
    ['reconciler', workerId('reconciler')],
    ['alerts', workerId('alerts')],
    [processComponent, workerId(processComponent)],
    ['webhooks', webhookWorker.workerId],
    ['calendar-sync', workerId('calendar-sync')],
  ]);
  const beat = (component: string) => {
    const id = components.get(component) ?? workerId(component);
    return heartbeats.beat(id, component).catch((error: unknown) => {
      logger.warn({ component, error: classifyError(error).message }, 'heartbeat not written');
    });
  };

  const deadWorkers = createDeadWorkerClaims({
    heartbeats,
    scheduler: store.scheduledMessages,
    clock,
    logger,
    processId,
    claimantsOf: (other) => [workerId('dispatcher', other)],
    intervalMs: processBeatIntervalMs,
    silenceMs: claimReleaseSilenceMs,
  });

  dispatcher.start();
  crmSync.start();
  calendarOutbox.start();
  evolutionInbox.start();
  kommoInbox.start();
  // The loops above beat through their own `lastHeartbeatAt`: a pass that completed since the last look.
  const lastSeen = new Map<string, number>();
  const loopHeartbeats = tick(clock, processBeatIntervalMs, logger, 'heartbeats', async () => {
    await beat(processComponent);
    for (const [component, last] of [
      ['dispatcher', dispatcher.lastHeartbeatAt],
      ['crm-sync', crmSync.lastHeartbeatAt],
      ['calendar-outbox', calendarOutbox.lastHeartbeatAt],
      ['evolution-inbox', evolutionInbox.lastHeartbeatAt],
      ['kommo-inbox', kommoInbox.lastHeartbeatAt],
    ] as const) {
      if (last !== null && last.getTime() !== lastSeen.get(component)) {
        lastSeen.set(component, last.getTime());
        await beat(component);
      }
    }
    await deadWorkers.check();
  });
  const reconciliation = tick(clock, config.reconcileIntervalMs, logger, 'reconciler', async (signal) => {
    await reconciler.runOnce({ window: config.reconcileIntervalMs * 2, signal });
    await beat('reconciler');
  });
  const alertLoop = tick(clock, config.alerts.intervalMs, logger, 'alerts', async () => {
    await alerts.evaluate();
    await beat('alerts');
  });

  const integrationHealthLoop = tick(clock, composition.integrationHealth.passIntervalMs, logger, 'integration-health', async (signal) => {
    await composition.integrationHealth.runOnce(signal);
  });

  const webhookLoop = tick(clock, config.webhooks.pollIntervalMs, logger, 'webhooks', async () => {
    await webhookWorker.runOnce();
    await beat('webhooks');
  });
  // Google Calendar: push channels renewed before they expire, calendars without one synced on this timer;
  // then the holds a killed booking left behind, adopted or released after their grace period.
  const calendarSyncLoop = tick(clock, config.calendarSync.intervalMs, logger, 'calendar-sync', async (signal) => {
    await composition.googleCalendar.runOnce();
    await reconcileStaleHolds({ store, booking: context.services.booking, graceMs: config.holdGraceMs, logger, signal });
    await beat('calendar-sync');
  });

  return {
    components,
    async stop(deadlineMs) {
      // One deadline for the whole stop: the periodic jobs first, then the claiming workers with what is left.
      const deadlineAt = clock.now().getTime() + deadlineMs;
      const left = () => ({ deadlineMs: Math.max(0, deadlineAt - clock.now().getTime()) });
      await Promise.all(
        [loopHeartbeats, reconciliation, alertLoop, webhookLoop, integrationHealthLoop, calendarSyncLoop].map((loop) => loop.stop(left())),
      );
      await composition.googleCalendar.idle();
      const rest = left();
      await Promise.all([
        dispatcher.stop(rest),
        crmSync.stop(rest),
        calendarOutbox.stop(rest),
        evolutionInbox.stop(rest),
        kommoInbox.stop(rest),
      ]);
      await Promise.all([...components.values()].map((id) => heartbeats.forget(id).catch(() => undefined)));
    },
  };
}

/** Every tenant's stale booking holds, a page of tenants at a time; one tenant's failure does not stop the others. */
async function reconcileStaleHolds(input: {
  readonly store: Composition['context']['store'];
  readonly booking: Composition['context']['services']['booking'];
  readonly graceMs: number;
  readonly logger: Logger;
  readonly signal: AbortSignal;
}): Promise<void> {
  let cursor: string | null = null;
  do {
    const page = await input.store.tenants.list({ cursor, limit: 100 });
    for (const tenant of page.items) {
      if (input.signal.aborted) return;
      await input.booking.reconcileStaleHolds({ tenantId: tenant.id, graceMs: input.graceMs }).catch((error: unknown) => {
        input.logger.warn({ tenantId: tenant.id, error: classifyError(error).message }, 'stale booking holds not reconciled');
      });
    }
    cursor = page.nextCursor;
  } while (cursor !== null);
}

/**
 * Runs `pass` now and then every `intervalMs` on the composition's clock until stopped; a failed
 * pass is logged and the loop goes on. `stop` aborts the signal `pass` receives, for the calls it
 * makes to pass on.
 */
function tick(
  clock: Composition['clock'],
  intervalMs: number,
  logger: Logger,
  name: string,
  pass: (signal: AbortSignal) => Promise<unknown>,
): PassLoop<unknown> {
  const loop = createPassLoop<unknown>({ name, clock, intervalMs, logger, pass: ({ signal }) => pass(signal) });
  loop.start();
  return loop;
}
