/**
 * `migrate`: brings the store's schema to the latest version. Every pending migration is applied
 * in ONE transaction holding a transaction-scoped advisory lock, so two processes migrating at
 * once take turns — the second finds everything applied. An applied migration whose file has
 * changed since, or one this code does not know, stops everything with an error: the schema and
 * the code would disagree.
 */
import { SdrError } from '@sdr/core';
import { openDatabase, type DatabaseConnection } from '../database/open-database.js';
import { defaultSchema, quoteSchema } from '../store/schema-name.js';
import { bindSchema, loadMigrations, type MigrationFile } from './migration-files.js';

/** Options of `migrate`. */
export interface MigrateOptions {
  /** A `pg.Pool` or a PGlite instance (PGlite needs the `btree_gist` extension loaded). */
  readonly db: DatabaseConnection;
  /** The schema of the store's tables (default `sdr`). */
  readonly schema?: string;
  /**
   * The migrations to apply (default: the store's own, `loadMigrations()`). An application that
   * keeps tables of its own beside the store's passes its files (`loadMigrations(itsFolder)`) with
   * a schema of its own: each schema records and locks its migrations separately.
   */
  readonly migrations?: readonly MigrationFile[];
}

/** What `migrate` did. */
export interface MigrateResult {
  /** Names of the migrations this call applied (empty when the schema was up to date). */
  readonly applied: readonly string[];
  /** The number of the latest migration now applied. */
  readonly version: number;
}

interface AppliedRow extends Record<string, unknown> {
  readonly id: number;
  readonly name: string;
  readonly checksum: string;
}

/** Applies every pending migration; idempotent and safe to run from several processes at once. */
export async function migrate(options: MigrateOptions): Promise<MigrateResult> {
  const schemaName = options.schema ?? defaultSchema;
  const schema = quoteSchema(schemaName);
  const migrations = options.migrations ?? loadMigrations();
  const database = openDatabase(options.db);
  return database.transaction(async (tx) => {
    // Per schema: stores in two schemas of one database migrate independently.
    await tx.query('migrate.lock', 'SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`@sdr/store-postgres:migrate:${schemaName}`]);
    await tx.script(
      'migrate.bootstrap',
      `CREATE SCHEMA IF NOT EXISTS ${schema};
       CREATE TABLE IF NOT EXISTS ${schema}.migrations (
         id integer PRIMARY KEY,
         name text NOT NULL,
         checksum text NOT NULL,
         applied_at timestamptz NOT NULL DEFAULT now()
       );`,
    );
    const applied = await tx.query<AppliedRow>('migrate.applied', `SELECT id, name, checksum FROM ${schema}.migrations ORDER BY id`);
    assertAppliedMatch(applied, migrations);
    const pending = migrations.slice(applied.length);
    for (const migration of pending) {
      await tx.script(`migrate.${migration.name}`, bindSchema(migration.sql, schema));
      await tx.write('migrate.record', `INSERT INTO ${schema}.migrations (id, name, checksum) VALUES ($1, $2, $3)`, [
        migration.id,
        migration.name,
        migration.checksum,
      ]);
    }
    return { applied: pending.map((migration) => migration.name), version: migrations.length };
  });
}

function assertAppliedMatch(applied: readonly AppliedRow[], migrations: readonly MigrationFile[]): void {
  for (const [index, row] of applied.entries()) {
    const file = migrations[index];
    if (file === undefined || file.id !== row.id) {
      throw new SdrError(
        `the database has migration ${row.name} applied, which this version of the code does not know: it is older than the schema`,
      );
    }
    if (file.checksum !== row.checksum) {
      throw new SdrError(
        `migration ${file.name} was edited after it was applied (checksum mismatch): add a new migration instead of changing an applied one`,
      );
    }
  }
}
