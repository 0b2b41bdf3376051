/**
 * `@sdr/store-postgres`: the `@sdr/core` store on PostgreSQL — repositories, the `FOR UPDATE
 * SKIP LOCKED` scheduler store, the outbox and fenced locks — over a `pg.Pool` the application
 * owns, or embedded on PGlite (a data directory, no server).
 *
 * ```ts
 * import pg from 'pg';
 * import { createPostgresLock, createPostgresStore, migrate } from '@sdr/store-postgres';
 *
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 * await migrate({ db: pool });
 * const store = createPostgresStore({ db: pool });
 * const lock = createPostgresLock({ db: pool });
 * ```
 * @packageDocumentation
 */
export { createPostgresStore, transactionSql, type PostgresStore, type PostgresStoreOptions } from './store/postgres-store.js';
export { createPostgresLock, type PostgresLock, type PostgresLockOptions } from './lock/postgres-lock.js';
export { migrate, type MigrateOptions, type MigrateResult } from './migrations/migrate.js';
export { loadMigrations, type MigrationFile } from './migrations/migration-files.js';
export { openPglite, type OpenPgliteOptions, type OpenedPglite } from './database/open-pglite.js';
export { openDatabase, type DatabaseConnection } from './database/open-database.js';
export type { Database, Row, SqlExecutor } from './database/database.js';
export type { PgPoolClientLike, PgPoolLike, PgQueryConfig } from './database/pg-pool-database.js';
export type { PgliteLike, PgliteTransactionLike } from './database/pglite-database.js';
export { defaultSchema } from './store/schema-name.js';
export { mapDatabaseError } from './postgres-errors.js';
