/** PostgreSQL `TenantRepository`: the configuration is one `jsonb` column, read back through the schema. */
import { parseOrThrow, tenantSchema, type Tenant, type TenantRepository } from '@sdr/core';
import type { Row } from '../database/database.js';
import { keysetCondition, pageLimit, pageStart, toPage } from './paging.js';
import { Parameters, instant, isUuid, json, toDate, toInteger } from './sql-values.js';
import type { StoreContext } from './store-context.js';
import { updateVersioned } from './versioned-update.js';

/** The tenant repository over `context`. */
export function createTenantRepository(context: StoreContext): TenantRepository {
  const table = `${context.schema}.tenants`;
  return {
    async get(id) {
      if (!isUuid(id)) return null;
      const [row] = await context.exec.query('tenants.get', `SELECT * FROM ${table} WHERE id = $1`, [id]);
      return row ? toTenant(row) : null;
    },

    async create(tenant) {
      const parsed = parseOrThrow(tenantSchema, tenant, 'tenant');
      const [row] = await context.exec.write(
        'tenants.create',
        `INSERT INTO ${table} (id, name, config, created_at, updated_at, version)
         VALUES ($1, $2, $3::jsonb, $4::timestamptz, $5::timestamptz, $6) RETURNING *`,
        [parsed.id, parsed.name, json(configOf(parsed)), instant(parsed.createdAt), instant(parsed.updatedAt), parsed.version],
      );
      return toTenant(row ?? {});
    },

    async update(tenant) {
      const parsed = parseOrThrow(tenantSchema, tenant, 'tenant');
      const row = await updateVersioned(context, {
        operation: 'tenants.update',
        sql: `UPDATE ${table} SET name = $3, config = $4::jsonb, updated_at = $5::timestamptz, version = version + 1
              WHERE id = $1 AND version = $2 RETURNING *`,
        params: [parsed.id, parsed.version, parsed.name, json(configOf(parsed)), instant(parsed.updatedAt)],
        table: 'tenants',
        resource: 'tenant',
        tenantId: null,
        id: parsed.id,
        expectedVersion: parsed.version,
      });
      return toTenant(row);
    },

    // Oldest first: a stable order for operators paging through every tenant.
    async list(page) {
      const limit = pageLimit(page);
      const after = pageStart('tenants', page);
      const params = new Parameters();
      const keyset = keysetCondition({ after, instantColumn: 'created_at', direction: '>', push: (value) => params.push(value) });
      const rows = await context.exec.query(
        'tenants.list',
        `SELECT * FROM ${table} ${keyset ? `WHERE ${keyset}` : ''} ORDER BY created_at, id LIMIT ${params.push(limit + 1)}`,
        params.values,
      );
      return toPage({ list: 'tenants', rows: rows.map(toTenant), limit, keyOf: (tenant) => [tenant.createdAt.getTime(), tenant.id] });
    },
  };
}

function configOf(tenant: Tenant): Record<string, unknown> {
  const { id: _id, name: _name, createdAt: _createdAt, updatedAt: _updatedAt, version: _version, ...config } = tenant;
  return config;
}

function toTenant(row: Row): Tenant {
  return parseOrThrow(
    tenantSchema,
    {
      ...(row['config'] as Record<string, unknown>),
      id: row['id'],
      name: row['name'],
      createdAt: toDate(row['created_at']),
      updatedAt: toDate(row['updated_at']),
      version: toInteger(row['version']),
    },
    'tenant',
  );
}
