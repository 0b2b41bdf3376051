/**
 * What Evolution reports about WhatsApp beyond messages, kept in the server schema:
 * - the delivery state of each message (`messages.update`): sent, delivered, read, played, failed —
 *   never moving backwards when updates arrive out of order;
 * - the connection of each instance (`connection.update`), and `withChannelStates`, which makes
 *   a messaging port report an instance `down` while its connection is not `open` — so the
 *   dispatcher's channel gate sends nothing through it, and raises its `channel_down` alert once
 *   the outage passes 30 minutes.
 */
import type { EvolutionConnectionState, EvolutionMessageStatus } from '@sdr/adapter-evolution';
import type { Clock, MessagingPort, PortHealth } from '@sdr/core';
import type { Database } from '@sdr/store-postgres';
import { quoteIdentifier, serverSchema } from '../database/server-database.js';
import { instant, textOrNull, toDate } from '../sandbox/sandbox-sql.js';

/** A message's delivery state as last reported. */
export interface MessageDeliveryState {
  readonly status: EvolutionMessageStatus;
  readonly updatedAt: Date;
}

/** An instance's connection as last reported. */
export interface ChannelState {
  readonly instance: string;
  readonly tenantId: string;
  readonly state: EvolutionConnectionState;
  readonly statusReason: number | null;
  /** When the instance entered `state`. */
  readonly since: Date;
}

/** The statements. */
export interface WhatsappDeliveryState {
  /** Records a status unless a later one is stored; `true` when it changed the stored state. */
  recordStatus(input: {
    readonly tenantId: string;
    readonly providerMessageId: string;
    readonly status: EvolutionMessageStatus;
    readonly at: Date;
  }): Promise<boolean>;
  status(tenantId: string, providerMessageId: string): Promise<MessageDeliveryState | null>;
  /** Records an instance's connection; `since` moves only when the state changes. */
  recordConnection(input: {
    readonly tenantId: string;
    readonly instance: string;
    readonly state: EvolutionConnectionState;
    readonly statusReason: number | undefined;
    readonly at: Date;
  }): Promise<ChannelState>;
  connection(instance: string): Promise<ChannelState | null>;
  /** Instances whose connection has not been open since `before` or earlier. */
  closedSince(before: Date): Promise<ChannelState[]>;
}

// The order of the states: an update ranked below the stored one is late and changes nothing.
const rank: Readonly<Record<EvolutionMessageStatus, number>> = { pending: 0, sent: 1, delivered: 2, read: 3, played: 4, failed: 5 };

/** The tables in `schema` (default `sdr_server`). */
export function createWhatsappDeliveryState(options: { readonly db: Database; readonly schema?: string }): WhatsappDeliveryState {
  const { db } = options;
  const schema = quoteIdentifier(options.schema ?? serverSchema);
  const statuses = `${schema}.whatsapp_message_statuses`;
  const channels = `${schema}.whatsapp_channel_states`;
  const channelOf = (row: Record<string, unknown>): ChannelState => ({
    instance: textOrNull(row['instance']) ?? '',
    tenantId: textOrNull(row['tenant_id']) ?? '',
    state: (textOrNull(row['state']) ?? 'close') as EvolutionConnectionState,
    statusReason: row['status_reason'] === null ? null : Number(row['status_reason']),
    since: toDate(row['since']),
  });

  return {
    async recordStatus({ tenantId, providerMessageId, status, at }) {
      const rows = await db.write(
        'evolution.status.record',
        `INSERT INTO ${statuses} AS stored (tenant_id, provider_message_id, status, rank, updated_at)
         VALUES ($1, $2, $3, $4, $5::timestamptz)
         ON CONFLICT (tenant_id, provider_message_id) DO UPDATE
           SET status = EXCLUDED.status, rank = EXCLUDED.rank, updated_at = EXCLUDED.updated_at
           WHERE stored.rank < EXCLUDED.rank
         RETURNING status`,
        [tenantId, providerMessageId, status, rank[status], instant(at)],
      );
      return rows.length === 1;
    },

    async status(tenantId, providerMessageId) {
      const [row] = await db.query(
        'evolution.status.get',
        `SELECT status, updated_at FROM ${statuses} WHERE tenant_id = $1 AND provider_message_id = $2`,
        [tenantId, providerMessageId],
      );
      return row === undefined
        ? null
        : { status: (textOrNull(row['status']) ?? 'pending') as EvolutionMessageStatus, updatedAt: toDate(row['updated_at']) };
    },

    async recordConnection({ tenantId, instance, state, statusReason, at }) {
      const [row] = await db.write(
        'evolution.connection.record',
        `INSERT INTO ${channels} AS stored (instance, tenant_id, state, status_reason, since, updated_at)
         VALUES ($1, $2, $3, $4, $5::timestamptz, $5::timestamptz)
         ON CONFLICT (instance) DO UPDATE
           SET tenant_id = EXCLUDED.tenant_id, status_reason = EXCLUDED.status_reason, updated_at = EXCLUDED.updated_at,
               since = CASE WHEN stored.state = EXCLUDED.state THEN stored.since ELSE EXCLUDED.since END,
               state = EXCLUDED.state
         RETURNING instance, tenant_id, state, status_reason, since`,
        [instance, tenantId, state, statusReason ?? null, instant(at)],
      );
      if (row === undefined) throw new Error(`the connection state of ${instance} was not written`);
      return channelOf(row);
    },

    async connection(instance) {
      const [row] = await db.query(
        'evolution.connection.get',
        `SELECT instance, tenant_id, state, status_reason, since FROM ${channels} WHERE instance = $1`,
        [instance],
      );
      return row === undefined ? null : channelOf(row);
    },

    async closedSince(before) {
      const rows = await db.query(
        'evolution.connection.closed',
        `SELECT instance, tenant_id, state, status_reason, since FROM ${channels} WHERE state <> 'open' AND since <= $1::timestamptz`,
        [instant(before)],
      );
      return rows.map(channelOf);
    },
  };
}

/**
 * `messaging`, whose `health` says `down` for an instance whose last reported connection is not
 * `open` (and asks `messaging` otherwise). Sends go through unchanged.
 */
export function withChannelStates<Port extends MessagingPort>(
  messaging: Port,
  input: { readonly states: Pick<WhatsappDeliveryState, 'connection'>; readonly clock: Clock },
): Port {
  const health = async (query: { readonly instance: string }, options?: Parameters<MessagingPort['health']>[1]): Promise<PortHealth> => {
    const reported = await input.states.connection(query.instance);
    if (reported !== null && reported.state !== 'open') {
      return {
        status: 'down',
        detail: `WhatsApp connection ${reported.state} since ${reported.since.toISOString()}`,
        checkedAt: input.clock.now(),
      };
    }
    return messaging.health(query, options);
  };
  return new Proxy(messaging, {
    get(target, property, receiver) {
      if (property === 'health') return health;
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
