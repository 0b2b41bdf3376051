/**
 * A normalised, sorted text dump of the migrated schema — tables, columns, constraints, indexes
 * — read from the catalogs, identical on PostgreSQL and PGlite. The committed snapshot and the
 * drift test built on it make every schema change visible in review.
 */
import { fileURLToPath } from 'node:url';

/** Runs a query through whichever driver (test helper, script). */
export type CatalogQuery = <R>(sql: string, params: unknown[]) => Promise<R[]>;

/** Where the committed snapshot lives. */
export const snapshotPath = fileURLToPath(new URL('../../schema/schema-snapshot.txt', import.meta.url));

/** The command that rewrites the snapshot after an intended change. */
export const snapshotCommand = 'pnpm --filter @sdr/store-postgres schema:snapshot';

/** The dump of `schema`, one line per column, constraint and index. */
export async function dumpSchema(query: CatalogQuery, schema = 'sdr'): Promise<string> {
  const columns = await query<{ line: string }>(
    `SELECT c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
            || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END
            || CASE WHEN a.attidentity <> '' THEN ' identity' ELSE '' END
            || COALESCE(' default ' || pg_get_expr(d.adbin, d.adrelid), '') AS line
     FROM pg_attribute a
     JOIN pg_class c ON c.oid = a.attrelid
     JOIN pg_namespace n ON n.oid = c.relnamespace
     LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
     WHERE n.nspname = $1 AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
     ORDER BY c.relname, a.attnum`,
    [schema],
  );
  // NOT NULL shows on the columns; PostgreSQL 18 also lists it among the constraints.
  const constraints = await query<{ line: string }>(
    `SELECT c.relname || ' constraint ' || k.conname || ': ' || pg_get_constraintdef(k.oid) AS line
     FROM pg_constraint k
     JOIN pg_class c ON c.oid = k.conrelid
     JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = $1 AND k.contype <> 'n'
     ORDER BY c.relname, k.conname`,
    [schema],
  );
  const indexes = await query<{ line: string }>(
    `SELECT tablename || ' index ' || indexname || ': ' || indexdef AS line
     FROM pg_indexes WHERE schemaname = $1 ORDER BY tablename, indexname`,
    [schema],
  );
  return [
    '# The migrated schema of @sdr/store-postgres. Generated: do not edit by hand.',
    `# Rewrite it with \`${snapshotCommand}\` after changing a migration.`,
    '',
    '## columns',
    ...columns.map((row) => row.line),
    '',
    '## constraints',
    ...constraints.map((row) => row.line),
    '',
    '## indexes',
    ...indexes.map((row) => row.line),
    '',
  ].join('\n');
}
