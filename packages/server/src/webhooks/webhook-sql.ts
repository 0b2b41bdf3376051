/**
 * The SQL of the webhook tables (`migrations/000005_webhooks.sql`): endpoints, deliveries and
 * their attempts. Every statement that a tenant's request drives is filtered by `tenant_id`.
 */
import { randomUUID } from 'node:crypto';
import type { Row, SqlExecutor } from '@sdr/store-postgres';
import { quoteIdentifier, serverSchema } from '../database/server-database.js';
import { fromJson, instant, textOrNull, toDate } from '../sandbox/sandbox-sql.js';
import type { WebhookEvent, WebhookPayload } from './webhook-events.js';

const schema = quoteIdentifier(serverSchema);
export const endpointsTable = `${schema}.webhook_endpoints`;
export const deliveriesTable = `${schema}.webhook_deliveries`;
export const attemptsTable = `${schema}.webhook_attempts`;

/** A stored endpoint. */
export interface WebhookEndpoint {
  readonly id: string;
  readonly tenantId: string;
  readonly url: string;
  readonly description: string | null;
  readonly events: readonly string[];
  readonly secret: string;
  readonly previousSecret: string | null;
  readonly previousSecretExpiresAt: Date | null;
  readonly enabled: boolean;
  readonly disabledReason: string | null;
  readonly failingSince: Date | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** A stored delivery: one event for one endpoint. */
export interface WebhookDelivery {
  readonly id: string;
  readonly tenantId: string;
  readonly endpointId: string;
  readonly eventId: string;
  readonly eventType: string;
  readonly payload: WebhookPayload;
  readonly status: 'pending' | 'delivering' | 'delivered' | 'failed' | 'held';
  readonly attempts: number;
  readonly nextAttemptAt: Date;
  readonly lastStatusCode: number | null;
  readonly lastError: string | null;
  readonly createdAt: Date;
  readonly deliveredAt: Date | null;
}

/** One logged attempt. */
export interface WebhookAttempt {
  readonly attemptedAt: Date;
  readonly statusCode: number | null;
  readonly latencyMs: number;
  readonly error: string | null;
  readonly responseSnippet: string | null;
}

export function toEndpoint(row: Row): WebhookEndpoint {
  return {
    id: String(row['id']),
    tenantId: String(row['tenant_id']),
    url: String(row['url']),
    description: textOrNull(row['description']),
    events: row['events'] as string[],
    secret: String(row['secret']),
    previousSecret: textOrNull(row['previous_secret']),
    previousSecretExpiresAt: row['previous_secret_expires_at'] === null ? null : toDate(row['previous_secret_expires_at']),
    enabled: row['enabled'] === true,
    disabledReason: textOrNull(row['disabled_reason']),
    failingSince: row['failing_since'] === null ? null : toDate(row['failing_since']),
    createdAt: toDate(row['created_at']),
    updatedAt: toDate(row['updated_at']),
  };
}

export function toDelivery(row: Row): WebhookDelivery {
  return {
    id: String(row['id']),
    tenantId: String(row['tenant_id']),
    endpointId: String(row['endpoint_id']),
    eventId: String(row['event_id']),
    eventType: String(row['event_type']),
    payload: fromJson(row['payload']) as WebhookPayload,
    status: String(row['status']) as WebhookDelivery['status'],
    attempts: Number(row['attempts']),
    nextAttemptAt: toDate(row['next_attempt_at']),
    lastStatusCode: row['last_status_code'] === null ? null : Number(row['last_status_code']),
    lastError: textOrNull(row['last_error']),
    createdAt: toDate(row['created_at']),
    deliveredAt: row['delivered_at'] === null ? null : toDate(row['delivered_at']),
  };
}

/** Writes, with `sql` (the change's transaction), one delivery per event and subscribed endpoint of its tenant. */
export async function insertDeliveries(sql: SqlExecutor, events: readonly WebhookEvent[], now: Date): Promise<number> {
  let written = 0;
  const endpointsByTenant = new Map<string, WebhookEndpoint[]>();
  for (const event of events) {
    let endpoints = endpointsByTenant.get(event.tenantId);
    if (endpoints === undefined) {
      const rows = await sql.query('webhooks.endpoints_of_tenant', `SELECT * FROM ${endpointsTable} WHERE tenant_id = $1`, [
        event.tenantId,
      ]);
      endpoints = rows.map(toEndpoint);
      endpointsByTenant.set(event.tenantId, endpoints);
    }
    const subscribed = endpoints.filter((endpoint) => endpoint.events.includes(event.type));
    if (subscribed.length === 0) continue;
    const eventId = randomUUID();
    const payload: WebhookPayload = {
      type: event.type,
      id: eventId,
      timestamp: event.at.toISOString(),
      tenantId: event.tenantId,
      data: event.data,
    };
    for (const endpoint of subscribed) {
      await insertDelivery(sql, { endpoint, payload, status: endpoint.enabled ? 'pending' : 'held', now });
      written += 1;
    }
  }
  return written;
}

/** Writes one delivery of `payload` to `endpoint`. */
export async function insertDelivery(
  sql: SqlExecutor,
  input: { readonly endpoint: WebhookEndpoint; readonly payload: WebhookPayload; readonly status: 'pending' | 'held'; readonly now: Date },
): Promise<WebhookDelivery> {
  const rows = await sql.write(
    'webhooks.insert_delivery',
    `INSERT INTO ${deliveriesTable} (id, tenant_id, endpoint_id, event_id, event_type, payload, status, next_attempt_at, created_at)
     VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8::timestamptz, $8::timestamptz) RETURNING *`,
    [
      randomUUID(),
      input.endpoint.tenantId,
      input.endpoint.id,
      input.payload.id,
      input.payload.type,
      JSON.stringify(input.payload),
      input.status,
      instant(input.now),
    ],
  );
  return toDelivery(rows[0] ?? {});
}
