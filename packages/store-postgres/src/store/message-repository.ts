/**
 * PostgreSQL `MessageRepository`. A message whose provider id (per tenant and channel) is
 * already stored is not written again — `ON CONFLICT DO NOTHING` on the unique key, which also
 * settles concurrent re-deliveries: the later insert waits for the earlier one and then yields.
 */
import { SdrError, ValidationError, messageSchema, parseOrThrow, type Message, type MessageRepository } from '@sdr/core';
import type { Row } from '../database/database.js';
import { instant, isUuid, json, textOrNull, toDate } from './sql-values.js';
import type { StoreContext } from './store-context.js';

/** How many messages `listByLead` returns when the caller gives no `limit`. */
const defaultMessageListLimit = 50;

/** The message repository over `context`. */
export function createMessageRepository(context: StoreContext): MessageRepository {
  const table = `${context.schema}.messages`;
  return {
    async append(message) {
      const parsed = parseOrThrow(messageSchema, message, 'message');
      const [inserted] = await context.exec.write(
        'messages.append',
        `INSERT INTO ${table} (id, tenant_id, lead_id, direction, channel, body, media, provider_message_id, scheduled_message_id, status, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9, $10, $11::timestamptz)
         ON CONFLICT (tenant_id, channel, provider_message_id) DO NOTHING
         RETURNING *`,
        [
          parsed.id,
          parsed.tenantId,
          parsed.leadId,
          parsed.direction,
          parsed.channel,
          parsed.body,
          json(parsed.media),
          parsed.providerMessageId,
          parsed.scheduledMessageId,
          parsed.status,
          instant(parsed.createdAt),
        ],
      );
      if (inserted) return { message: toMessage(inserted), created: true };
      const [existing] = await context.exec.query(
        'messages.append',
        `SELECT * FROM ${table} WHERE tenant_id = $1 AND channel = $2 AND provider_message_id = $3`,
        [parsed.tenantId, parsed.channel, parsed.providerMessageId],
      );
      if (!existing) throw new SdrError('messages.append found neither a new nor an existing message');
      return { message: toMessage(existing), created: false };
    },

    async get(tenantId, id) {
      if (!isUuid(tenantId) || !isUuid(id)) return null;
      const [row] = await context.exec.query('messages.get', `SELECT * FROM ${table} WHERE tenant_id = $1 AND id = $2`, [tenantId, id]);
      return row ? toMessage(row) : null;
    },

    async findByProviderMessageId(tenantId, channel, providerMessageId) {
      if (!isUuid(tenantId)) return null;
      const [row] = await context.exec.query(
        'messages.findByProviderMessageId',
        `SELECT * FROM ${table} WHERE tenant_id = $1 AND channel = $2 AND provider_message_id = $3`,
        [tenantId, channel, providerMessageId],
      );
      return row ? toMessage(row) : null;
    },

    async listByLead(tenantId, leadId, options) {
      const limit = options?.limit ?? defaultMessageListLimit;
      if (!Number.isInteger(limit) || limit < 0) throw ValidationError.forField('limit', 'must be a whole number, 0 or more');
      if (limit === 0 || !isUuid(tenantId) || !isUuid(leadId)) return [];
      const before = options?.before;
      // The latest `limit`, newest first, then turned back into chronological order.
      const rows = await context.exec.query(
        'messages.listByLead',
        `SELECT * FROM ${table}
         WHERE tenant_id = $1 AND lead_id = $2 AND ($3::timestamptz IS NULL OR created_at < $3::timestamptz)
         ORDER BY created_at DESC, position DESC LIMIT $4`,
        [tenantId, leadId, before ? instant(before) : null, limit],
      );
      return rows.map(toMessage).reverse();
    },
  };
}

function toMessage(row: Row): Message {
  return {
    id: String(row['id']),
    tenantId: String(row['tenant_id']),
    leadId: String(row['lead_id']),
    direction: row['direction'] as Message['direction'],
    channel: row['channel'] as Message['channel'],
    body: String(row['body']),
    media: row['media'] as Message['media'],
    providerMessageId: textOrNull(row['provider_message_id']),
    scheduledMessageId: textOrNull(row['scheduled_message_id']),
    status: row['status'] as Message['status'],
    createdAt: toDate(row['created_at']),
  };
}
