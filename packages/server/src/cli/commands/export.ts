/**
 * `sdr export --tenant <id> [--output file.jsonl]`: one tenant's data as JSON lines (see
 * `export-format.ts`), read in one snapshot, for portability and as a logical backup. With
 * `--output` the file appears only once complete (written aside, then renamed).
 */
import { open, rename, rm } from 'node:fs/promises';
import process from 'node:process';
import { NotFoundError, ValidationError } from '@sdr/core';
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
  parseTenantId,
  tenantsTableSql,
} from './export-format.js';

const usage = `usage: sdr export --tenant <id> [--output <file.jsonl>]

Writes one tenant's data as JSON lines: a header, one line per row of every table holding the
tenant's data (leads, messages, appointments, contacts, billing, templates, schedules, CRM sync
state, API keys, tokens as stored — encrypted), and a closing line with the row count. Restore it
with \`sdr import\`. The database is the one the server uses (DATABASE_URL, or SDR_DATA_DIR).
  --tenant <id>     the tenant's id
  --output <file>   write to this file (it appears only when complete); default: standard output
`;

/** The `export` command. */
export const exportCommand: CliCommand = {
  path: ['export'],
  summary: "write a tenant's data as JSON lines (restore with sdr import)",
  usage,
  async run(args, io) {
    const { options, positional } = parseOptions(args, ['--tenant', '--output'], 'sdr export');
    if (positional.length > 0) throw ValidationError.forField('arguments', `unexpected ${positional.join(' ')}`);
    const tenant = options.get('--tenant');
    if (tenant === undefined) throw ValidationError.forField('--tenant', 'give the tenant to export: sdr export --tenant <id>');
    const tenantId = parseTenantId(tenant, '--tenant');
    const output = options.get('--output');
    const config = loadConfig(process.env);
    const database = await openServerDatabase(config.database);
    try {
      if (output === undefined) {
        const rows = await exportTenant(database.database, tenantId, (line) => {
          io.stdout(line);
          return Promise.resolve();
        });
        io.stderr(`exported ${rows} rows of tenant ${tenantId}\n`);
        return exitCodes.ok;
      }
      const partial = `${output}.partial`;
      const file = await open(partial, 'w');
      try {
        const rows = await exportTenant(database.database, tenantId, (line) => file.write(line).then(() => undefined));
        await file.close();
        await rename(partial, output);
        io.stderr(`exported ${rows} rows of tenant ${tenantId} to ${output}\n`);
        return exitCodes.ok;
      } catch (error) {
        await file.close().catch(() => undefined);
        await rm(partial, { force: true });
        throw error;
      }
    } finally {
      await database.close();
    }
  },
};

/**
 * Writes the export of `tenantId` through `write`, one line per call, from one repeatable-read
 * snapshot; resolves to the number of rows. An unknown tenant is a `NotFoundError`.
 */
export async function exportTenant(
  database: { transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> },
  tenantId: string,
  write: (line: string) => Promise<void>,
): Promise<number> {
  return database.transaction(async (tx) => {
    await tx.query('export.snapshot', 'SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
    const tables = await exportTables(tx);
    const found = await tx.query('export.tenant', `SELECT 1 FROM ${tenantsTableSql} WHERE id = $1`, [tenantId]);
    if (found.length === 0) throw new NotFoundError('tenant', tenantId);
    await write(`${JSON.stringify({ format: exportFormat, version: exportVersion, tenantId, exportedAt: new Date().toISOString() })}\n`);
    let rows = 0;
    for (const table of tables) {
      const lines = await tx.query<{ row: string }>(
        `export.${table.name}`,
        `SELECT row_to_json(t)::text AS row FROM ${table.sql} t WHERE t.${JSON.stringify(table.tenantColumn)} = $1`,
        [tenantId],
      );
      for (const { row } of lines) {
        await write(`{"table":${JSON.stringify(table.name)},"row":${row}}\n`);
        rows += 1;
      }
    }
    for (const sequence of await exportSequences(tx)) {
      if (sequence.value !== null) await write(`${JSON.stringify({ sequence: sequence.name, value: Number(sequence.value) })}\n`);
    }
    await write(`${JSON.stringify({ end: true, rows })}\n`);
    return rows;
  });
}
