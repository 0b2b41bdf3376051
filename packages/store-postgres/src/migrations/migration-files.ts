/**
 * The numbered `.sql` files under the package's `migrations/` folder (`000001_name.sql`), read
 * in order, checksummed, and bound to a schema (`:SDR_SCHEMA` is replaced by its identifier).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SdrError } from '@sdr/core';

/** One migration file. */
export interface MigrationFile {
  /** The number in its name: migrations apply in this order, with no gaps. */
  readonly id: number;
  /** The file name, e.g. `000001_core_entities.sql`. */
  readonly name: string;
  /** SHA-256 of the file's text (line endings normalised): an applied migration must never change. */
  readonly checksum: string;
  readonly sql: string;
}

const fileName = /^(\d{6})_[a-z0-9_]+\.sql$/;

/**
 * The package's `migrations/` folder, found by walking up from this module: it sits two levels
 * up from the sources (`src/migrations/`) and one level up from the bundle (`dist/`).
 */
export function migrationsDirectory(): string {
  let directory = dirname(fileURLToPath(import.meta.url));
  for (let level = 0; level < 4; level += 1) {
    const candidate = join(directory, 'migrations');
    if (existsSync(join(directory, 'package.json')) && existsSync(candidate)) return candidate;
    directory = dirname(directory);
  }
  throw new SdrError('the migrations folder of @sdr/store-postgres was not found next to its package.json');
}

/** Every migration, in order; a malformed name or a gap in the numbering is an error. */
export function loadMigrations(directory: string = migrationsDirectory()): MigrationFile[] {
  const files = readdirSync(directory)
    .filter((name) => name.endsWith('.sql'))
    .sort();
  return files.map((name, index) => {
    const match = fileName.exec(name);
    if (!match) throw new SdrError(`migration file ${name} is not named NNNNNN_name.sql`);
    const id = Number(match[1]);
    if (id !== index + 1) throw new SdrError(`migration ${name} breaks the numbering: expected number ${index + 1}`);
    const sql = readFileSync(join(directory, name), 'utf8').replace(/\r\n/g, '\n');
    return { id, name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
  });
}

/** The migration's SQL with its schema placeholder bound to `quotedSchema`. */
export function bindSchema(sql: string, quotedSchema: string): string {
  return sql.replaceAll(':SDR_SCHEMA', quotedSchema);
}
