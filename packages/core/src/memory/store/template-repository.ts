/**
 * In-memory `TemplateRepository`. `save` is an upsert on (tenant, key, locale): a new template
 * is stored with version 0; an existing one is replaced only when the caller's `version` is the
 * stored one (then +1), keeping the stored id and creation time — like `INSERT … ON CONFLICT
 * (tenant_id, key, locale) DO UPDATE … WHERE version = $version`.
 */
import { DuplicateError, VersionConflictError } from '../../errors/index.js';
import { parseOrThrow } from '../../domain/model/parse.js';
import { templateSchema, type Template } from '../../domain/model/template.js';
import type { TemplateRepository } from '../../ports/repositories/repositories.js';
import { cloneOrNull, cloneValue } from '../../internal/clone.js';
import { rowsOf } from './rows.js';
import type { StoreRuntime } from './store-runtime.js';
import type { TableOverlay } from './tables.js';

/** The template repository over `runtime`. */
export function createTemplateRepository(runtime: StoreRuntime): TemplateRepository {
  return {
    get: (tenantId, key, locale) =>
      runtime.read('templates.get', (unit) => cloneOrNull(findTemplate(unit.table('templates'), tenantId, key, locale))),

    save: (template) =>
      runtime.write('templates.save', (unit) => {
        const row = parseOrThrow(templateSchema, template, 'template');
        const table = unit.table('templates');
        const stored = findTemplate(table, row.tenantId, row.key, row.locale);
        if (stored === undefined) {
          if (table.has(row.id)) throw new DuplicateError('template', row.id);
          const inserted = { ...row, version: 0 };
          table.set(inserted.id, inserted);
          return cloneValue(inserted);
        }
        if (stored.version !== row.version) throw new VersionConflictError('template', stored.id, row.version);
        const next = { ...row, id: stored.id, createdAt: stored.createdAt, version: stored.version + 1 };
        table.set(next.id, next);
        return cloneValue(next);
      }),

    list: (tenantId) =>
      runtime.read('templates.list', (unit) =>
        rowsOf(unit.table('templates'), tenantId)
          .sort((a, b) => compareText(a.key, b.key) || compareText(a.locale, b.locale))
          .map(cloneValue),
      ),

    delete: (tenantId, key, locale) =>
      runtime.write('templates.delete', (unit) => {
        const table = unit.table('templates');
        const stored = findTemplate(table, tenantId, key, locale);
        if (stored === undefined) return false;
        table.delete(stored.id);
        return true;
      }),
  };
}

function findTemplate(table: TableOverlay<Template>, tenantId: string, key: string, locale: string): Template | undefined {
  return rowsOf(table, tenantId).find((template) => template.key === key && template.locale === locale);
}

function compareText(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}
