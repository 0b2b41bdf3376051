/**
 * The server's own tables, beside the store's: the migrations under `packages/server/migrations`
 * applied in the schema `sdr_server` with the store's `migrate` (one lock and one record per
 * schema), and the quoted schema reference the server's SQL splices in.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SdrError, ValidationError } from '@sdr/core';
import { loadMigrations, migrate, type DatabaseConnection, type MigrateResult, type MigrationFile } from '@sdr/store-postgres';

/** The schema of the server's tables (the store keeps its own, `sdr`). */
export const serverSchema = 'sdr_server';

/**
 * The server package's `migrations/` folder, found by walking up from this module: two levels up
 * from the sources (`src/database/`), one from the bundle (`dist/`).
 */
export function serverMigrationsDirectory(): string {
  let directory = dirname(fileURLToPath(import.meta.url));
  for (let level = 0; level < 4; level += 1) {
    const candidate = join(directory, 'migrations');
    if (existsSync(join(directory, 'package.json')) && existsSync(candidate)) return candidate;
    directory = dirname(directory);
  }
  throw new SdrError('the migrations folder of @sdr/server was not found next to its package.json');
}

/** The server's migrations, in order. */
export function serverMigrations(): MigrationFile[] {
  return loadMigrations(serverMigrationsDirectory());
}

/** Brings the server's tables to the latest version; safe when several processes start at once. */
export function migrateServer(db: DatabaseConnection, schema: string = serverSchema): Promise<MigrateResult> {
  return migrate({ db, schema, migrations: serverMigrations() });
}

/**
 * The quoted identifier of a schema. Only plain lowercase names are accepted, so a schema name
 * can never smuggle SQL into the statements it is spliced into.
 */
export function quoteIdentifier(schema: string, field = 'schema'): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw ValidationError.forField(field, 'must be a lowercase PostgreSQL identifier such as sdr_server (letters, digits, _)');
  }
  return `"${schema}"`;
}
