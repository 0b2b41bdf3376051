/**
 * PostgreSQL `BillingCycleRepository`. One **active** cycle per `externalBillingId` and tenant
 * is the unique partial index `billing_cycles_one_active_key` — also under concurrent imports,
 * and when an update makes a cycle active again.
 */
import { billingCycleSchema, parseOrThrow, type BillingCycle, type BillingCycleRepository, type BillingPlanStep } from '@sdr/core';
import type { Row } from '../database/database.js';
import { keysetCondition, pageLimit, pageStart, toPage } from './paging.js';
import { Parameters, instant, isUuid, json, toDate, toInteger } from './sql-values.js';
import type { StoreContext } from './store-context.js';
import { updateVersioned } from './versioned-update.js';

// `date` columns would come back as a Date at local midnight: read them as text, in ISO form.
const selectColumns = `id, tenant_id, external_billing_id, contact_id, amount, currency, to_char(due_date, 'YYYY-MM-DD') AS due_date,
  status, steps, metadata, created_at, updated_at, version`;

/** The billing-cycle repository over `context`. */
export function createBillingCycleRepository(context: StoreContext): BillingCycleRepository {
  const table = `${context.schema}.billing_cycles`;
  return {
    async get(tenantId, id) {
      if (!isUuid(tenantId) || !isUuid(id)) return null;
      const [row] = await context.exec.query(
        'billingCycles.get',
        `SELECT ${selectColumns} FROM ${table} WHERE tenant_id = $1 AND id = $2`,
        [tenantId, id],
      );
      return row ? toCycle(row) : null;
    },

    async findActiveByExternalId(tenantId, externalBillingId) {
      if (!isUuid(tenantId)) return null;
      const [row] = await context.exec.query(
        'billingCycles.findActiveByExternalId',
        `SELECT ${selectColumns} FROM ${table} WHERE tenant_id = $1 AND external_billing_id = $2 AND status = 'active'`,
        [tenantId, externalBillingId],
      );
      return row ? toCycle(row) : null;
    },

    async create(cycle) {
      const parsed = parseOrThrow(billingCycleSchema, cycle, 'billingCycle');
      const [row] = await context.exec.write(
        'billingCycles.create',
        `INSERT INTO ${table} (id, tenant_id, external_billing_id, contact_id, amount, currency, due_date, status, steps, metadata,
                               created_at, updated_at, version)
         VALUES ($1, $2, $3, $4, $5, $6, $7::date, $8, $9::jsonb, $10::jsonb, $11::timestamptz, $12::timestamptz, $13)
         RETURNING ${selectColumns}`,
        [
          parsed.id,
          parsed.tenantId,
          parsed.externalBillingId,
          parsed.contactId,
          parsed.amount,
          parsed.currency,
          parsed.dueDate,
          parsed.status,
          json(parsed.steps),
          json(parsed.metadata),
          instant(parsed.createdAt),
          instant(parsed.updatedAt),
          parsed.version,
        ],
      );
      return toCycle(row ?? {});
    },

    async update(cycle) {
      const parsed = parseOrThrow(billingCycleSchema, cycle, 'billingCycle');
      const row = await updateVersioned(context, {
        operation: 'billingCycles.update',
        sql: `UPDATE ${table} SET external_billing_id = $4, contact_id = $5, amount = $6, currency = $7, due_date = $8::date, status = $9,
                steps = $10::jsonb, metadata = $11::jsonb, updated_at = $12::timestamptz, version = version + 1
              WHERE id = $1 AND tenant_id = $2 AND version = $3 RETURNING ${selectColumns}`,
        params: [
          parsed.id,
          parsed.tenantId,
          parsed.version,
          parsed.externalBillingId,
          parsed.contactId,
          parsed.amount,
          parsed.currency,
          parsed.dueDate,
          parsed.status,
          json(parsed.steps),
          json(parsed.metadata),
          instant(parsed.updatedAt),
        ],
        table: 'billing_cycles',
        resource: 'billing cycle',
        tenantId: parsed.tenantId,
        id: parsed.id,
        expectedVersion: parsed.version,
      });
      return toCycle(row);
    },

    // Newest first, like the lead list: the console shows the latest imports on top.
    async list(tenantId, page) {
      const limit = pageLimit(page);
      const after = pageStart('billingCycles', page);
      if (!isUuid(tenantId) || (page?.contactId !== undefined && !isUuid(page.contactId))) return { items: [], nextCursor: null };
      const params = new Parameters();
      const conditions = [`tenant_id = ${params.push(tenantId)}`];
      if (page?.status !== undefined) conditions.push(`status = ${params.push(page.status)}`);
      if (page?.contactId !== undefined) conditions.push(`contact_id = ${params.push(page.contactId)}`);
      const keyset = keysetCondition({ after, instantColumn: 'created_at', direction: '<', push: (value) => params.push(value) });
      if (keyset) conditions.push(keyset);
      const rows = await context.exec.query(
        'billingCycles.list',
        `SELECT ${selectColumns} FROM ${table} WHERE ${conditions.join(' AND ')} ORDER BY created_at DESC, id DESC LIMIT ${params.push(limit + 1)}`,
        params.values,
      );
      return toPage({ list: 'billingCycles', rows: rows.map(toCycle), limit, keyOf: (item) => [item.createdAt.getTime(), item.id] });
    },
  };
}

function toCycle(row: Row): BillingCycle {
  const steps = (row['steps'] as readonly (Omit<BillingPlanStep, 'sendAt'> & { readonly sendAt: string })[]).map((step) => ({
    ...step,
    sendAt: toDate(step.sendAt),
  }));
  return {
    id: String(row['id']),
    tenantId: String(row['tenant_id']),
    externalBillingId: String(row['external_billing_id']),
    contactId: String(row['contact_id']),
    amount: toInteger(row['amount']),
    currency: String(row['currency']),
    dueDate: String(row['due_date']),
    status: row['status'] as BillingCycle['status'],
    steps,
    metadata: row['metadata'] as BillingCycle['metadata'],
    createdAt: toDate(row['created_at']),
    updatedAt: toDate(row['updated_at']),
    version: toInteger(row['version']),
  };
}
