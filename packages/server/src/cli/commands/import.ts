/**
 * `sdr import <file.jsonl>`: restores a tenant written by `sdr export` into a database that holds
 * no tenant yet (a new installation, or the target of a move). The whole file is checked — its
 * header, every table and column, every row belonging to the exported tenant, the closing count —
 * and written in one transaction: a file refused or a row the database rejects leaves nothing behind.
 */
import process from 'node:process';
import { SdrError, ValidationError } from '@sdr/core';
import type { SqlExecutor } from '@sdr/store-postgres';
import { loadConfig } from '../../runtime/config.js';
import { openServerDatabase } from '../../runtime/open-database.js';
import { exitCodes, type CliCommand } from '../command.js';
import {
  exportFormat,
  exportSequences,
  exportTables,
  exportVersion,
  parseOptions,
  tenantsTableSql,
  type ExportTable,
} from './export-format.js';

const usage = `usage: sdr import <file.jsonl>

Restores a tenant exported with \`sdr export\` into the server's database (DATABASE_URL, or
SDR_DATA_DIR), which must hold no tenant yet: start the server once the import is done (or set
SDR_SEED_DEMO=false if it already ran, so that no demo tenant was created). All or nothing.
`;

/** Rows written per statement. */
const batchSize = 200;

/** The `import` command. */
export const importCommand: CliCommand = {
  path: ['import'],
  summary: 'restore a tenant written by sdr export into an empty database',
  usage,
  async run(args, io) {
    const { positional } = parseOptions(args, [], 'sdr import');
    const [path, ...extra] = positional;
    if (path === undefined) throw ValidationError.forField('file', 'give the export file: sdr import <file.jsonl>');
    if (extra.length > 0) throw ValidationError.forField('arguments', `unexpected ${extra.join(' ')}`);
    let text: string;
    try {
      text = await io.readFile(path);
    } catch (error) {
      throw ValidationError.forField('file', `cannot read ${path}: ${error instanceof Error ? error.message : String(error)}`);
    }
    const config = loadConfig(process.env);
    const database = await openServerDatabase(config.database);
    try {
      const result = await importTenant(database.database, text, path);
      io.stderr(`imported ${result.rows} rows of tenant ${result.tenantId}\n`);
      return exitCodes.ok;
    } finally {
      await database.close();
    }
  },
};

interface ParsedRow {
  readonly table: ExportTable;
  readonly row: Record<string, unknown>;
}

/**
 * Imports the export `text` (named `source` in errors) into `database`, which must hold no
 * tenant. Resolves to the tenant and the number of rows written.
 */
export async function importTenant(
  database: { transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> },
  text: string,
  source: string,
): Promise<{ readonly tenantId: string; readonly rows: number }> {
  return database.transaction(async (tx) => {
    const [existing] = await tx.query<{ count: string }>('import.tenants', `SELECT count(*)::text AS count FROM ${tenantsTableSql}`);
    if (existing !== undefined && existing.count !== '0') {
      throw ValidationError.forField(
        'database',
        `already holds ${existing.count} tenant(s): sdr import restores into a database without tenants`,
      );
    }
    const tables = new Map((await exportTables(tx)).map((table) => [table.name, table]));
    const sequenceNames = new Set((await exportSequences(tx)).map((sequence) => sequence.name));
    const { tenantId, rows, sequences } = parseExport(text, source, tables, sequenceNames);
    const order = [...tables.keys()];
    const sorted = [...rows].sort((a, b) => order.indexOf(a.table.name) - order.indexOf(b.table.name));
    for (let start = 0; start < sorted.length; ) {
      const table = sorted[start]?.table;
      if (table === undefined) break;
      let end = start;
      while (end < sorted.length && end - start < batchSize && sorted[end]?.table === table) end += 1;
      await insertRows(tx, table, sorted.slice(start, end));
      start = end;
    }
    for (const table of tables.values()) {
      for (const column of table.identityColumns) {
        // The next generated value comes after the rows just written.
        await tx.write(
          `import.sequence.${table.name}`,
          `SELECT setval(pg_get_serial_sequence($1, $2), COALESCE((SELECT max(${JSON.stringify(column)}) FROM ${table.sql}), 0) + 1, false)`,
          [table.sql, column],
        );
      }
    }
    for (const sequence of sequences) {
      // Only ever forward: numbers the source handed out are never handed out again here.
      await tx.write(
        `import.sequence.${sequence.name}`,
        `SELECT setval($1::text::regclass, $2::bigint)
          WHERE $2::bigint > COALESCE((SELECT last_value FROM pg_sequences WHERE schemaname || '.' || sequencename = $1::text), 0)`,
        [sequence.name, sequence.value],
      );
    }
    return { tenantId, rows: rows.length };
  });
}

async function insertRows(tx: SqlExecutor, table: ExportTable, rows: readonly ParsedRow[]): Promise<void> {
  const columns = table.writableColumns.map((column) => JSON.stringify(column)).join(', ');
  try {
    await tx.write(
      `import.${table.name}`,
      `INSERT INTO ${table.sql} (${columns}) OVERRIDING SYSTEM VALUE
       SELECT ${columns} FROM json_populate_recordset(NULL::${table.sql}, $1::json)`,
      [JSON.stringify(rows.map((parsed) => parsed.row))],
    );
  } catch (error) {
    throw new SdrError(
      `the database refused rows of ${table.name}: ${error instanceof Error ? error.message : String(error)}`,
      'internal',
      {
        cause: error,
      },
    );
  }
}

/** Checks the whole file before anything is written; every problem names the line. */
function parseExport(
  text: string,
  source: string,
  tables: ReadonlyMap<string, ExportTable>,
  sequenceNames: ReadonlySet<string>,
): { tenantId: string; rows: ParsedRow[]; sequences: { name: string; value: number }[] } {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const refuse = (line: number, problem: string) => ValidationError.forField('file', `${source} line ${line}: ${problem}`);
  const parsed = lines.map((line, index) => {
    try {
      return JSON.parse(line) as unknown;
    } catch {
      throw refuse(index + 1, 'is not JSON');
    }
  });
  const header = parsed[0];
  if (!isRecord(header) || header['format'] !== exportFormat)
    throw refuse(1, `is not the header of an sdr export (format ${exportFormat})`);
  if (header['version'] !== exportVersion) throw refuse(1, `export version ${JSON.stringify(header['version'])} is not ${exportVersion}`);
  const tenantId = header['tenantId'];
  if (typeof tenantId !== 'string') throw refuse(1, 'names no tenantId');
  const end = parsed.at(-1);
  const entries = parsed.slice(1, -1).map((entry, index) => ({ entry, line: index + 2 }));
  const isSequence = (entry: unknown): entry is Record<string, unknown> => isRecord(entry) && 'sequence' in entry;
  const body = entries.filter(({ entry }) => !isSequence(entry));
  if (parsed.length < 2 || !isRecord(end) || end['end'] !== true) throw refuse(parsed.length, 'the export is cut short (no closing line)');
  if (end['rows'] !== body.length)
    throw refuse(parsed.length, `announces ${JSON.stringify(end['rows'])} rows, the file holds ${body.length}`);
  const rows = body.map(({ entry, line }): ParsedRow => {
    if (!isRecord(entry) || typeof entry['table'] !== 'string' || !isRecord(entry['row'])) throw refuse(line, 'is not {"table", "row"}');
    const table = tables.get(entry['table']);
    if (table === undefined) throw refuse(line, `table ${entry['table']} does not exist in this database`);
    const row = entry['row'];
    const unknown = Object.keys(row).filter((column) => !table.columns.includes(column));
    if (unknown.length > 0)
      throw refuse(line, `${table.name} has no column ${unknown.join(', ')} in this database (is the server older than the export?)`);
    if (row[table.tenantColumn] !== tenantId) throw refuse(line, `the row belongs to another tenant than ${tenantId}`);
    return { table, row };
  });
  const sequences = entries.flatMap(({ entry, line }) => {
    if (!isSequence(entry)) return [];
    const name = entry['sequence'];
    const value = entry['value'];
    if (typeof name !== 'string' || !sequenceNames.has(name))
      throw refuse(line, `sequence ${JSON.stringify(name)} does not exist in this database`);
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw refuse(line, `sequence ${name} has no whole-number value`);
    return [{ name, value }];
  });
  if (!rows.some((parsedRow) => parsedRow.table.sql === tenantsTableSql)) throw refuse(2, 'the export holds no tenant row');
  return { tenantId, rows, sequences };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
