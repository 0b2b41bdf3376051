/**
 * The delivery worker: each pass claims due deliveries (`FOR UPDATE SKIP LOCKED`, with a lease
 * so that a crashed worker's claims come back), POSTs them, logs every attempt and settles each:
 * delivered on a 2xx, otherwise due again after the next delay of `retryDelaysMs` (about three
 * days in all), then failed. An endpoint that has failed for `disableAfterMs` (5 days) is
 * disabled with an alert; what it would have received is held, for replay.
 */
import { raiseAlert, systemClock, type Clock, type DomainEvents, type Logger, type Store } from '@sdr/core';
import type { Database, SqlExecutor } from '@sdr/store-postgres';
import { instant } from '../sandbox/sandbox-sql.js';
import { sendWebhook, type SendResult } from './webhook-sender.js';
import {
  attemptsTable,
  deliveriesTable,
  endpointsTable,
  toDelivery,
  toEndpoint,
  type WebhookDelivery,
  type WebhookEndpoint,
} from './webhook-sql.js';

const second = 1_000;
const minute = 60 * second;
const hour = 60 * minute;

/** Delays before the 2nd, 3rd, … attempt: 11 attempts over about 69 hours. */
export const retryDelaysMs: readonly number[] = [
  5 * second,
  minute,
  5 * minute,
  30 * minute,
  2 * hour,
  5 * hour,
  10 * hour,
  12 * hour,
  15 * hour,
  24 * hour,
];

/** The alert kind of a disabled endpoint. */
export const endpointDisabledAlertKind = 'webhook_endpoint_disabled';

/** Options of the delivery worker. */
export interface WebhookWorkerOptions {
  readonly database: Database;
  readonly store: Store;
  /** Schedules (claims, retries, the 5 days): the server's clock. */
  readonly clock: Clock;
  /** Stamps `webhook-timestamp`: wall time, as receivers check it against theirs. Default: the system clock. */
  readonly signingClock?: Clock;
  readonly events?: DomainEvents | undefined;
  readonly logger: Logger;
  readonly workerId: string;
  readonly allowPrivate: boolean;
  /** Deliveries claimed per pass (default 50). */
  readonly batchSize?: number;
  readonly leaseMs?: number;
  readonly timeoutMs?: number;
  readonly disableAfterMs?: number;
}

/** What a pass did. */
export interface WebhookPassReport {
  readonly claimed: number;
  readonly delivered: number;
  readonly failed: number;
}

/** The worker; `runOnce` is one pass (the runtime calls it in its loop). */
export function createWebhookWorker(options: WebhookWorkerOptions) {
  const { database, clock, logger, workerId } = options;
  const signingClock = options.signingClock ?? systemClock;
  const batchSize = options.batchSize ?? 50;
  const leaseMs = options.leaseMs ?? 60_000;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const disableAfterMs = options.disableAfterMs ?? 5 * 24 * hour;

  const claim = async (now: Date): Promise<WebhookDelivery[]> => {
    const rows = await database.write(
      'webhooks.claim',
      `UPDATE ${deliveriesTable} AS d SET status = 'delivering', locked_by = $1, lease_expires_at = $2::timestamptz
       FROM (SELECT id FROM ${deliveriesTable}
             WHERE (status = 'pending' AND next_attempt_at <= $3::timestamptz)
                OR (status = 'delivering' AND lease_expires_at <= $3::timestamptz)
             ORDER BY next_attempt_at LIMIT $4 FOR UPDATE SKIP LOCKED) AS due
       WHERE d.id = due.id RETURNING d.*`,
      [workerId, instant(new Date(now.getTime() + leaseMs)), instant(now), batchSize],
    );
    return rows.map(toDelivery);
  };

  const endpointsOf = async (deliveries: readonly WebhookDelivery[]): Promise<Map<string, WebhookEndpoint>> => {
    const ids = [...new Set(deliveries.map((delivery) => delivery.endpointId))];
    if (ids.length === 0) return new Map();
    const rows = await database.query('webhooks.endpoints_by_id', `SELECT * FROM ${endpointsTable} WHERE id = ANY($1::uuid[])`, [ids]);
    return new Map(rows.map(toEndpoint).map((endpoint) => [endpoint.id, endpoint]));
  };

  const settle = async (delivery: WebhookDelivery, endpoint: WebhookEndpoint, result: SendResult, now: Date): Promise<boolean> => {
    const delivered = result.error === null;
    const attempts = delivery.attempts + 1;
    const delay = retryDelaysMs[attempts - 1];
    const disable = !delivered && endpoint.failingSince !== null && now.getTime() - endpoint.failingSince.getTime() >= disableAfterMs;
    const status = delivered ? 'delivered' : disable ? 'held' : delay === undefined ? 'failed' : 'pending';
    const next = delivered || delay === undefined ? now : new Date(now.getTime() + delay);
    const settled = await database.transaction(async (sql: SqlExecutor) => {
      const rows = await sql.write(
        'webhooks.settle',
        `UPDATE ${deliveriesTable} SET status = $3, attempts = $4, next_attempt_at = $5::timestamptz, last_status_code = $6,
           last_error = $7, delivered_at = CASE WHEN $3 = 'delivered' THEN $8::timestamptz ELSE delivered_at END,
           locked_by = NULL, lease_expires_at = NULL
         WHERE id = $1 AND locked_by = $2 AND status = 'delivering' RETURNING id`,
        [delivery.id, workerId, status, attempts, instant(next), result.statusCode, result.error, instant(now)],
      );
      if (rows.length === 0) return false;
      await sql.write(
        'webhooks.log_attempt',
        `INSERT INTO ${attemptsTable} (delivery_id, attempted_at, status_code, latency_ms, error, response_snippet) VALUES ($1, $2::timestamptz, $3, $4, $5, $6)`,
        [delivery.id, instant(now), result.statusCode, result.latencyMs, result.error, result.responseSnippet],
      );
      await sql.write(
        'webhooks.endpoint_health',
        delivered
          ? `UPDATE ${endpointsTable} SET failing_since = NULL WHERE id = $1`
          : `UPDATE ${endpointsTable} SET failing_since = COALESCE(failing_since, $2::timestamptz) WHERE id = $1`,
        delivered ? [endpoint.id] : [endpoint.id, instant(now)],
      );
      if (disable) {
        await sql.write(
          'webhooks.disable_endpoint',
          `UPDATE ${endpointsTable} SET enabled = false, disabled_reason = $2, updated_at = $3::timestamptz WHERE id = $1`,
          [endpoint.id, 'failing for 5 days', instant(now)],
        );
        await sql.write('webhooks.hold', `UPDATE ${deliveriesTable} SET status = 'held' WHERE endpoint_id = $1 AND status = 'pending'`, [
          endpoint.id,
        ]);
      }
      return true;
    });
    if (settled && disable) await raiseDisabledAlert(endpoint, now);
    return settled;
  };

  const raiseDisabledAlert = async (endpoint: WebhookEndpoint, now: Date) => {
    const message = `webhook endpoint ${endpoint.url} failed for 5 days and was disabled; its events are held for replay`;
    const alert = {
      tenantId: endpoint.tenantId,
      kind: endpointDisabledAlertKind,
      key: endpoint.id,
      severity: 'critical' as const,
      message,
    };
    // The alert and its own `alert.raised` deliveries (to the tenant's other endpoints) commit together.
    await raiseAlert(options, { ...alert, details: { endpointId: endpoint.id }, now });
    logger.warn({ tenantId: endpoint.tenantId, endpointId: endpoint.id }, 'webhook endpoint disabled after 5 days of failures');
  };

  return {
    workerId,
    /** One pass: claims what is due, delivers it, settles each. */
    async runOnce(): Promise<WebhookPassReport> {
      const now = clock.now();
      const claimed = await claim(now);
      const endpoints = await endpointsOf(claimed);
      const outcomes = await Promise.all(
        claimed.map(async (delivery) => {
          const endpoint = endpoints.get(delivery.endpointId);
          if (endpoint === undefined) return false;
          const active = [endpoint.secret];
          if (endpoint.previousSecret !== null && endpoint.previousSecretExpiresAt !== null && endpoint.previousSecretExpiresAt > now) {
            active.push(endpoint.previousSecret);
          }
          const result = await sendWebhook({
            url: endpoint.url,
            messageId: delivery.id,
            body: JSON.stringify(delivery.payload),
            secrets: active,
            timestamp: signingClock.now(),
            allowPrivate: options.allowPrivate,
            timeoutMs,
          });
          await settle(delivery, endpoint, result, clock.now());
          return result.error === null;
        }),
      );
      const delivered = outcomes.filter(Boolean).length;
      return { claimed: claimed.length, delivered, failed: claimed.length - delivered };
    },
  };
}

export type WebhookWorker = ReturnType<typeof createWebhookWorker>;
