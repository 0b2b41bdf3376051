/**
 * The tenant export format shared by `sdr export` and `sdr import`: JSON lines, one header, one
 * line per row of every table that holds the tenant's data, one closing line with the row count
 * (a file cut short is refused, never half-imported).
 *
 *   {"format":"sdr-tenant-export","version":1,"tenantId":"…","exportedAt":"…"}
 *   {"table":"sdr.leads","row":{…the row as PostgreSQL's row_to_json gives it…}}
 *   {"sequence":"sdr_server.integration_revisions","value":41}
 *   {"end":true,"rows":123}
 *
 * The tables are found in the catalog, not listed by hand: `sdr.tenants` and every table of the
 * store's and the server's schemas with a `tenant_id` column, parents before the tables whose
 * foreign keys point at them. A migration that adds a tenant table is exported without a change here.
 * The sequences of those schemas travel too (their last values): an import moves each past what
 * the rows used, so numbers handed out afterwards — revisions other processes poll above —
 * keep growing.
 */
import { SdrError, ValidationError } from '@sdr/core';
import { defaultSchema, type SqlExecutor } from '@sdr/store-postgres';
import { serverSchema } from '../../database/index.js';

export const exportFormat = 'sdr-tenant-export';
export const exportVersion = 1;

/** The schemas whose tables hold tenant data. */
export const exportedSchemas: readonly string[] = [defaultSchema, serverSchema];

/** The quoted table of the tenants themselves. */
export const tenantsTableSql = `"${defaultSchema}"."tenants"`;

/** A table of the export: its qualified name and what import needs to write it back. */
export interface ExportTable {
  /** `schema.table`, as it appears in the export. */
  readonly name: string;
  /** The quoted `"schema"."table"`. */
  readonly sql: string;
  /** The column holding the tenant's id: `id` for `sdr.tenants`, `tenant_id` elsewhere. */
  readonly tenantColumn: string;
  /** Every column. */
  readonly columns: readonly string[];
  /** The columns a row is written with (generated columns are left to the database). */
  readonly writableColumns: readonly string[];
  /** Identity columns, whose sequences an import moves past the rows it wrote. */
  readonly identityColumns: readonly string[];
}

interface ColumnRow extends Record<string, unknown> {
  table_schema: string;
  table_name: string;
  column_name: string;
  is_identity: string;
  is_generated: string;
}

interface ReferenceRow extends Record<string, unknown> {
  child: string;
  parent: string;
}

const quote = (identifier: string) => `"${identifier.replace(/"/g, '""')}"`;

/** The tables of the export, parents first (ties in name order, so exports of one database compare line by line). */
export async function exportTables(sql: SqlExecutor): Promise<ExportTable[]> {
  const columns = await sql.query<ColumnRow>(
    'export.columns',
    `SELECT c.table_schema, c.table_name, c.column_name, c.is_identity, c.is_generated
       FROM information_schema.columns c
       JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
      WHERE c.table_schema = ANY($1) AND t.table_type = 'BASE TABLE'
      ORDER BY c.table_schema, c.table_name, c.ordinal_position`,
    [exportedSchemas],
  );
  const byTable = new Map<string, ColumnRow[]>();
  for (const column of columns) {
    const name = `${column.table_schema}.${column.table_name}`;
    byTable.set(name, [...(byTable.get(name) ?? []), column]);
  }
  const tenantsTable = `${defaultSchema}.tenants`;
  const tables = [...byTable.entries()].flatMap(([name, tableColumns]): ExportTable[] => {
    const names = tableColumns.map((column) => column.column_name);
    const tenantColumn = name === tenantsTable ? 'id' : names.includes('tenant_id') ? 'tenant_id' : undefined;
    if (tenantColumn === undefined) return [];
    const [schema = '', table = ''] = name.split('.');
    return [
      {
        name,
        sql: `${quote(schema)}.${quote(table)}`,
        tenantColumn,
        columns: names,
        writableColumns: tableColumns.filter((column) => column.is_generated !== 'ALWAYS').map((column) => column.column_name),
        identityColumns: tableColumns.filter((column) => column.is_identity === 'YES').map((column) => column.column_name),
      },
    ];
  });
  if (!tables.some((table) => table.name === tenantsTable)) {
    throw new SdrError(`the database has no ${tenantsTable} table: it is not an @sdr database`);
  }
  const references = await sql.query<ReferenceRow>(
    'export.references',
    `SELECT cn.nspname || '.' || cl.relname AS child, pn.nspname || '.' || pl.relname AS parent
       FROM pg_constraint k
       JOIN pg_class cl ON cl.oid = k.conrelid JOIN pg_namespace cn ON cn.oid = cl.relnamespace
       JOIN pg_class pl ON pl.oid = k.confrelid JOIN pg_namespace pn ON pn.oid = pl.relnamespace
      WHERE k.contype = 'f' AND cn.nspname = ANY($1)`,
    [exportedSchemas],
  );
  return parentsFirst(tables, references);
}

/** Orders `tables` so that each comes after the tables it references (a cycle is an error). */
function parentsFirst(tables: readonly ExportTable[], references: readonly ReferenceRow[]): ExportTable[] {
  const remaining = new Map(tables.map((table) => [table.name, table]));
  const parents = new Map<string, Set<string>>();
  for (const { child, parent } of references) {
    if (child !== parent && remaining.has(child) && remaining.has(parent))
      parents.set(child, (parents.get(child) ?? new Set()).add(parent));
  }
  const ordered: ExportTable[] = [];
  while (remaining.size > 0) {
    const ready = [...remaining.values()]
      .filter((table) => [...(parents.get(table.name) ?? [])].every((parent) => !remaining.has(parent)))
      .sort((a, b) => a.name.localeCompare(b.name));
    if (ready.length === 0) throw new SdrError(`the tenant tables reference each other in a cycle: ${[...remaining.keys()].join(', ')}`);
    for (const table of ready) {
      ordered.push(table);
      remaining.delete(table.name);
    }
  }
  return ordered;
}

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A tenant id given on the command line, checked to be a UUID. */
export function parseTenantId(value: string, field: string): string {
  if (!uuid.test(value)) throw ValidationError.forField(field, `must be a tenant id (a UUID), got ${JSON.stringify(value)}`);
  return value.toLowerCase();
}

/** Reads `--name value` options; anything else is an error naming it. */
export function parseOptions(
  args: readonly string[],
  known: readonly string[],
  command: string,
): { options: Map<string, string>; positional: string[] } {
  const options = new Map<string, string>();
  const positional: string[] = [];
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] ?? '';
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    if (!known.includes(arg)) throw ValidationError.forField(arg, `is not an option of ${command} (see --help)`);
    const value = args[index + 1];
    if (value === undefined || value.startsWith('--')) throw ValidationError.forField(arg, 'needs a value');
    options.set(arg, value);
    index += 1;
  }
  return { options, positional };
}

/** The sequences of the exported schemas, with their last values (`null`: never used). */
export async function exportSequences(sql: SqlExecutor): Promise<{ readonly name: string; readonly value: string | null }[]> {
  return sql.query<{ name: string; value: string | null }>(
    'export.sequences',
    `SELECT schemaname || '.' || sequencename AS name, last_value::text AS value
       FROM pg_sequences WHERE schemaname = ANY($1) ORDER BY 1`,
    [exportedSchemas],
  );
}
