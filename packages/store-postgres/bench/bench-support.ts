/**
 * What the PostgreSQL benchmarks share: a throw-away database on the server named by
 * `DATABASE_URL` (default: the local server), the bench tenant and lead, bulk-scheduled due
 * messages, a no-op channel that counts sends, and the dispatch handler that sends them.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import {
  PhoneNumber,
  parseOrThrow,
  tenantSchema,
  type DispatchHandler,
  type MessagingPort,
  type SendResult,
  type SendTextInput,
} from '@sdr/core';
import { migrate } from '../src/migrations/migrate.js';

/** The server the benchmarks run on. */
export const serverUrl = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

/** The URL of `database` on the bench server. */
export function urlOf(database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/** Creates a fresh, migrated database; `drop` removes it. */
export async function createBenchDatabase(prefix: string): Promise<{ readonly name: string; readonly url: string; drop(): Promise<void> }> {
  const name = `${prefix}_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const pool = new pg.Pool({ connectionString: urlOf(name), max: 1 });
  await migrate({ db: pool });
  await pool.end();
  return {
    name,
    url: urlOf(name),
    drop: async () => {
      const dropper = new pg.Client({ connectionString: serverUrl });
      await dropper.connect();
      await dropper.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await dropper.end();
    },
  };
}

/** A pool that survives its database being dropped under it at the end. */
export function benchPool(url: string, max: number): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max });
  pool.on('error', () => undefined);
  return pool;
}

/** The bench tenant and one lead, created with plain SQL. */
export async function seedTenant(pool: pg.Pool): Promise<{ readonly tenantId: string; readonly leadId: string }> {
  const now = new Date();
  const tenant = parseOrThrow(tenantSchema, {
    id: randomUUID(),
    name: 'Bench',
    timeZone: 'America/Sao_Paulo',
    createdAt: now,
    updatedAt: now,
    version: 0,
  });
  const { id, name, createdAt, updatedAt, version, ...config } = tenant;
  await pool.query('INSERT INTO sdr.tenants (id, name, config, created_at, updated_at, version) VALUES ($1, $2, $3::jsonb, $4, $5, $6)', [
    id,
    name,
    JSON.stringify(config),
    createdAt.toISOString(),
    updatedAt.toISOString(),
    version,
  ]);
  const leadId = randomUUID();
  await pool.query(
    `INSERT INTO sdr.leads (id, tenant_id, phone, stage, automation, created_at, updated_at) VALUES ($1, $2, '+5511987654321', 'new', 'active', $3, $3)`,
    [leadId, id, now.toISOString()],
  );
  return { tenantId: id, leadId };
}

/** `count` pending `reengage_1` rows, all due now, inserted in one statement. */
export async function scheduleDue(
  pool: pg.Pool,
  input: { readonly tenantId: string; readonly leadId: string; readonly count: number; readonly tag: string },
) {
  await pool.query(
    `INSERT INTO sdr.scheduled_messages (id, tenant_id, lead_id, kind, channel, dedupe_key, due_at, status, attempts, payload, created_at, updated_at)
     SELECT gen_random_uuid(), $1, $2, 'reengage_1', 'whatsapp', $3 || ':' || n, now() - interval '1 minute', 'pending', 0, '{}', now(), now()
     FROM generate_series(1, $4) AS n`,
    [input.tenantId, input.leadId, input.tag, input.count],
  );
}

const to = PhoneNumber.parse('+5511987654321');

/** Sends every `reengage_1` it is given, at once, whatever the hour. */
export const noopHandler: DispatchHandler = {
  kinds: ['reengage_1'],
  prepare: (_message, context) =>
    Promise.resolve({
      action: 'send',
      to,
      text: 'Oi! Ainda tem interesse?',
      instance: context.tenant.messaging.instance,
      businessHours: 'ignore',
    }),
};

/** A channel that sends nothing and calls `record` with each idempotency key (the scheduled-message id). */
export function noopChannel(record: (idempotencyKey: string) => void | Promise<void>): MessagingPort {
  const checkedAt = new Date();
  return {
    contractVersion: 'v1',
    provider: 'bench',
    channel: 'whatsapp',
    capabilities: { media: false, idempotentSends: true },
    sendText: async (input: SendTextInput): Promise<SendResult> => {
      await record(input.idempotencyKey);
      return { providerMessageId: `bench-${input.idempotencyKey}`, acceptedAt: new Date() };
    },
    sendMedia: () => Promise.reject(new Error('the bench channel sends text only')),
    health: () => Promise.resolve({ status: 'up', checkedAt }),
  };
}
