/**
 * A database of its own for each observability test file, on both drivers: PGlite always, and
 * PostgreSQL when `DATABASE_URL` is set (`CREATE DATABASE sdr_obs_<random>`, dropped afterwards;
 * an unreachable server fails the file). Both get the store's migrations and the server's own
 * (`sdr_server`), and a store on a virtual clock. Builders make valid tenants, leads, scheduled
 * messages and outbox entries through the store.
 */
import { randomInt, randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import {
  PhoneNumber,
  VirtualClock,
  leadSchema,
  parseOrThrow,
  tenantSchema,
  type Lead,
  type ScheduledKind,
  type ScheduledMessage,
  type Store,
  type Tenant,
} from '@sdr/core';
import {
  createPostgresStore,
  loadMigrations,
  migrate,
  openDatabase,
  openPglite,
  type Database,
  type DatabaseConnection,
} from '@sdr/store-postgres';
import pg from 'pg';
import { afterAll, beforeAll, describe } from 'vitest';

const databaseUrl = process.env['DATABASE_URL'];
const serverMigrations = fileURLToPath(new URL('../../../migrations', import.meta.url));

export type Driver = 'pglite' | 'postgres';

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

async function prepare(connection: DatabaseConnection): Promise<void> {
  await migrate({ db: connection });
  await migrate({ db: connection, schema: 'sdr_server', migrations: loadMigrations(serverMigrations) });
}

async function openOn(driver: Driver): Promise<ObservabilityDatabase & { close(): Promise<void> }> {
  let connection: DatabaseConnection;
  let close: () => Promise<void>;
  if (driver === 'pglite') {
    const pglite = await openPglite();
    connection = pglite;
    close = () => pglite.close();
  } else {
    const name = `sdr_obs_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
    const admin = new pg.Client({ connectionString: databaseUrl });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE ${name}`);
    } finally {
      await admin.end();
    }
    const url = new URL(databaseUrl ?? '');
    url.pathname = `/${name}`;
    const pool = new pg.Pool({ connectionString: url.toString(), max: 4 });
    // The database is dropped WITH (FORCE): idle clients then report the lost connection.
    pool.on('error', () => undefined);
    connection = pool;
    close = async () => {
      await pool.end();
      const dropper = new pg.Client({ connectionString: databaseUrl });
      await dropper.connect();
      try {
        await dropper.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await dropper.end();
      }
    };
  }
  await prepare(connection);
  const database = openDatabase(connection);
  const sql = async <R>(text: string, params: unknown[] = []) => (await database.query(`test.sql`, text, params)) as R[];
  const tables = await sql<{ schema: string; name: string }>(
    `SELECT table_schema AS schema, table_name AS name FROM information_schema.tables
     WHERE table_schema IN ('sdr', 'sdr_server') AND table_type = 'BASE TABLE' AND table_name <> 'migrations'`,
  );
  const truncate = `TRUNCATE ${tables.map((table) => `${table.schema}.${table.name}`).join(', ')} CASCADE`;
  return {
    driver,
    connection,
    database,
    sql,
    fresh: async () => {
      await database.script('test.reset', truncate);
      const clock = new VirtualClock(testStart);
      return { clock, store: createPostgresStore({ db: connection, clock }) };
    },
    close,
  };
}

/**
 * Registers `body` once per driver, each in a `describe` that opens the file's database before its
 * tests and drops it after. Without `DATABASE_URL` the PostgreSQL block is skipped, and says so.
 */
export function describeEachDriver(title: string, body: (database: () => ObservabilityDatabase) => void): void {
  for (const driver of ['pglite', 'postgres'] as const) {
    const skipped = driver === 'postgres' && databaseUrl === undefined;
    describe.skipIf(skipped)(`${title} [${driver}${skipped ? ': skipped, DATABASE_URL is not set' : ''}]`, () => {
      let opened: (ObservabilityDatabase & { close(): Promise<void> }) | undefined;
      beforeAll(async () => {
        opened = await openOn(driver);
      }, 60_000);
      afterAll(async () => {
        await opened?.close();
      }, 60_000);
      body(() => {
        if (opened === undefined) throw new Error(`the ${driver} test database is not open`);
        return opened;
      });
    });
  }
}

/** A tenant with default settings, stored. */
export async function seedTenant(store: Store, now: Date): Promise<Tenant> {
  return store.tenants.create(
    parseOrThrow(tenantSchema, {
      id: randomUUID(),
      name: 'Acme Ltda',
      timeZone: 'America/Sao_Paulo',
      createdAt: now,
      updatedAt: now,
      version: 0,
    }),
  );
}

/** A lead of `tenantId` with a fresh phone, stored. */
export async function seedLead(store: Store, tenantId: string, now: Date): Promise<Lead> {
  return store.leads.create(
    parseOrThrow(leadSchema, {
      id: randomUUID(),
      tenantId,
      phone: PhoneNumber.fromE164(`+55119${randomInt(6, 10)}${String(randomInt(0, 10_000_000)).padStart(7, '0')}`),
      whatsappLid: null,
      name: 'Maria Silva',
      email: null,
      stage: 'new',
      fields: {},
      tags: [],
      automation: 'active',
      optedOut: false,
      optedOutAt: null,
      lastInboundAt: null,
      lastOutboundAt: null,
      crmLeadId: null,
      crmContactId: null,
      createdAt: now,
      updatedAt: now,
      version: 0,
    }),
  );
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
