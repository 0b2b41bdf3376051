/**
 * A tenant's alert channels (`migrations/000007_alert_channels.sql`): added, listed, changed,
 * removed and tested through the API; read by the notifier when one of the tenant's alerts is
 * raised or resolved. Secret settings are sealed by the server's `SecretBox` for the row
 * (`alert-channel:<tenant>:<id>`) and never leave it. Every method takes the tenant: another
 * tenant's channel is not found.
 */
import { randomUUID } from 'node:crypto';
import { NotFoundError, ValidationError, type Clock } from '@sdr/core';
import type { Database, Row } from '@sdr/store-postgres';
import { quoteIdentifier, serverSchema } from '../database/server-database.js';
import { alertChannelContext } from '../integrations/key-rotation.js';
import type { SecretBox } from '../integrations/secret-box.js';
import { fromJson, instant, textOrNull, toDate } from '../sandbox/sandbox-sql.js';
import { notifyChannel, type AlertTransition } from './alert-channel.js';
import {
  alertChannelTypes,
  channelOf,
  parseChannelConfig,
  redacted,
  redactedConfig,
  type AlertChannelType,
} from './alert-channel-config.js';
import type { TenantAlertChannel } from './alert-notifier.js';

/** The table of the tenants' alert channels. */
export const alertChannelsTable = `${quoteIdentifier(serverSchema)}.alert_channels`;

/** A channel as the API shows it: secrets redacted. */
export interface AlertChannelResource {
  readonly id: string;
  readonly type: AlertChannelType;
  readonly description: string | null;
  readonly events: AlertTransition[];
  readonly config: Record<string, unknown>;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** What a channel is added with (the route schema checked the shape of everything but `config`). */
export interface AlertChannelInput {
  readonly type: AlertChannelType;
  readonly config: unknown;
  readonly events?: readonly AlertTransition[] | undefined;
  readonly description?: string | undefined;
}

/** What a channel is changed with: the `config` fields given replace theirs (`null` removes one), the others (secrets too) are kept. */
export interface AlertChannelPatch {
  readonly config?: Readonly<Record<string, unknown>> | undefined;
  readonly events?: readonly AlertTransition[] | undefined;
  readonly description?: string | null | undefined;
}

/** The outcome of a test notification. */
export interface AlertChannelTestResult {
  readonly delivered: boolean;
  readonly error: string | null;
}

interface Stored {
  readonly id: string;
  readonly tenantId: string;
  readonly type: AlertChannelType;
  readonly description: string | null;
  readonly events: readonly AlertTransition[];
  readonly open: Record<string, unknown>;
  readonly sealed: string;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

const toStored = (row: Row): Stored => ({
  id: String(row['id']),
  tenantId: String(row['tenant_id']),
  type: String(row['type']) as AlertChannelType,
  description: textOrNull(row['description']),
  events: (row['events'] as string[]).filter((event): event is AlertTransition => event === 'raised' || event === 'resolved'),
  open: fromJson(row['config']) as Record<string, unknown>,
  sealed: String(row['secrets']),
  createdAt: toDate(row['created_at']),
  updatedAt: toDate(row['updated_at']),
});

/** Creates the service. */
export function createAlertChannelService(options: {
  readonly database: Database;
  readonly box: SecretBox;
  readonly clock: Clock;
  /** Whether webhooks and SMTP may reach internal addresses (`SDR_WEBHOOKS_ALLOW_PRIVATE`). */
  readonly allowPrivate: boolean;
  readonly timeoutMs?: number;
}) {
  const { database, box, clock } = options;
  const secretsOf = (stored: Stored) =>
    JSON.parse(box.open(stored.sealed, alertChannelContext(stored.tenantId, stored.id))) as Record<string, unknown>;
  const toResource = (stored: Stored): AlertChannelResource => ({
    id: stored.id,
    type: stored.type,
    description: stored.description,
    events: [...stored.events],
    config: redactedConfig(stored.type, stored.open, secretsOf(stored)),
    createdAt: stored.createdAt.toISOString(),
    updatedAt: stored.updatedAt.toISOString(),
  });
  const get = async (tenantId: string, id: string): Promise<Stored> => {
    const rows = await database.query('alert_channels.get', `SELECT * FROM ${alertChannelsTable} WHERE tenant_id = $1 AND id = $2`, [
      tenantId,
      id,
    ]);
    const row = rows[0];
    if (row === undefined) throw new NotFoundError('alert channel', id);
    return toStored(row);
  };
  const list = async (tenantId: string): Promise<Stored[]> =>
    (
      await database.query('alert_channels.list', `SELECT * FROM ${alertChannelsTable} WHERE tenant_id = $1 ORDER BY created_at, id`, [
        tenantId,
      ])
    ).map(toStored);

  return {
    async create(tenantId: string, input: AlertChannelInput): Promise<AlertChannelResource> {
      const { open, secret } = parseChannelConfig(input.type, input.config);
      const id = randomUUID();
      const now = instant(clock.now());
      const rows = await database.write(
        'alert_channels.create',
        `INSERT INTO ${alertChannelsTable} (id, tenant_id, type, description, events, config, secrets, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5::text[], $6::jsonb, $7, $8::timestamptz, $8::timestamptz) RETURNING *`,
        [
          id,
          tenantId,
          input.type,
          input.description ?? null,
          [...new Set(input.events ?? ['raised', 'resolved'])],
          JSON.stringify(open),
          box.seal(JSON.stringify(secret), alertChannelContext(tenantId, id)),
          now,
        ],
      );
      return toResource(toStored(rows[0] ?? {}));
    },

    async list(tenantId: string): Promise<AlertChannelResource[]> {
      return (await list(tenantId)).map(toResource);
    },

    async get(tenantId: string, id: string): Promise<AlertChannelResource> {
      return toResource(await get(tenantId, id));
    },

    async update(tenantId: string, id: string, patch: AlertChannelPatch): Promise<AlertChannelResource> {
      const current = await get(tenantId, id);
      // `null` removes an optional field; a secret sent back redacted, as it was shown, is kept.
      const merged = new Map(Object.entries({ ...current.open, ...secretsOf(current) }));
      for (const [field, value] of Object.entries(patch.config ?? {})) {
        if (value === null) merged.delete(field);
        else if (value !== redacted) merged.set(field, value);
      }
      const { open, secret } = parseChannelConfig(current.type, Object.fromEntries(merged));
      const rows = await database.write(
        'alert_channels.update',
        `UPDATE ${alertChannelsTable} SET description = $3, events = $4::text[], config = $5::jsonb, secrets = $6, updated_at = $7::timestamptz
         WHERE tenant_id = $1 AND id = $2 RETURNING *`,
        [
          tenantId,
          id,
          patch.description === undefined ? current.description : patch.description,
          patch.events === undefined ? [...current.events] : [...new Set(patch.events)],
          JSON.stringify(open),
          box.seal(JSON.stringify(secret), alertChannelContext(tenantId, id)),
          instant(clock.now()),
        ],
      );
      const row = rows[0];
      if (row === undefined) throw new NotFoundError('alert channel', id);
      return toResource(toStored(row));
    },

    async remove(tenantId: string, id: string): Promise<void> {
      const rows = await database.write(
        'alert_channels.delete',
        `DELETE FROM ${alertChannelsTable} WHERE tenant_id = $1 AND id = $2 RETURNING id`,
        [tenantId, id],
      );
      if (rows.length === 0) throw new NotFoundError('alert channel', id);
    },

    /** Sends a test alert through the channel now (no retry), and says how it went. */
    async test(tenantId: string, id: string): Promise<AlertChannelTestResult> {
      const stored = await get(tenantId, id);
      const channel = channelOf(stored.type, { ...stored.open, ...secretsOf(stored) });
      const alert = {
        tenantId,
        at: clock.now(),
        kind: 'test',
        key: id,
        severity: 'warning' as const,
        message: 'A test notification: this channel receives the alerts of the tenant.',
      };
      try {
        await notifyChannel(
          channel,
          { transition: 'raised', alert },
          { timeoutMs: options.timeoutMs ?? 10_000, allowPrivate: options.allowPrivate },
        );
        return { delivered: true, error: null };
      } catch (error) {
        return { delivered: false, error: error instanceof Error ? error.message : String(error) };
      }
    },

    /** The channels the notifier sends a tenant's alerts to. */
    async channelsOf(tenantId: string): Promise<TenantAlertChannel[]> {
      return (await list(tenantId)).map((stored) => ({
        id: stored.id,
        events: stored.events,
        channel: channelOf(stored.type, { ...stored.open, ...secretsOf(stored) }),
      }));
    },
  };
}

/** The alert channel service. */
export type AlertChannelService = ReturnType<typeof createAlertChannelService>;

/** Parses a channel type from the command line. */
export function parseChannelType(type: string): AlertChannelType {
  const found = alertChannelTypes.find((known) => known === type);
  if (found === undefined) throw ValidationError.forField('type', `must be one of ${alertChannelTypes.join(', ')}`);
  return found;
}
