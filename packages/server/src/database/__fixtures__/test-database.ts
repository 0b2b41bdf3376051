/**
 * A database of its own for each server test file, on both drivers, with the store's and the
 * server's tables migrated:
 * - PGlite (always): an in-memory instance per file.
 * - PostgreSQL (when `DATABASE_URL` is set): `CREATE DATABASE sdr_srv_<random>`, dropped after
 *   the file. An unreachable server fails the file: these suites must never pass by skipping.
 */
import { randomUUID } from 'node:crypto';
import { migrate, openDatabase, openPglite, type Database, type DatabaseConnection } from '@sdr/store-postgres';
import pg from 'pg';
import { afterAll, beforeAll, describe } from 'vitest';
import { migrateServer } from '../server-database.js';

/** The server the PostgreSQL suites run against, when configured. */
export const databaseUrl = process.env['DATABASE_URL'];

export type Driver = 'pglite' | 'postgres';

/** One test file's database. */
export interface TestDatabase {
  readonly driver: Driver;
  /** What the store and the sandbox adapters take. */
  readonly db: DatabaseConnection;
  /** The `Database` over `db`. */
  readonly database: Database;
  /** Raw SQL through a side door. */
  sql<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<R[]>;
}

interface OpenedTestDatabase extends TestDatabase {
  close(): Promise<void>;
}

async function migrated(db: DatabaseConnection): Promise<void> {
  await migrate({ db });
  await migrateServer(db);
}

async function openPgliteTestDatabase(): Promise<OpenedTestDatabase> {
  const pglite = await openPglite();
  await migrated(pglite);
  return {
    driver: 'pglite',
    db: pglite,
    database: openDatabase(pglite),
    sql: async <R>(text: string, params: unknown[] = []) => (await pglite.query(text, params)).rows as R[],
    close: () => pglite.close(),
  };
}

async function withAdmin(fn: (admin: pg.Client) => Promise<void>): Promise<void> {
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  try {
    await fn(admin);
  } finally {
    await admin.end();
  }
}

/**
 * A new, empty database on the `DATABASE_URL` server, named `<prefix>_<random>`: its URL, and
 * `drop` to remove it (WITH (FORCE): connections still open are closed).
 */
export async function createEmptyPostgresDatabase(prefix: string): Promise<{ readonly url: string; drop(): Promise<void> }> {
  const name = `${prefix}_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  await withAdmin((admin) => admin.query(`CREATE DATABASE ${name}`).then(() => undefined));
  const url = new URL(databaseUrl ?? '');
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => withAdmin((admin) => admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).then(() => undefined)),
  };
}

async function openPostgresTestDatabase(): Promise<OpenedTestDatabase> {
  const created = await createEmptyPostgresDatabase('sdr_srv');
  const pool = new pg.Pool({ connectionString: created.url, max: 10 });
  // The database is dropped WITH (FORCE) at the end: idle clients then report the lost connection.
  pool.on('error', () => undefined);
  await migrated(pool);
  return {
    driver: 'postgres',
    db: pool,
    database: openDatabase(pool),
    sql: async <R>(text: string, params: unknown[] = []) => (await pool.query(text, params)).rows as R[],
    close: async () => {
      await pool.end();
      await created.drop();
    },
  };
}

/**
 * Registers `body` once per driver, each in a `describe` that opens the file's database before
 * its tests and closes (drops) it after. Without `DATABASE_URL` the PostgreSQL block is skipped,
 * and its title says so.
 */
export function describeEachDriver(title: string, body: (database: () => TestDatabase, driver: Driver) => void): void {
  for (const driver of ['pglite', 'postgres'] as const) {
    const skipped = driver === 'postgres' && !databaseUrl;
    describe.skipIf(skipped)(`${title} [${driver}${skipped ? ': skipped, DATABASE_URL is not set' : ''}]`, () => {
      let opened: OpenedTestDatabase | undefined;
      beforeAll(async () => {
        opened = driver === 'pglite' ? await openPgliteTestDatabase() : await openPostgresTestDatabase();
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
