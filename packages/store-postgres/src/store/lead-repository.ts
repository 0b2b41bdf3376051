/**
 * PostgreSQL `LeadRepository`. One lead per canonical phone and tenant is a unique constraint
 * (`PhoneNumber.e164` already folds the Brazilian 9th digit), enforced on update as well.
 */
import { PhoneNumber, leadSchema, parseOrThrow, type Lead, type LeadRepository } from '@sdr/core';
import type { Row } from '../database/database.js';
import { keysetCondition, pageLimit, pageStart, toPage } from './paging.js';
import { Parameters, instant, instantOrNull, isUuid, json, textOrNull, toDate, toDateOrNull, toInteger } from './sql-values.js';
import type { StoreContext } from './store-context.js';
import { updateVersioned } from './versioned-update.js';

const columns =
  'id, tenant_id, phone, whatsapp_lid, name, email, stage, fields, tags, automation, opted_out, opted_out_at, last_inbound_at, last_outbound_at, crm_lead_id, crm_contact_id, created_at, updated_at, version';

/** The lead repository over `context`. */
export function createLeadRepository(context: StoreContext): LeadRepository {
  const table = `${context.schema}.leads`;
  const findOne = async (operation: string, tenantId: string, condition: string, value: unknown): Promise<Lead | null> => {
    if (!isUuid(tenantId)) return null;
    const [row] = await context.exec.query(operation, `SELECT * FROM ${table} WHERE tenant_id = $1 AND ${condition} LIMIT 1`, [
      tenantId,
      value,
    ]);
    return row ? toLead(row) : null;
  };

  return {
    get: (tenantId, id) => (isUuid(id) ? findOne('leads.get', tenantId, 'id = $2', id) : Promise.resolve(null)),
    findByPhone: (tenantId, phone) => findOne('leads.findByPhone', tenantId, 'phone = $2', phone.e164),
    findByWhatsappLid: (tenantId, lid) => findOne('leads.findByWhatsappLid', tenantId, 'whatsapp_lid = $2', lid),
    findByCrmLeadId: (tenantId, crmLeadId) => findOne('leads.findByCrmLeadId', tenantId, 'crm_lead_id = $2', crmLeadId),

    async create(lead) {
      const parsed = parseOrThrow(leadSchema, lead, 'lead');
      const [row] = await context.exec.write(
        'leads.create',
        `INSERT INTO ${table} (${columns})
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9::jsonb, $10, $11, $12::timestamptz, $13::timestamptz, $14::timestamptz,
                 $15, $16, $17::timestamptz, $18::timestamptz, $19)
         RETURNING *`,
        [parsed.id, parsed.tenantId, ...valuesOf(parsed), instant(parsed.createdAt), instant(parsed.updatedAt), parsed.version],
      );
      return toLead(row ?? {});
    },

    async update(lead) {
      const parsed = parseOrThrow(leadSchema, lead, 'lead');
      const row = await updateVersioned(context, {
        operation: 'leads.update',
        sql: `UPDATE ${table} SET phone = $4, whatsapp_lid = $5, name = $6, email = $7, stage = $8, fields = $9::jsonb, tags = $10::jsonb,
                automation = $11, opted_out = $12, opted_out_at = $13::timestamptz, last_inbound_at = $14::timestamptz,
                last_outbound_at = $15::timestamptz, crm_lead_id = $16, crm_contact_id = $17, updated_at = $18::timestamptz,
                version = version + 1
              WHERE id = $1 AND tenant_id = $2 AND version = $3 RETURNING *`,
        params: [parsed.id, parsed.tenantId, parsed.version, ...valuesOf(parsed), instant(parsed.updatedAt)],
        table: 'leads',
        resource: 'lead',
        tenantId: parsed.tenantId,
        id: parsed.id,
        expectedVersion: parsed.version,
      });
      return toLead(row);
    },

    async list(tenantId, page) {
      const limit = pageLimit(page);
      const after = pageStart('leads', page);
      if (!isUuid(tenantId)) return { items: [], nextCursor: null };
      const params = new Parameters();
      const conditions = [`tenant_id = ${params.push(tenantId)}`];
      if (page?.stage !== undefined) conditions.push(`stage = ${params.push(page.stage)}`);
      const keyset = keysetCondition({ after, instantColumn: 'created_at', direction: '<', push: (value) => params.push(value) });
      if (keyset) conditions.push(keyset);
      const rows = await context.exec.query(
        'leads.list',
        `SELECT * FROM ${table} WHERE ${conditions.join(' AND ')} ORDER BY created_at DESC, id DESC LIMIT ${params.push(limit + 1)}`,
        params.values,
      );
      return toPage({ list: 'leads', rows: rows.map(toLead), limit, keyOf: (item) => [item.createdAt.getTime(), item.id] });
    },

    async listUpdatedBetween(tenantId, from, to, page) {
      const limit = pageLimit(page);
      const after = pageStart('leads.updated', page);
      if (!isUuid(tenantId)) return { items: [], nextCursor: null };
      const params = new Parameters();
      const conditions = [
        `tenant_id = ${params.push(tenantId)}`,
        `updated_at >= ${params.push(instant(from))}::timestamptz`,
        `updated_at < ${params.push(instant(to))}::timestamptz`,
      ];
      const keyset = keysetCondition({ after, instantColumn: 'updated_at', direction: '>', push: (value) => params.push(value) });
      if (keyset) conditions.push(keyset);
      const rows = await context.exec.query(
        'leads.listUpdatedBetween',
        `SELECT * FROM ${table} WHERE ${conditions.join(' AND ')} ORDER BY updated_at, id LIMIT ${params.push(limit + 1)}`,
        params.values,
      );
      return toPage({ list: 'leads.updated', rows: rows.map(toLead), limit, keyOf: (item) => [item.updatedAt.getTime(), item.id] });
    },
  };
}

/** The mutable columns, phone to crm_contact_id, in `columns` order. */
function valuesOf(lead: Lead): unknown[] {
  return [
    lead.phone.e164,
    lead.whatsappLid,
    lead.name,
    lead.email,
    lead.stage,
    json(lead.fields),
    json(lead.tags),
    lead.automation,
    lead.optedOut,
    instantOrNull(lead.optedOutAt),
    instantOrNull(lead.lastInboundAt),
    instantOrNull(lead.lastOutboundAt),
    lead.crmLeadId,
    lead.crmContactId,
  ];
}

function toLead(row: Row): Lead {
  return {
    id: String(row['id']),
    tenantId: String(row['tenant_id']),
    phone: PhoneNumber.fromE164(String(row['phone'])),
    whatsappLid: textOrNull(row['whatsapp_lid']),
    name: textOrNull(row['name']),
    email: textOrNull(row['email']),
    stage: row['stage'] as Lead['stage'],
    fields: row['fields'] as Lead['fields'],
    tags: row['tags'] as Lead['tags'],
    automation: row['automation'] as Lead['automation'],
    optedOut: row['opted_out'] === true,
    optedOutAt: toDateOrNull(row['opted_out_at']),
    lastInboundAt: toDateOrNull(row['last_inbound_at']),
    lastOutboundAt: toDateOrNull(row['last_outbound_at']),
    crmLeadId: textOrNull(row['crm_lead_id']),
    crmContactId: textOrNull(row['crm_contact_id']),
    createdAt: toDate(row['created_at']),
    updatedAt: toDate(row['updated_at']),
    version: toInteger(row['version']),
  };
}
