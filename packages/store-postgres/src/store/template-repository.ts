/**
 * PostgreSQL `TemplateRepository`. `save` is one upsert on (tenant, key, locale): a new template
 * is stored with version 0; an existing one only when the caller's version is the stored one.
 */
import { VersionConflictError, parseOrThrow, templateSchema, type Template, type TemplateRepository } from '@sdr/core';
import type { Row } from '../database/database.js';
import { instant, isUuid, json, toDate, toInteger } from './sql-values.js';
import type { StoreContext } from './store-context.js';

/** The template repository over `context`. */
export function createTemplateRepository(context: StoreContext): TemplateRepository {
  const table = `${context.schema}.templates`;
  return {
    async get(tenantId, key, locale) {
      if (!isUuid(tenantId)) return null;
      const [row] = await context.exec.query('templates.get', `SELECT * FROM ${table} WHERE tenant_id = $1 AND key = $2 AND locale = $3`, [
        tenantId,
        key,
        locale,
      ]);
      return row ? toTemplate(row) : null;
    },

    async save(template) {
      const parsed = parseOrThrow(templateSchema, template, 'template');
      const [row] = await context.exec.write(
        'templates.save',
        `INSERT INTO ${table} AS stored (id, tenant_id, key, locale, variations, variables, created_at, updated_at, version)
         VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7::timestamptz, $8::timestamptz, 0)
         ON CONFLICT (tenant_id, key, locale) DO UPDATE
           SET variations = excluded.variations, variables = excluded.variables, updated_at = excluded.updated_at,
               version = stored.version + 1
           WHERE stored.version = $9
         RETURNING *`,
        [
          parsed.id,
          parsed.tenantId,
          parsed.key,
          parsed.locale,
          json(parsed.variations),
          json(parsed.variables),
          instant(parsed.createdAt),
          instant(parsed.updatedAt),
          parsed.version,
        ],
      );
      if (!row) throw new VersionConflictError('template', parsed.id, parsed.version);
      return toTemplate(row);
    },

    async list(tenantId) {
      if (!isUuid(tenantId)) return [];
      const rows = await context.exec.query(
        'templates.list',
        `SELECT * FROM ${table} WHERE tenant_id = $1 ORDER BY key COLLATE "C", locale COLLATE "C"`,
        [tenantId],
      );
      return rows.map(toTemplate);
    },

    async delete(tenantId, key, locale) {
      if (!isUuid(tenantId)) return false;
      const rows = await context.exec.write(
        'templates.delete',
        `DELETE FROM ${table} WHERE tenant_id = $1 AND key = $2 AND locale = $3 RETURNING id`,
        [tenantId, key, locale],
      );
      return rows.length > 0;
    },
  };
}

function toTemplate(row: Row): Template {
  return {
    id: String(row['id']),
    tenantId: String(row['tenant_id']),
    key: String(row['key']),
    locale: String(row['locale']),
    variations: row['variations'] as Template['variations'],
    variables: row['variables'] as Template['variables'],
    createdAt: toDate(row['created_at']),
    updatedAt: toDate(row['updated_at']),
    version: toInteger(row['version']),
  };
}
