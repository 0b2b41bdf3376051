/**
 * The observability tests' database: the server's test database of each driver (see
 * `database/__fixtures__/test-database.ts`) with a reset to an empty store on a virtual clock, and
 * builders that store valid tenants, leads, scheduled messages and outbox entries.
 */
import { randomUUID } from 'node:crypto';
import { VirtualClock, type Lead, type ScheduledKind, type ScheduledMessage, type Store, type Tenant } from '@sdr/core';
import { createPostgresStore, type Database, type DatabaseConnection } from '@sdr/store-postgres';
import { buildLead, buildTenant } from '@sdr/testkit';
import { describeEachDriver as describeEachServerDatabase, type Driver } from '../../database/__fixtures__/test-database.js';

export type { Driver };

/** The instant the clocks of these tests start at. */
export const testStart = new Date('2026-03-02T12:00:00.000Z');
export const minute = 60_000;
export const hour = 60 * minute;

/** One test file's database, its store on a virtual clock, and raw SQL through a side door. */
export interface ObservabilityDatabase {
  readonly driver: Driver;
  readonly connection: DatabaseConnection;
  readonly database: Database;
  sql<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<R[]>;
  /** Empties every table of the store and of the server; a new store on a new clock at `testStart`. */
  fresh(): Promise<{ readonly clock: VirtualClock; readonly store: Store }>;
}

/**
 * Registers `body` once per driver on the server's test database (migrated store and server
 * schemas; PostgreSQL only when `DATABASE_URL` is set), adding `fresh()` to start each test empty.
 */
export function describeEachDriver(title: string, body: (database: () => ObservabilityDatabase) => void): void {
  describeEachServerDatabase(title, (opened) => {
    // Every table of both schemas, looked up once per file on its first reset.
    let truncate: string | undefined;
    const fresh = async () => {
      const { db, database } = opened();
      if (truncate === undefined) {
        const tables = await database.query<{ schema: string; name: string }>(
          'test.tables',
          `SELECT table_schema AS schema, table_name AS name FROM information_schema.tables
           WHERE table_schema IN ('sdr', 'sdr_server') AND table_type = 'BASE TABLE' AND table_name <> 'migrations'`,
        );
        truncate = `TRUNCATE ${tables.map((table) => `${table.schema}.${table.name}`).join(', ')} CASCADE`;
      }
      await database.script('test.reset', truncate);
      const clock = new VirtualClock(testStart);
      return { clock, store: createPostgresStore({ db, clock }) };
    };
    body(() => {
      const current = opened();
      return {
        driver: current.driver,
        connection: current.db,
        database: current.database,
        sql: (text, params) => current.sql(text, params),
        fresh,
      };
    });
  });
}

/** A tenant with default settings, stored. */
export async function seedTenant(store: Store, now: Date): Promise<Tenant> {
  return store.tenants.create(buildTenant({ name: 'Acme Ltda', createdAt: now, updatedAt: now }));
}

/** A lead of `tenantId` with a fresh phone, stored. */
export async function seedLead(store: Store, tenantId: string, now: Date): Promise<Lead> {
  return store.leads.create(buildLead({ tenantId, createdAt: now, updatedAt: now }));
}

/** A pending scheduled message for `lead`, due at `dueAt`. */
export async function schedule(
  store: Store,
  input: { readonly lead: Lead; readonly dueAt: Date; readonly kind?: ScheduledKind; readonly channel?: 'whatsapp' | 'sms' | 'voice' },
): Promise<ScheduledMessage> {
  const { message } = await store.scheduledMessages.schedule({
    tenantId: input.lead.tenantId,
    leadId: input.lead.id,
    kind: input.kind ?? 'reengage_1',
    channel: input.channel ?? 'whatsapp',
    dedupeKey: `test:${randomUUID()}`,
    dueAt: input.dueAt,
  });
  return message;
}

/** A pending CRM outbox entry for `lead`, stamped by the store's clock. */
export async function appendCrmChange(store: Store, lead: Lead): Promise<void> {
  await store.outbox.append({
    tenantId: lead.tenantId,
    topic: 'crm',
    aggregateType: 'lead',
    aggregateId: lead.id,
    type: 'lead.stage_changed',
  });
}
