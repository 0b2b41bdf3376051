/**
 * `createSandboxMessaging`: the sandbox WhatsApp channel of the embedded default. Nothing leaves
 * the machine: every accepted send is a row of `sandbox_messages`, which the sandbox routes show
 * as "what the channel sent". The rows live in the database, so the worker that sends and the
 * API that shows them (and a restarted server) agree.
 *
 * Like the provider it stands in for, it deduplicates on the idempotency key (a repeated key
 * returns the first send's result and writes nothing), lets an operator mark an instance down
 * (its sends fail, retryably, and its health says so) and knows numbers that are "not on
 * WhatsApp" (a send to one fails for good). A call whose signal has already aborted rejects with
 * an `AbortedError` before any statement.
 */
import { randomUUID } from 'node:crypto';
import {
  type PhoneNumber,
  maxMessageLength,
  ProviderUnavailableError,
  RecipientUnreachableError,
  throwIfAborted,
  ValidationError,
  type Clock,
  type MessagingPort,
  type PortHealth,
  type SendResult,
} from '@sdr/core';
import type { Database, Row } from '@sdr/store-postgres';
import { quoteIdentifier } from '../database/server-database.js';
import { fromJson, instant, sandboxTable, textOrNull, toDate } from './sandbox-sql.js';

/** The `provider` name of the sandbox channel. */
export const sandboxMessagingProvider = 'sandbox';

/** Options of `createSandboxMessaging`. */
export interface SandboxMessagingOptions {
  readonly db: Database;
  /** The server schema holding the sandbox tables (default `sdr_server`). */
  readonly schema?: string;
  /** The store's schema, whose scheduled messages tie a send to its tenant (default `sdr`). */
  readonly storeSchema?: string;
  /** Stamps sends and health checks (the sandbox clock, so sends follow its virtual time). */
  readonly clock: Clock;
  /**
   * Whose channel this is (the tenant id): instances are the account's own, so two tenants naming
   * the same instance never share its health. Default: the empty account.
   */
  readonly account?: string;
}

/** Media as the sandbox records it (the bytes are not kept, only their size). */
export interface SandboxMediaRecord {
  readonly contentType: string;
  readonly url?: string;
  readonly fileName?: string;
  readonly size?: number;
}

/** One message the sandbox channel accepted. */
export interface SandboxSentMessage {
  readonly providerMessageId: string;
  readonly idempotencyKey: string;
  readonly instance: string;
  /** E.164 recipient. */
  readonly to: string;
  /** The text, or the caption of a media message (empty when it had none). */
  readonly text: string;
  readonly media: SandboxMediaRecord | null;
  readonly acceptedAt: Date;
  /** The lead the message went to, when the send was a scheduled message of the store. */
  readonly leadId: string | null;
  /** The scheduled message's kind (`reengage_1`, `reminder_24h`, …), when there is one. */
  readonly kind: string | null;
}

/** Filters of `list`. */
export interface SandboxMessageQuery {
  /** Only the sends of this tenant's scheduled messages (the dispatcher sends with their id as key). */
  readonly tenantId?: string;
  readonly instance?: string;
  readonly to?: PhoneNumber;
  /** Only messages accepted strictly after this instant. */
  readonly after?: Date;
  /** At most this many, newest first (1–500). */
  readonly limit: number;
}

/** The sandbox `MessagingPort`, plus the controls the sandbox routes and tests use. */
export interface SandboxMessaging extends MessagingPort {
  /** Marks an instance of this account down (its sends fail, retryably) or up again. Shared by every process. */
  setInstanceHealth(instance: string, status: 'up' | 'down', detail?: string): Promise<void>;
  /** From now on a send to `phone` fails for good, as to a number that is not on WhatsApp. */
  markNotOnWhatsApp(phone: PhoneNumber): Promise<void>;
  /** What the channel sent, newest first. */
  list(query: SandboxMessageQuery): Promise<SandboxSentMessage[]>;
}

interface SendInput {
  readonly instance: string;
  readonly to: PhoneNumber;
  readonly text: string;
  readonly idempotencyKey: string;
  readonly media: SandboxMediaRecord | null;
}

/** Creates the sandbox channel over the server's tables (migrated by `migrateServer`). */
export function createSandboxMessaging(options: SandboxMessagingOptions): SandboxMessaging {
  const { db, clock } = options;
  const account = options.account ?? '';
  const messages = sandboxTable(options.schema, 'sandbox_messages');
  const instances = sandboxTable(options.schema, 'sandbox_channel_instances');
  const unreachable = sandboxTable(options.schema, 'sandbox_unreachable_numbers');
  const storeSchema = quoteIdentifier(options.storeSchema ?? 'sdr', 'storeSchema');
  const scheduled = `${storeSchema}.scheduled_messages`;
  // A message sent outside a scheduled message (the agent's reply) finds its lead in the conversation it was recorded in.
  const storeMessages = `${storeSchema}.messages`;

  const instanceStatus = async (instance: string): Promise<{ status: 'up' | 'down'; detail: string | null }> => {
    const [row] = await db.query(
      'sandbox.messaging.instance',
      `SELECT status, detail FROM ${instances} WHERE account = $1 AND instance = $2`,
      [account, instance],
    );
    return row?.['status'] === 'down' ? { status: 'down', detail: textOrNull(row['detail']) } : { status: 'up', detail: null };
  };

  const findByKey = async (idempotencyKey: string): Promise<SendResult | null> => {
    const [row] = await db.query(
      'sandbox.messaging.find',
      `SELECT provider_message_id, accepted_at FROM ${messages} WHERE idempotency_key = $1`,
      [idempotencyKey],
    );
    return row ? toSendResult(row) : null;
  };

  const send = async (input: SendInput): Promise<SendResult> => {
    assertText('instance', input.instance, 100);
    assertText('idempotencyKey', input.idempotencyKey, 200);
    const health = await instanceStatus(input.instance);
    if (health.status === 'down') {
      throw new ProviderUnavailableError({
        provider: sandboxMessagingProvider,
        operation: 'send',
        message: `instance ${input.instance} is not connected`,
      });
    }
    const previous = await findByKey(input.idempotencyKey);
    if (previous) return previous;
    const [blocked] = await db.query('sandbox.messaging.unreachable', `SELECT 1 AS found FROM ${unreachable} WHERE phone = $1`, [
      input.to.e164,
    ]);
    if (blocked)
      throw new RecipientUnreachableError({
        channel: 'whatsapp',
        provider: sandboxMessagingProvider,
        message: 'the recipient is not on WhatsApp',
      });
    const [inserted] = await db.write(
      'sandbox.messaging.send',
      `INSERT INTO ${messages} (provider_message_id, idempotency_key, instance, recipient, body, media, accepted_at, account)
       VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::timestamptz, $8)
       ON CONFLICT (idempotency_key) DO NOTHING
       RETURNING provider_message_id, accepted_at`,
      [
        `SANDBOX${randomUUID().replace(/-/g, '').toUpperCase()}`,
        input.idempotencyKey,
        input.instance,
        input.to.e164,
        input.text,
        input.media === null ? null : JSON.stringify(input.media),
        instant(clock.now()),
        account,
      ],
    );
    if (inserted) return toSendResult(inserted);
    // Another process sent with this key meanwhile: its send is the one that counts.
    const raced = await findByKey(input.idempotencyKey);
    if (!raced) throw ValidationError.forField('idempotencyKey', 'was taken and released while sending; send again');
    return raced;
  };

  return {
    contractVersion: 'v1',
    provider: sandboxMessagingProvider,
    channel: 'whatsapp',
    capabilities: Object.freeze({ media: true, idempotentSends: true }),

    async sendText(input, options) {
      throwIfAborted(options, { provider: sandboxMessagingProvider, operation: 'sendText' });
      assertText('text', input.text, maxMessageLength);
      return send({ instance: input.instance, to: input.to, text: input.text, idempotencyKey: input.idempotencyKey, media: null });
    },

    async sendMedia(input, options) {
      throwIfAborted(options, { provider: sandboxMessagingProvider, operation: 'sendMedia' });
      const { media } = input;
      assertText('media.contentType', media.contentType, 200);
      if (media.url === undefined && media.data === undefined) throw ValidationError.forField('media', 'needs a url or the data');
      return send({
        instance: input.instance,
        to: input.to,
        text: input.caption ?? '',
        idempotencyKey: input.idempotencyKey,
        media: {
          contentType: media.contentType,
          ...(media.url === undefined ? {} : { url: media.url }),
          ...(media.fileName === undefined ? {} : { fileName: media.fileName }),
          ...(media.data === undefined ? {} : { size: media.data.byteLength }),
        },
      });
    },

    async health(input, options): Promise<PortHealth> {
      throwIfAborted(options, { provider: sandboxMessagingProvider, operation: 'health' });
      const { status, detail } = await instanceStatus(input.instance);
      const checkedAt = clock.now();
      if (status === 'up') return { status, checkedAt };
      return { status, detail: detail ?? `instance ${input.instance} is down`, checkedAt };
    },

    async setInstanceHealth(instance, status, detail) {
      assertText('instance', instance, 100);
      if (detail !== undefined && detail.length > 500) throw ValidationError.forField('detail', 'must be at most 500 characters');
      await db.write(
        'sandbox.messaging.setInstanceHealth',
        `INSERT INTO ${instances} (account, instance, status, detail, updated_at) VALUES ($1, $2, $3, $4, $5::timestamptz)
         ON CONFLICT (account, instance) DO UPDATE SET status = excluded.status, detail = excluded.detail, updated_at = excluded.updated_at`,
        [account, instance, status, detail ?? null, instant(clock.now())],
      );
    },

    async markNotOnWhatsApp(phone) {
      await db.write(
        'sandbox.messaging.markNotOnWhatsApp',
        `INSERT INTO ${unreachable} (phone, created_at) VALUES ($1, $2::timestamptz) ON CONFLICT (phone) DO NOTHING`,
        [phone.e164, instant(clock.now())],
      );
    },

    async list(query) {
      if (!Number.isInteger(query.limit) || query.limit < 1 || query.limit > 500) {
        throw ValidationError.forField('limit', 'must be a whole number from 1 to 500');
      }
      const params: unknown[] = [];
      const conditions: string[] = [];
      const parameter = (value: unknown) => {
        params.push(value);
        return `$${params.length}`;
      };
      if (query.tenantId !== undefined) {
        // The channel's own sends (the agent's replies among them), and those written before sends named their account.
        const tenant = parameter(query.tenantId);
        conditions.push(`(m.account = ${tenant} OR (m.account IS NULL AND s.tenant_id::text = ${tenant}))`);
      }
      if (query.instance !== undefined) conditions.push(`m.instance = ${parameter(query.instance)}`);
      if (query.to !== undefined) conditions.push(`m.recipient = ${parameter(query.to.e164)}`);
      if (query.after !== undefined) conditions.push(`m.accepted_at > ${parameter(instant(query.after))}::timestamptz`);
      const rows = await db.query(
        'sandbox.messaging.list',
        `SELECT m.*, COALESCE(s.lead_id, o.lead_id) AS lead_id, s.kind FROM ${messages} m
         LEFT JOIN ${scheduled} s ON s.id::text = m.idempotency_key
         LEFT JOIN ${storeMessages} o
           ON o.tenant_id = (CASE WHEN m.account ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' THEN m.account::uuid END)
          AND o.channel = 'whatsapp' AND o.provider_message_id = m.provider_message_id
         ${conditions.length === 0 ? '' : `WHERE ${conditions.join(' AND ')}`}
         ORDER BY m.accepted_at DESC, m.sequence DESC LIMIT ${parameter(query.limit)}`,
        params,
      );
      return rows.map(toSentMessage);
    },
  };
}

function assertText(field: string, value: string, maxLength: number): void {
  if (value.trim() === '') throw ValidationError.forField(field, 'must not be empty');
  if (value.length > maxLength) throw ValidationError.forField(field, `must be at most ${maxLength} characters`);
}

function toSendResult(row: Row): SendResult {
  return { providerMessageId: String(row['provider_message_id']), acceptedAt: toDate(row['accepted_at']) };
}

function toSentMessage(row: Row): SandboxSentMessage {
  return {
    providerMessageId: String(row['provider_message_id']),
    idempotencyKey: String(row['idempotency_key']),
    instance: String(row['instance']),
    to: String(row['recipient']),
    text: String(row['body']),
    media: row['media'] === null || row['media'] === undefined ? null : (fromJson(row['media']) as SandboxMediaRecord),
    acceptedAt: toDate(row['accepted_at']),
    leadId: textOrNull(row['lead_id']),
    kind: textOrNull(row['kind']),
  };
}
