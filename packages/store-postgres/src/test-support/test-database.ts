/**
 * A database of its own for each test file, on both drivers:
 * - PostgreSQL (when `DATABASE_URL` is set): a template database migrated to the latest schema is
 *   created once (under a server-wide advisory lock, so parallel vitest workers do not race),
 *   then each file gets `CREATE DATABASE sdr_test_<random> TEMPLATE <template>`, dropped after it.
 *   An unreachable server fails the file: CI must never pass by skipping these suites.
 * - PGlite (always): an in-memory instance per file, migrated. It takes seconds of CPU to start:
 *   keep the number of test files that use it small.
 */
import { createHash, randomUUID } from 'node:crypto';
import pg from 'pg';
import { describe, afterAll, beforeAll } from 'vitest';
import { openPglite, type OpenedPglite } from '../database/open-pglite.js';
import { loadMigrations } from '../migrations/migration-files.js';
import { migrate } from '../migrations/migrate.js';
import type { DatabaseConnection } from '../database/open-database.js';

/** The server the PostgreSQL suites run against, when configured. */
export const databaseUrl = process.env['DATABASE_URL'];

export type Driver = 'pglite' | 'postgres';

/** One test file's database. */
export interface TestDatabase {
  readonly driver: Driver;
  /** What the store takes. */
  readonly db: DatabaseConnection;
  /** Raw SQL through a side door (not through the store). */
  sql<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<R[]>;
  /** Empties every table of the store (between tests: claims span tenants). */
  reset(): Promise<void>;
  /** A further pool on the same database (PostgreSQL only): concurrency tests use several. */
  newPool(max?: number): pg.Pool;
  /** The connection string of this file's database (PostgreSQL only). */
  readonly url: string | undefined;
}

const templateLockKey = 'sdr-store-postgres-test-template';

/** Name of the template database for the current migrations: a new schema gets a new template. */
function templateName(): string {
  const digest = createHash('sha256');
  for (const migration of loadMigrations()) digest.update(migration.checksum);
  return `sdr_template_${digest.digest('hex').slice(0, 16)}`;
}

function urlFor(database: string): string {
  const url = new URL(databaseUrl ?? '');
  url.pathname = `/${database}`;
  return url.toString();
}

async function createPostgresDatabase(): Promise<{ readonly name: string; readonly drop: () => Promise<void> }> {
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  const template = templateName();
  const name = `sdr_test_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  try {
    await admin.query('SELECT pg_advisory_lock(hashtext($1))', [templateLockKey]);
    const existing = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [template]);
    if (existing.rowCount === 0) {
      await admin.query(`CREATE DATABASE ${template}`);
      const pool = new pg.Pool({ connectionString: urlFor(template), max: 1 });
      try {
        await migrate({ db: pool });
      } finally {
        await pool.end();
      }
    }
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
  } finally {
    await admin.query('SELECT pg_advisory_unlock(hashtext($1))', [templateLockKey]).catch(() => undefined);
    await admin.end();
  }
  return {
    name,
    drop: async () => {
      const dropper = new pg.Client({ connectionString: databaseUrl });
      await dropper.connect();
      try {
        await dropper.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await dropper.end();
      }
    },
  };
}

// Children before parents. DELETE, not TRUNCATE: on a handful of rows it is ten times faster.
const tablesInDeleteOrder = [
  'scheduled_messages',
  'messages',
  'appointments',
  'billing_cycles',
  'outbox',
  'sync_states',
  'calendar_sync_tokens',
  'alerts',
  'templates',
  'api_keys',
  'oauth_tokens',
  'inbound_events',
  'idempotency_keys',
  'locks',
  'leads',
  'contacts',
  'tenants',
];

/** The statement that empties the store, after checking it names every table of the schema. */
async function resetStatement(sql: TestDatabase['sql']): Promise<string> {
  const rows = await sql<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = 'sdr' AND table_type = 'BASE TABLE' AND table_name <> 'migrations'`,
  );
  const missing = rows.map((row) => row.table_name).filter((table) => !tablesInDeleteOrder.includes(table));
  if (missing.length > 0) throw new Error(`the test reset does not know the tables ${missing.join(', ')}`);
  return tablesInDeleteOrder
    .filter((table) => rows.some((row) => row.table_name === table))
    .map((table) => `DELETE FROM sdr.${table};`)
    .join('\n');
}

async function openPgliteDatabase(): Promise<TestDatabase & { close(): Promise<void> }> {
  const pglite: OpenedPglite = await openPglite();
  await migrate({ db: pglite });
  const sql = async <R>(text: string, params: unknown[] = []) => (await pglite.query(text, params)).rows as R[];
  const emptyEverything = await resetStatement(sql);
  return {
    driver: 'pglite',
    db: pglite,
    sql,
    url: undefined,
    reset: async () => {
      await pglite.exec(emptyEverything);
    },
    newPool: () => {
      throw new Error('PGlite is a single connection: there is no second pool');
    },
    close: () => pglite.close(),
  };
}

/** Opens the file's database on `driver`. */
export async function openTestDatabase(driver: Driver): Promise<TestDatabase & { close(): Promise<void> }> {
  if (driver === 'pglite') {
    return openPgliteDatabase();
  }
  const created = await createPostgresDatabase();
  const url = urlFor(created.name);
  const pools: pg.Pool[] = [];
  const newPool = (max = 10) => {
    const pool = new pg.Pool({ connectionString: url, max });
    // The file's database is dropped WITH (FORCE) at the end: idle clients then report the lost
    // connection, which is expected and must not crash the run.
    pool.on('error', () => undefined);
    pools.push(pool);
    return pool;
  };
  const main = newPool();
  const sql = async <R>(text: string, params: unknown[] = []) => (await main.query(text, params)).rows as R[];
  const emptyEverything = await resetStatement(sql);
  return {
    driver,
    db: main,
    sql,
    url,
    newPool,
    reset: async () => {
      await main.query(emptyEverything);
    },
    close: async () => {
      await Promise.all(pools.map((pool) => pool.end()));
      await created.drop();
    },
  };
}

let announced = false;

/**
 * Registers `body` once per driver, each in a `describe` that opens the file's database before
 * its tests and drops it after. Without `DATABASE_URL` the PostgreSQL block is skipped, and says so.
 */
export function describeEachDriver(
  title: string,
  body: (database: () => TestDatabase, driver: Driver) => void,
  options: { readonly drivers?: readonly Driver[] } = {},
): void {
  for (const driver of options.drivers ?? (['pglite', 'postgres'] as const)) {
    const skipped = driver === 'postgres' && !databaseUrl;
    if (skipped && !announced) {
      announced = true;
      // eslint-disable-next-line no-console -- the reason for a skipped suite must be visible in the run
      console.info('DATABASE_URL is not set: the PostgreSQL suites are skipped; the PGlite suites run.');
    }
    describe.skipIf(skipped)(`${title} [${driver}${skipped ? ': skipped, DATABASE_URL is not set' : ''}]`, () => {
      let opened: (TestDatabase & { close(): Promise<void> }) | undefined;
      beforeAll(async () => {
        opened = await openTestDatabase(driver);
      }, 60_000);
      afterAll(async () => {
        await opened?.close();
      }, 60_000);
      body(() => {
        if (!opened) throw new Error(`the ${driver} test database is not open`);
        return opened;
      }, driver);
    });
  }
}

/** Rows per store table that belong to `tenantId` (tables with a tenant column). */
export async function rowCounts(database: TestDatabase, tenantId: string): Promise<Record<string, number>> {
  const tables = await database.sql<{ table_name: string }>(
    `SELECT table_name FROM information_schema.columns WHERE table_schema = 'sdr' AND column_name = 'tenant_id' ORDER BY table_name`,
  );
  const counts: Record<string, number> = {};
  for (const { table_name: table } of tables) {
    const [row] = await database.sql<{ count: number }>(`SELECT count(*)::int AS count FROM sdr.${table} WHERE tenant_id = $1`, [tenantId]);
    counts[table] = row?.count ?? 0;
  }
  return counts;
}
