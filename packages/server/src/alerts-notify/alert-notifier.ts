/**
 * Alert notifications: when an alert is raised or resolved, each configured channel — a Slack
 * incoming webhook, a Telegram bot chat — gets one short message. A cooldown per alert and
 * transition keeps a flapping alert from sending more than one message of each kind per window.
 * A channel that fails is logged (without its URL or token) and does not stop the others.
 */
import { classifyError, safeListener, type Clock, type DomainEventMap, type DomainEvents, type Logger } from '@sdr/core';

/** Where alert notifications go. */
export type AlertChannel =
  | { readonly kind: 'slack'; readonly webhookUrl: string }
  | { readonly kind: 'telegram'; readonly botToken: string; readonly chatId: string; readonly apiBaseUrl?: string };

/** Options of `createAlertNotifier`. */
export interface AlertNotifierOptions {
  readonly events: DomainEvents;
  readonly channels: readonly AlertChannel[];
  readonly clock: Clock;
  readonly logger: Logger;
  /** Quiet time after a notification of one alert's transition (default 15 minutes). */
  readonly cooldownMs?: number;
  /** Only alerts of this tenant (`undefined`: every alert, for the operator). */
  readonly tenantId?: string | null;
  readonly timeoutMs?: number;
}

type Raised = DomainEventMap['alert.raised'];
type Resolved = DomainEventMap['alert.resolved'];

/** The text of a notification. */
export function alertText(
  event: { readonly transition: 'raised'; readonly alert: Raised } | { readonly transition: 'resolved'; readonly alert: Resolved },
): string {
  const scope = event.alert.tenantId === null ? 'process' : `tenant ${event.alert.tenantId}`;
  const what = event.alert.key === '' ? event.alert.kind : `${event.alert.kind} (${event.alert.key})`;
  if (event.transition === 'resolved') return `✅ Resolved: ${what} — ${scope}`;
  const icon = event.alert.severity === 'critical' ? '🚨' : '⚠️';
  return `${icon} ${event.alert.severity.toUpperCase()}: ${what} — ${scope}\n${event.alert.message}`;
}

/** Sends `text` to one channel; throws with a message that names the channel kind and the status. */
export async function notifyChannel(channel: AlertChannel, text: string, timeoutMs: number): Promise<void> {
  const request =
    channel.kind === 'slack'
      ? { url: channel.webhookUrl, body: { text } }
      : {
          url: `${channel.apiBaseUrl ?? 'https://api.telegram.org'}/bot${channel.botToken}/sendMessage`,
          body: { chat_id: channel.chatId, text, disable_web_page_preview: true },
        };
  const response = await fetch(request.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(request.body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (!response.ok) throw new Error(`${channel.kind} answered ${String(response.status)}`);
  await response.text();
}

/** Subscribes to alert events; returns what stops it and waits for sends in flight. */
export function createAlertNotifier(options: AlertNotifierOptions) {
  const { events, channels, clock, logger } = options;
  const cooldownMs = options.cooldownMs ?? 15 * 60_000;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const lastSent = new Map<string, number>();
  const inFlight = new Set<Promise<void>>();

  const notify = (transition: 'raised' | 'resolved', alert: Raised | Resolved, text: string) => {
    if (options.tenantId !== undefined && alert.tenantId !== options.tenantId) return;
    const key = JSON.stringify([transition, alert.tenantId, alert.kind, alert.key]);
    const now = clock.now().getTime();
    const last = lastSent.get(key);
    if (last !== undefined && now - last < cooldownMs) return;
    lastSent.set(key, now);
    for (const channel of channels) {
      const sending = notifyChannel(channel, text, timeoutMs)
        .catch((error: unknown) => {
          logger.warn({ channel: channel.kind, alertKind: alert.kind, error: classifyError(error).message }, 'alert notification not sent');
        })
        .finally(() => inFlight.delete(sending));
      inFlight.add(sending);
    }
  };
  const onError = (error: unknown) => {
    logger.error({ error: classifyError(error).message }, 'alert notification failed');
  };
  const raised = safeListener<'alert.raised'>((alert) => notify('raised', alert, alertText({ transition: 'raised', alert })), onError);
  const resolved = safeListener<'alert.resolved'>(
    (alert) => notify('resolved', alert, alertText({ transition: 'resolved', alert })),
    onError,
  );
  events.on('alert.raised', raised);
  events.on('alert.resolved', resolved);

  return {
    /** Waits for the notifications being sent. */
    async settled(): Promise<void> {
      await Promise.all([...inFlight]);
    },
    /** Stops listening and waits for the sends in flight. */
    async stop(): Promise<void> {
      events.off('alert.raised', raised);
      events.off('alert.resolved', resolved);
      await Promise.all([...inFlight]);
    },
  };
}

export type AlertNotifier = ReturnType<typeof createAlertNotifier>;
