/**
 * Repository tests: tenants and leads.
 */
import { DuplicateError, NotFoundError, PhoneNumber, ValidationError, VersionConflictError, type Lead } from '@sdr/core';
import { describe, expect, it } from 'vitest';
import { buildLead, buildPhoneNumber, buildTenant, newId, withoutBrazilianNinthDigit } from './fixtures.js';
import { expectSdrError, settleAll } from './harness.js';
import {
  collectPages,
  expectEachOnce,
  garbageCursor,
  type RepositoryConformanceOptions,
  type StoreSetup,
  type StoreSubject,
} from './repository-context.js';

const hour = 3_600_000;

export function registerTenantAndLeadTests<Subject extends StoreSubject>(
  setup: StoreSetup<Subject>,
  options: RepositoryConformanceOptions<Subject>,
): void {
  describe('tenants', () => {
    it(
      'create and get round-trip a tenant; an unknown id is null; a second create of one id is a DuplicateError',
      async () => {
        const { store } = await setup();
        const tenant = buildTenant({ name: 'Round Trip Ltda', businessHours: { mon: [['09:00', '18:00']] }, holidays: ['2031-12-25'] });
        expect(await store.tenants.create(tenant)).toEqual(tenant);
        expect(await store.tenants.get(tenant.id)).toEqual(tenant);
        expect(await store.tenants.get(buildTenant().id)).toBeNull();
        await expectSdrError(store.tenants.create({ ...tenant, name: 'Other' }), DuplicateError);
      },
      options.timeoutMs,
    );

    it(
      'update is optimistic: stores version + 1, refuses a stale version, and an unknown tenant is NotFoundError',
      async () => {
        const { store, tenant } = await setup();
        const updated = await store.tenants.update({ ...tenant, name: 'Renamed' });
        expect(updated).toMatchObject({ id: tenant.id, name: 'Renamed', version: tenant.version + 1 });
        expect(await store.tenants.get(tenant.id)).toEqual(updated);
        await expectSdrError(store.tenants.update({ ...tenant, name: 'Stale' }), VersionConflictError);
        await expectSdrError(store.tenants.update(buildTenant()), NotFoundError);
        expect((await store.tenants.get(tenant.id))?.name).toBe('Renamed');
      },
      options.timeoutMs,
    );

    it(
      'list pages through every tenant exactly once; a garbage cursor is a ValidationError',
      async () => {
        const { store, newTenant } = await setup();
        const ids = [
          (await newTenant()).id,
          (await newTenant()).id,
          (await newTenant()).id,
          (await newTenant()).id,
          (await newTenant()).id,
        ];
        const { items, pages } = await collectPages((page) => store.tenants.list(page), 2);
        expectEachOnce(items, ids);
        expect(pages).toBeGreaterThanOrEqual(3);
        await expectSdrError(store.tenants.list({ cursor: garbageCursor }), ValidationError);
      },
      options.timeoutMs,
    );
  });

  describe('leads', () => {
    it(
      'create and get round-trip every field, instants to the millisecond',
      async () => {
        const { store, tenantId } = await setup();
        const lead = buildLead({
          tenantId,
          whatsappLid: '123456789012345@lid',
          email: 'maria@example.com',
          stage: 'qualifying',
          fields: { budget: 5000, company: 'ACME', decided: false, notes: null },
          tags: ['vip', 'inbound'],
          lastInboundAt: new Date('2031-01-02T03:04:05.678Z'),
          crmLeadId: '9876',
          crmContactId: '5432',
          createdAt: new Date('2031-01-01T00:00:00.001Z'),
          updatedAt: new Date('2031-01-02T03:04:05.678Z'),
        });
        expect(await store.leads.create(lead)).toEqual(lead);
        const read = await store.leads.get(tenantId, lead.id);
        expect(read).toEqual(lead);
        expect(read?.phone.e164).toBe(lead.phone.e164);
      },
      options.timeoutMs,
    );

    it(
      'finds a lead by phone (either Brazilian form), by WhatsApp lid and by CRM lead id',
      async () => {
        const { store, tenantId } = await setup();
        const lead = await store.leads.create(buildLead({ tenantId, whatsappLid: `${newId()}@lid`, crmLeadId: `crm-${newId()}` }));
        expect((await store.leads.findByPhone(tenantId, lead.phone))?.id).toBe(lead.id);
        expect((await store.leads.findByPhone(tenantId, PhoneNumber.parse(withoutBrazilianNinthDigit(lead.phone))))?.id).toBe(lead.id);
        expect((await store.leads.findByWhatsappLid(tenantId, lead.whatsappLid ?? ''))?.id).toBe(lead.id);
        expect((await store.leads.findByCrmLeadId(tenantId, lead.crmLeadId ?? ''))?.id).toBe(lead.id);
        expect(await store.leads.findByPhone(tenantId, buildPhoneNumber())).toBeNull();
        expect(await store.leads.findByWhatsappLid(tenantId, 'unknown@lid')).toBeNull();
        expect(await store.leads.findByCrmLeadId(tenantId, 'unknown')).toBeNull();
      },
      options.timeoutMs,
    );

    it(
      'tenant isolation: another tenant sees none of a lead through get, find*, list or listUpdatedBetween, and cannot update it',
      async () => {
        const { store, tenantId, newTenant } = await setup();
        const lead = await store.leads.create(buildLead({ tenantId, whatsappLid: `${newId()}@lid`, crmLeadId: `crm-${newId()}` }));
        const other = (await newTenant()).id;
        expect(await store.leads.get(other, lead.id)).toBeNull();
        expect(await store.leads.findByPhone(other, lead.phone)).toBeNull();
        expect(await store.leads.findByWhatsappLid(other, lead.whatsappLid ?? '')).toBeNull();
        expect(await store.leads.findByCrmLeadId(other, lead.crmLeadId ?? '')).toBeNull();
        expect((await store.leads.list(other)).items).toEqual([]);
        expect((await store.leads.listUpdatedBetween(other, new Date(0), new Date(Date.UTC(2100, 0, 1)))).items).toEqual([]);
        await expectSdrError(store.leads.update({ ...lead, tenantId: other, name: 'Hijacked' }), NotFoundError);
        expect(await store.leads.get(tenantId, lead.id)).toEqual(lead);
      },
      options.timeoutMs,
    );

    it(
      'one lead per phone and tenant: the same phone (in either Brazilian form) or the same id is a DuplicateError; another tenant may have it',
      async () => {
        const { store, tenantId, newTenant } = await setup();
        const lead = await store.leads.create(buildLead({ tenantId }));
        await expectSdrError(store.leads.create(buildLead({ tenantId, phone: lead.phone })), DuplicateError);
        await expectSdrError(store.leads.create(buildLead({ tenantId, phone: withoutBrazilianNinthDigit(lead.phone) })), DuplicateError);
        await expectSdrError(store.leads.create(buildLead({ tenantId, id: lead.id })), DuplicateError);
        const elsewhere = buildLead({ tenantId: (await newTenant()).id, phone: lead.phone });
        expect(await store.leads.create(elsewhere)).toEqual(elsewhere);
      },
      options.timeoutMs,
    );

    it(
      'update is optimistic: stores version + 1, a stale version is a VersionConflictError, an unknown lead NotFoundError, a taken phone DuplicateError',
      async () => {
        const { store, tenantId } = await setup();
        const lead = await store.leads.create(buildLead({ tenantId }));
        const other = await store.leads.create(buildLead({ tenantId }));
        const updated = await store.leads.update({ ...lead, stage: 'meeting_scheduled', tags: ['booked'] });
        expect(updated).toMatchObject({ id: lead.id, stage: 'meeting_scheduled', tags: ['booked'], version: lead.version + 1 });
        expect(await store.leads.get(tenantId, lead.id)).toEqual(updated);
        await expectSdrError(store.leads.update({ ...lead, stage: 'lost' }), VersionConflictError);
        await expectSdrError(store.leads.update(buildLead({ tenantId })), NotFoundError);
        await expectSdrError(store.leads.update({ ...updated, phone: other.phone }), DuplicateError);
        expect(await store.leads.get(tenantId, lead.id)).toEqual(updated);
      },
      options.timeoutMs,
    );

    it(
      'list is newest first, filters by stage, pages through every lead exactly once, and refuses a garbage cursor',
      async () => {
        const { store, tenantId } = await setup();
        const base = Date.UTC(2031, 0, 1);
        const leads: Lead[] = [];
        for (let index = 0; index < 7; index += 1) {
          const at = new Date(base + index * hour);
          leads.push(
            await store.leads.create(buildLead({ tenantId, stage: index % 2 === 0 ? 'new' : 'qualifying', createdAt: at, updatedAt: at })),
          );
        }
        const { items } = await collectPages((page) => store.leads.list(tenantId, page), 3);
        expect(items.map((lead) => lead.id)).toEqual([...leads].reverse().map((lead) => lead.id));
        const qualifying = await collectPages((page) => store.leads.list(tenantId, { ...page, stage: 'qualifying' }), 2);
        expect(qualifying.items.map((lead) => lead.id)).toEqual(
          leads
            .filter((lead) => lead.stage === 'qualifying')
            .reverse()
            .map((lead) => lead.id),
        );
        await expectSdrError(store.leads.list(tenantId, { cursor: garbageCursor }), ValidationError);
      },
      options.timeoutMs,
    );

    it(
      'listUpdatedBetween returns leads with updatedAt in [from, to), oldest first, across pages',
      async () => {
        const { store, tenantId } = await setup();
        const base = Date.UTC(2031, 5, 1);
        const leads: Lead[] = [];
        for (let index = 0; index < 6; index += 1) {
          leads.push(
            await store.leads.create(buildLead({ tenantId, createdAt: new Date(base - hour), updatedAt: new Date(base + index * hour) })),
          );
        }
        const { items } = await collectPages(
          (page) => store.leads.listUpdatedBetween(tenantId, new Date(base + hour), new Date(base + 5 * hour), page),
          2,
        );
        expect(items.map((lead) => lead.id)).toEqual(leads.slice(1, 5).map((lead) => lead.id));
        await expectSdrError(
          store.leads.listUpdatedBetween(tenantId, new Date(base), new Date(base + hour), { cursor: garbageCursor }),
          ValidationError,
        );
      },
      options.timeoutMs,
    );

    it(
      'concurrent creates of one phone: exactly one wins, the others get DuplicateError',
      async () => {
        const { store, tenantId } = await setup();
        const phone = buildPhoneNumber();
        const { values, errors } = await settleAll(
          Array.from({ length: 10 }, () => () => store.leads.create(buildLead({ tenantId, phone }))),
        );
        expect(values).toHaveLength(1);
        expect(errors.filter((error) => !DuplicateError.isInstance(error))).toEqual([]);
        expect((await store.leads.findByPhone(tenantId, phone))?.id).toBe(values[0]?.id);
      },
      options.timeoutMs,
    );
  });
}
