/**
 * Webhooks of a server: the transactional sink that writes a delivery per subscribed endpoint in
 * the transaction of every change (a dispatcher's final failure and an alert's raise or resolve
 * included), and the management of endpoints and deliveries the routes call. Every method takes the tenant: another tenant's endpoint or
 * delivery is not found.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import {
  addTransactionalSink,
  NotFoundError,
  ValidationError,
  ConflictError,
  type Clock,
  type DeferredEvent,
  type DomainEvents,
} from '@sdr/core';
import { transactionSql, type Database, type SqlExecutor } from '@sdr/store-postgres';
import { instant, textOrNull, toDate } from '../sandbox/sandbox-sql.js';
import { toWebhookEvent, type WebhookEvent, type WebhookPayload } from './webhook-events.js';
import {
  attemptsTable,
  deliveriesTable,
  endpointsTable,
  insertDeliveries,
  insertDelivery,
  toDelivery,
  toEndpoint,
  type WebhookAttempt,
  type WebhookDelivery,
  type WebhookEndpoint,
} from './webhook-sql.js';

/** How long the previous secret still signs after a rotation. */
export const previousSecretValidityMs = 24 * 60 * 60 * 1000;

/** A new signing secret: `whsec_` and 32 random bytes in base64. */
export function newSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/** What an endpoint is created or changed with (already validated by the route schema). */
export interface EndpointInput {
  readonly url?: string | undefined;
  readonly events?: readonly string[] | undefined;
  readonly description?: string | null | undefined;
  readonly enabled?: boolean | undefined;
}

/** Wires webhooks on `events` and returns the management API. */
export function createWebhookService(options: { readonly database: Database; readonly events: DomainEvents; readonly clock: Clock }) {
  const { database, clock } = options;

  const record = async (sql: SqlExecutor, events: readonly DeferredEvent[], tx: Parameters<typeof toWebhookEvent>[1]) => {
    const mapped: WebhookEvent[] = [];
    for (const event of events) {
      const webhookEvent = await toWebhookEvent(event, tx);
      if (webhookEvent !== null) mapped.push(webhookEvent);
    }
    if (mapped.length > 0) await insertDeliveries(sql, mapped, clock.now());
  };

  // Inside the change's transaction: the delivery commits or rolls back with it.
  const removeSink = addTransactionalSink(options.events, async (tx, events) => {
    const sql = transactionSql(tx);
    if (sql === null) throw new Error('webhooks need the PostgreSQL store: its transaction carries their deliveries');
    await record(sql, events, tx);
  });

  const getEndpoint = async (tenantId: string, id: string): Promise<WebhookEndpoint> => {
    const rows = await database.query('webhooks.get_endpoint', `SELECT * FROM ${endpointsTable} WHERE tenant_id = $1 AND id = $2`, [
      tenantId,
      id,
    ]);
    const row = rows[0];
    if (row === undefined) throw new NotFoundError('webhook endpoint', id);
    return toEndpoint(row);
  };

  const getDelivery = async (tenantId: string, id: string): Promise<WebhookDelivery> => {
    const rows = await database.query('webhooks.get_delivery', `SELECT * FROM ${deliveriesTable} WHERE tenant_id = $1 AND id = $2`, [
      tenantId,
      id,
    ]);
    const row = rows[0];
    if (row === undefined) throw new NotFoundError('webhook delivery', id);
    return toDelivery(row);
  };

  return {
    /** The database the deliveries are in (the delivery worker's). */
    database,
    /** Unhooks the sink. */
    close() {
      removeSink();
    },

    async createEndpoint(
      tenantId: string,
      input: EndpointInput & { readonly url: string; readonly events: readonly string[] },
    ): Promise<WebhookEndpoint> {
      const now = instant(clock.now());
      const rows = await database.write(
        'webhooks.create_endpoint',
        `INSERT INTO ${endpointsTable} (id, tenant_id, url, description, events, secret, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5::text[], $6, $7::timestamptz, $7::timestamptz) RETURNING *`,
        [randomUUID(), tenantId, input.url, input.description ?? null, [...new Set(input.events)], newSecret(), now],
      );
      return toEndpoint(rows[0] ?? {});
    },

    async listEndpoints(tenantId: string): Promise<WebhookEndpoint[]> {
      const rows = await database.query(
        'webhooks.list_endpoints',
        `SELECT * FROM ${endpointsTable} WHERE tenant_id = $1 ORDER BY created_at, id`,
        [tenantId],
      );
      return rows.map(toEndpoint);
    },

    getEndpoint,

    async updateEndpoint(tenantId: string, id: string, input: EndpointInput): Promise<WebhookEndpoint> {
      const current = await getEndpoint(tenantId, id);
      const enabled = input.enabled ?? current.enabled;
      const rows = await database.write(
        'webhooks.update_endpoint',
        `UPDATE ${endpointsTable} SET url = $3, events = $4::text[], description = $5, enabled = $6,
           disabled_reason = CASE WHEN $6 THEN NULL ELSE COALESCE(disabled_reason, 'disabled by the tenant') END,
           failing_since = CASE WHEN $6 AND NOT enabled THEN NULL ELSE failing_since END, updated_at = $7::timestamptz
         WHERE tenant_id = $1 AND id = $2 RETURNING *`,
        [
          tenantId,
          id,
          input.url ?? current.url,
          input.events === undefined ? [...current.events] : [...new Set(input.events)],
          input.description === undefined ? current.description : input.description,
          enabled,
          instant(clock.now()),
        ],
      );
      return toEndpoint(rows[0] ?? {});
    },

    async deleteEndpoint(tenantId: string, id: string): Promise<void> {
      const rows = await database.write(
        'webhooks.delete_endpoint',
        `DELETE FROM ${endpointsTable} WHERE tenant_id = $1 AND id = $2 RETURNING id`,
        [tenantId, id],
      );
      if (rows.length === 0) throw new NotFoundError('webhook endpoint', id);
    },

    /** A new secret; the current one keeps signing (beside it) for 24 hours. */
    async rotateSecret(tenantId: string, id: string): Promise<WebhookEndpoint> {
      const now = clock.now();
      const rows = await database.write(
        'webhooks.rotate_secret',
        `UPDATE ${endpointsTable} SET previous_secret = secret, previous_secret_expires_at = $3::timestamptz, secret = $4, updated_at = $5::timestamptz
         WHERE tenant_id = $1 AND id = $2 RETURNING *`,
        [tenantId, id, instant(new Date(now.getTime() + previousSecretValidityMs)), newSecret(), instant(now)],
      );
      const row = rows[0];
      if (row === undefined) throw new NotFoundError('webhook endpoint', id);
      return toEndpoint(row);
    },

    /** Queues a `ping` to the endpoint (also a disabled one: the test is how its owner checks it again). */
    async ping(tenantId: string, id: string): Promise<WebhookDelivery> {
      const endpoint = await getEndpoint(tenantId, id);
      const now = clock.now();
      const payload: WebhookPayload = { type: 'ping', id: randomUUID(), timestamp: now.toISOString(), tenantId, data: { endpointId: id } };
      return insertDelivery(database, { endpoint, payload, status: 'pending', now });
    },

    async listDeliveries(
      tenantId: string,
      filter: { readonly endpointId?: string | undefined; readonly status?: string | undefined; readonly limit: number },
    ): Promise<WebhookDelivery[]> {
      const rows = await database.query(
        'webhooks.list_deliveries',
        `SELECT * FROM ${deliveriesTable} WHERE tenant_id = $1 AND ($2::uuid IS NULL OR endpoint_id = $2::uuid) AND ($3::text IS NULL OR status = $3)
         ORDER BY created_at DESC, id DESC LIMIT $4`,
        [tenantId, filter.endpointId ?? null, filter.status ?? null, filter.limit],
      );
      return rows.map(toDelivery);
    },

    async deliveryWithAttempts(
      tenantId: string,
      id: string,
    ): Promise<{ readonly delivery: WebhookDelivery; readonly attempts: WebhookAttempt[] }> {
      const delivery = await getDelivery(tenantId, id);
      const rows = await database.query('webhooks.attempts', `SELECT * FROM ${attemptsTable} WHERE delivery_id = $1 ORDER BY id`, [id]);
      const attempts = rows.map((row) => ({
        attemptedAt: toDate(row['attempted_at']),
        statusCode: row['status_code'] === null ? null : Number(row['status_code']),
        latencyMs: Number(row['latency_ms']),
        error: textOrNull(row['error']),
        responseSnippet: textOrNull(row['response_snippet']),
      }));
      return { delivery, attempts };
    },

    /** Queues a delivery again now (a failed one, or one held while its endpoint was disabled). */
    async retryDelivery(tenantId: string, id: string): Promise<WebhookDelivery> {
      const delivery = await getDelivery(tenantId, id);
      const endpoint = await getEndpoint(tenantId, delivery.endpointId);
      if (!endpoint.enabled)
        throw new ConflictError(`webhook endpoint ${endpoint.id} is disabled: enable it before replaying its deliveries`);
      if (delivery.status === 'delivering') throw new ConflictError(`webhook delivery ${id} is being delivered right now`);
      const rows = await database.write(
        'webhooks.retry_delivery',
        `UPDATE ${deliveriesTable} SET status = 'pending', attempts = 0, next_attempt_at = $3::timestamptz WHERE tenant_id = $1 AND id = $2 RETURNING *`,
        [tenantId, id, instant(clock.now())],
      );
      return toDelivery(rows[0] ?? {});
    },
  };
}

export type WebhookService = ReturnType<typeof createWebhookService>;

/** Rejects an URL a webhook cannot be sent to. */
export function assertWebhookUrl(url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw ValidationError.forField('url', 'is not an absolute URL');
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw ValidationError.forField('url', 'must be an http or https URL');
  if (parsed.username !== '' || parsed.password !== '') throw ValidationError.forField('url', 'must not carry credentials');
}
