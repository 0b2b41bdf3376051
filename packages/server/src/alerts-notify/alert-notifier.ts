/**
 * Alert notifications: when an alert is raised or resolved, the operator's channels (from the
 * environment) and the channels of the alert's tenant (from the API) each get one message. One
 * cooldown per alert and transition, ahead of every channel, keeps a flapping alert from sending
 * more than one message of each kind per window. A failing send is tried again a few times with
 * growing delays, then logged (without its URL, token or password); it never stops the other
 * channels, and nothing here runs inside the alert's evaluation: the sends are not awaited.
 */
import { classifyError, safeListener, type Clock, type DomainEvents, type Logger } from '@sdr/core';
import { notifyChannel, type AlertChannel, type AlertNotice, type AlertTransition } from './alert-channel.js';

/** A channel of a tenant, and the transitions it is told about. */
export interface TenantAlertChannel {
  readonly id: string;
  readonly events: readonly AlertTransition[];
  readonly channel: AlertChannel;
}

/** Options of `createAlertNotifier`. */
export interface AlertNotifierOptions {
  readonly events: DomainEvents;
  /** The operator's channels: every alert. */
  readonly channels: readonly AlertChannel[];
  /** The channels of a tenant (its alerts only); none when absent. */
  readonly tenantChannels?: (tenantId: string) => Promise<readonly TenantAlertChannel[]>;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Quiet time after a notification of one alert's transition (default 15 minutes). */
  readonly cooldownMs?: number;
  /** Only alerts of this tenant (`undefined`: every alert, for the operator). */
  readonly tenantId?: string | null;
  readonly timeoutMs?: number;
  /** The waits before each new try of a failed send (default 2 s, 10 s, 60 s). */
  readonly retryDelaysMs?: readonly number[];
  /** Whether webhooks and SMTP may reach internal addresses (`SDR_WEBHOOKS_ALLOW_PRIVATE`). */
  readonly allowPrivate?: boolean;
}

/** The default waits between tries of a failed notification. */
export const notificationRetryDelaysMs: readonly number[] = [2_000, 10_000, 60_000];

/** Waits `ms`, or less when `signal` aborts. */
const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done);
  });

/** Subscribes to alert events; returns what stops it and waits for sends in flight. */
export function createAlertNotifier(options: AlertNotifierOptions) {
  const { events, channels, clock, logger } = options;
  const cooldownMs = options.cooldownMs ?? 15 * 60_000;
  const sendOptions = { timeoutMs: options.timeoutMs ?? 10_000, allowPrivate: options.allowPrivate ?? false };
  const retryDelaysMs = options.retryDelaysMs ?? notificationRetryDelaysMs;
  const lastSent = new Map<string, number>();
  const inFlight = new Set<Promise<void>>();
  const stopping = new AbortController();

  const track = (work: Promise<void>) => {
    const tracked = work.finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
  };

  /** One channel, tried again after each delay while it fails (not once stopping). */
  const deliver = async (channel: AlertChannel, notice: AlertNotice, where: Record<string, unknown>) => {
    for (let attempt = 0; ; attempt += 1) {
      let failure: unknown;
      try {
        await notifyChannel(channel, notice, sendOptions);
        return;
      } catch (error) {
        failure = error;
      }
      const delay = retryDelaysMs[attempt];
      const fields = { ...where, channel: channel.kind, alertKind: notice.alert.kind, error: classifyError(failure).message };
      if (delay !== undefined && !stopping.signal.aborted) {
        logger.debug({ ...fields, retryInMs: delay }, 'alert notification failed; trying again');
        await sleep(delay, stopping.signal);
      }
      if (delay === undefined || stopping.signal.aborted) {
        logger.warn({ ...fields, attempts: attempt + 1 }, 'alert notification not sent');
        return;
      }
    }
  };

  const notify = (notice: AlertNotice) => {
    const { alert, transition } = notice;
    if (options.tenantId !== undefined && alert.tenantId !== options.tenantId) return;
    const key = JSON.stringify([transition, alert.tenantId, alert.kind, alert.key]);
    const now = clock.now().getTime();
    const last = lastSent.get(key);
    if (last !== undefined && now - last < cooldownMs) return;
    lastSent.set(key, now);
    for (const channel of channels) track(deliver(channel, notice, {}));
    const tenantId = alert.tenantId;
    const lookup = options.tenantChannels;
    if (tenantId === null || lookup === undefined) return;
    track(
      lookup(tenantId).then(
        (found) => {
          for (const entry of found)
            if (entry.events.includes(transition)) track(deliver(entry.channel, notice, { tenantId, alertChannelId: entry.id }));
        },
        (error: unknown) => {
          logger.error({ tenantId, alertKind: alert.kind, error: classifyError(error).message }, 'alert channels of the tenant not read');
        },
      ),
    );
  };
  const onError = (error: unknown) => {
    logger.error({ error: classifyError(error).message }, 'alert notification failed');
  };
  const raised = safeListener<'alert.raised'>((alert) => notify({ transition: 'raised', alert }), onError);
  const resolved = safeListener<'alert.resolved'>((alert) => notify({ transition: 'resolved', alert }), onError);
  events.on('alert.raised', raised);
  events.on('alert.resolved', resolved);

  const settled = async () => {
    while (inFlight.size > 0) await Promise.all([...inFlight]);
  };
  return {
    /** Waits for the notifications being sent (their retries included). */
    settled,
    /** Stops listening, tries no failed send again, and waits for the sends in flight. */
    async stop(): Promise<void> {
      events.off('alert.raised', raised);
      events.off('alert.resolved', resolved);
      stopping.abort();
      await settled();
    },
  };
}

/** A running notifier. */
export type AlertNotifier = ReturnType<typeof createAlertNotifier>;
