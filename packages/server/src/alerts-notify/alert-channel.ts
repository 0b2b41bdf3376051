/**
 * The channels an alert notification goes through, and the one send to each: a Slack incoming
 * webhook, a Telegram bot chat, a generic webhook signed the Standard Webhooks way (the same
 * signing and SSRF guard as the webhook endpoints), and e-mail over SMTP (nodemailer).
 */
import { randomUUID } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { DomainEventMap } from '@sdr/core';
import { createTransport } from 'nodemailer';
import { alertEventData } from '../webhooks/webhook-events.js';
import { InternalAddressError, isInternalAddress, sendWebhook } from '../webhooks/webhook-sender.js';

/** How an SMTP connection is secured: TLS from the start, STARTTLS required, or neither (a local relay). */
export type SmtpSecurity = 'tls' | 'starttls' | 'none';

/** The settings of an e-mail channel. */
export interface EmailChannelSettings {
  readonly host: string;
  readonly port: number;
  readonly security: SmtpSecurity;
  readonly user?: string | undefined;
  readonly password?: string | undefined;
  readonly from: string;
  readonly to: readonly string[];
}

/** Where alert notifications go. */
export type AlertChannel =
  | { readonly kind: 'slack'; readonly webhookUrl: string }
  | { readonly kind: 'telegram'; readonly botToken: string; readonly chatId: string; readonly apiBaseUrl?: string }
  | { readonly kind: 'webhook'; readonly url: string; readonly secret: string }
  | ({ readonly kind: 'email' } & EmailChannelSettings);

/** The two transitions a notification tells about. */
export type AlertTransition = 'raised' | 'resolved';

/** One alert transition to notify. */
export type AlertNotice =
  | { readonly transition: 'raised'; readonly alert: DomainEventMap['alert.raised'] }
  | { readonly transition: 'resolved'; readonly alert: DomainEventMap['alert.resolved'] };

/** What a send needs beyond the channel. */
export interface SendOptions {
  readonly timeoutMs: number;
  /** Whether webhooks and SMTP may reach private, loopback and link-local addresses (`SDR_WEBHOOKS_ALLOW_PRIVATE`). */
  readonly allowPrivate: boolean;
}

const scopeOf = (notice: AlertNotice) => (notice.alert.tenantId === null ? 'process' : `tenant ${notice.alert.tenantId}`);
const whatOf = (notice: AlertNotice) => (notice.alert.key === '' ? notice.alert.kind : `${notice.alert.kind} (${notice.alert.key})`);

/** The text of a notification. */
export function alertText(notice: AlertNotice): string {
  if (notice.transition === 'resolved') return `✅ Resolved: ${whatOf(notice)} — ${scopeOf(notice)}`;
  const icon = notice.alert.severity === 'critical' ? '🚨' : '⚠️';
  return `${icon} ${notice.alert.severity.toUpperCase()}: ${whatOf(notice)} — ${scopeOf(notice)}\n${notice.alert.message}`;
}

/** The subject of a notification e-mail: the state, the alert and the tenant. */
export function alertSubject(notice: AlertNotice): string {
  const state = notice.transition === 'resolved' ? 'RESOLVED' : notice.alert.severity.toUpperCase();
  return `[sdr] ${state}: ${whatOf(notice)} - ${scopeOf(notice)}`;
}

/** The body of a notification e-mail: one fact a line. */
export function alertEmailText(notice: AlertNotice): string {
  return [
    `Alert ${whatOf(notice)} was ${notice.transition}.`,
    `Tenant: ${notice.alert.tenantId ?? '(process-wide)'}`,
    `State: ${notice.transition}`,
    ...(notice.transition === 'raised' ? [`Severity: ${notice.alert.severity}`, `Message: ${notice.alert.message}`] : []),
    `At: ${notice.alert.at.toISOString()}`,
    '',
  ].join('\n');
}

/** The JSON a webhook channel receives: the shape of the `alert.*` webhook events. */
export function alertPayload(notice: AlertNotice, id: string): Record<string, unknown> {
  return {
    type: `alert.${notice.transition}`,
    id,
    timestamp: notice.alert.at.toISOString(),
    tenantId: notice.alert.tenantId,
    data: notice.transition === 'raised' ? alertEventData('alert.raised', notice.alert) : alertEventData('alert.resolved', notice.alert),
  };
}

/** Refuses an SMTP host that resolves to an internal address unless those are allowed. */
async function assertPublicHost(host: string, allowPrivate: boolean): Promise<void> {
  if (allowPrivate) return;
  const addresses = isIP(host) !== 0 ? [host] : (await lookup(host, { all: true })).map((entry) => entry.address);
  const refused = addresses.find(isInternalAddress);
  if (refused !== undefined) throw new InternalAddressError(refused);
}

async function postJson(kind: string, url: string, body: unknown, timeoutMs: number): Promise<void> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  await response.text();
  if (!response.ok) throw new Error(`${kind} answered ${String(response.status)}`);
}

/** Sends `notice` to one channel; throws with a message that names the channel kind and the problem (never a secret). */
export async function notifyChannel(channel: AlertChannel, notice: AlertNotice, options: SendOptions): Promise<void> {
  switch (channel.kind) {
    case 'slack':
      return postJson('slack', channel.webhookUrl, { text: alertText(notice) }, options.timeoutMs);
    case 'telegram':
      return postJson(
        'telegram',
        `${channel.apiBaseUrl ?? 'https://api.telegram.org'}/bot${channel.botToken}/sendMessage`,
        { chat_id: channel.chatId, text: alertText(notice), disable_web_page_preview: true },
        options.timeoutMs,
      );
    case 'webhook': {
      const id = randomUUID();
      const result = await sendWebhook({
        url: channel.url,
        messageId: id,
        body: JSON.stringify(alertPayload(notice, id)),
        secrets: [channel.secret],
        timestamp: new Date(),
        allowPrivate: options.allowPrivate,
        timeoutMs: options.timeoutMs,
      });
      if (result.error !== null) throw new Error(`webhook: ${result.error}`);
      return;
    }
    case 'email': {
      await assertPublicHost(channel.host, options.allowPrivate);
      const transport = createTransport({
        host: channel.host,
        port: channel.port,
        secure: channel.security === 'tls',
        requireTLS: channel.security === 'starttls',
        ignoreTLS: channel.security === 'none',
        ...(channel.user === undefined ? {} : { auth: { user: channel.user, pass: channel.password ?? '' } }),
        connectionTimeout: options.timeoutMs,
        greetingTimeout: options.timeoutMs,
        socketTimeout: options.timeoutMs,
      });
      try {
        await transport.sendMail({
          from: channel.from,
          to: [...channel.to],
          subject: alertSubject(notice),
          text: alertEmailText(notice),
        });
      } catch (error) {
        const responseCode = (error as { responseCode?: unknown }).responseCode;
        const reason = error instanceof Error ? error.message : String(error);
        throw new Error(
          responseCode === 535 || (error as { code?: unknown }).code === 'EAUTH'
            ? `email: the SMTP server ${channel.host} refused the user and password (${reason})`
            : `email: ${reason}`,
        );
      } finally {
        transport.close();
      }
      return;
    }
  }
}
