/**
 * `runCrmConformance`: proves a `CrmPort` finds leads by phone identity, adds and removes tags
 * without replacing them, writes notes once, refuses what it does not know, takes and answers
 * batches as wholes, gives up aborted calls, and paces its own requests
 * (packages/core/src/ports/crm/crm-port.ts) — through the batch methods and the core's
 * single-item helpers alike.
 */
import { NotFoundError, PhoneNumber, getCrmLead, updateCrmLead, upsertCrmContact, upsertCrmLead } from '@sdr/core';
import { describe, expect, it } from 'vitest';
import { registerCrmBatchTests } from './crm-batches.js';
import { registerCrmCallTests } from './crm-calls.js';
import { crmSetup, type CrmConformanceOptions, type CrmSetup, type CrmSubject } from './crm-context.js';
import { registerCrmUpdateTests } from './crm-updates.js';
import { buildPhoneNumber, withoutBrazilianNinthDigit } from './fixtures.js';
import { expectSdrError, skipReason } from './harness.js';

export type { CrmConformanceOptions, CrmInspector, CrmSubject, CrmSuiteCapabilities } from './crm-context.js';

/**
 * Registers the `CrmPort` conformance tests. A subject that declares its `pacing` paces its own
 * calls (and the pacing is proved); any other is paced by the suite under the declared
 * `requestsPerSecond` unless `pace: false`.
 */
export function runCrmConformance<Subject extends CrmSubject>(options: CrmConformanceOptions<Subject>): void {
  const setup = crmSetup(options);
  describe(`CrmPort conformance: ${options.name}`, () => {
    registerCrmReadTests(setup, options);
    registerCrmUpdateTests(setup, options);
    registerCrmBatchTests(setup, options);
    registerCrmCallTests(setup, options);
  });
}

function registerCrmReadTests<Subject extends CrmSubject>(setup: CrmSetup<Subject>, options: CrmConformanceOptions<Subject>): void {
  it(
    'declares contractVersion v1, a provider name and coherent capabilities',
    async () => {
      const { crm } = await setup();
      expect(crm.contractVersion).toBe('v1');
      expect(crm.provider.length).toBeGreaterThan(0);
      expect(typeof crm.capabilities.batchUpdate).toBe('boolean');
      expect(typeof crm.capabilities.batchNotes).toBe('boolean');
      expect(Number.isInteger(crm.capabilities.maxBatchSize)).toBe(true);
      expect(crm.capabilities.maxBatchSize).toBeGreaterThanOrEqual(1);
      expect(crm.capabilities.requestsPerSecond).toBeGreaterThan(0);
    },
    options.timeoutMs,
  );

  it(
    'lists pipelines, each with ids and named statuses',
    async () => {
      const { crm } = await setup();
      const pipelines = await crm.listPipelines();
      expect(pipelines.length).toBeGreaterThan(0);
      for (const pipeline of pipelines) {
        expect(pipeline.pipelineId.length).toBeGreaterThan(0);
        for (const status of pipeline.statuses) {
          expect(status.statusId.length).toBeGreaterThan(0);
          expect(typeof status.name).toBe('string');
        }
      }
    },
    options.timeoutMs,
  );

  it(
    'reports health as up, degraded or down with a checkedAt instant',
    async () => {
      const { crm } = await setup();
      const health = await crm.health();
      expect(['up', 'degraded', 'down']).toContain(health.status);
      expect(health.checkedAt).toBeInstanceOf(Date);
    },
    options.timeoutMs,
  );

  it(
    'upsertCrmLead (upsertLeads of one) creates the lead with its contact, then finds the same lead (created false)',
    async () => {
      const { crm } = await setup();
      const phone = buildPhoneNumber();
      const first = await upsertCrmLead(crm, { phone, name: 'Ana Lima', tags: ['seed'] });
      expect(first.created).toBe(true);
      expect(first.lead).toMatchObject({ phone: phone.e164, name: 'Ana Lima' });
      expect(first.lead.leadId.length).toBeGreaterThan(0);
      expect(first.lead.tags).toContain('seed');
      const second = await upsertCrmLead(crm, { phone, name: 'Ana Lima' });
      expect(second.created).toBe(false);
      expect(second.lead.leadId).toBe(first.lead.leadId);
    },
    options.timeoutMs,
  );

  it(
    'a Brazilian mobile with and without its 9th digit is one lead (PhoneNumber canonicalises it; upsert and find agree)',
    async () => {
      const { crm } = await setup();
      const phone = buildPhoneNumber();
      const legacy = PhoneNumber.parse(withoutBrazilianNinthDigit(phone));
      const created = await upsertCrmLead(crm, { phone: legacy, name: 'Legacy Number' });
      expect(created.created).toBe(true);
      expect(created.lead.phone).toBe(phone.e164);
      const again = await upsertCrmLead(crm, { phone });
      expect(again.created).toBe(false);
      expect(again.lead.leadId).toBe(created.lead.leadId);
      expect((await crm.findLeadByPhone(phone))?.leadId).toBe(created.lead.leadId);
      expect((await crm.findLeadByPhone(legacy))?.leadId).toBe(created.lead.leadId);
    },
    options.timeoutMs,
  );

  it(
    'findLeadByPhone and findContactByPhone return null for a phone the CRM does not have; getCrmLead null for an unknown id',
    async () => {
      const { crm, unknownLeadId } = await setup();
      expect(await crm.findLeadByPhone(buildPhoneNumber())).toBeNull();
      expect(await crm.findContactByPhone(buildPhoneNumber())).toBeNull();
      expect(await getCrmLead(crm, unknownLeadId)).toBeNull();
    },
    options.timeoutMs,
  );

  it(
    'getCrmLead reads a lead back with its state and note keys',
    async () => {
      const world = await setup();
      const lead = await world.newLead({ tags: ['seed'] });
      const snapshot = await world.read(lead.leadId);
      expect(snapshot).toMatchObject({ leadId: lead.leadId, phone: lead.phone, name: lead.name, noteKeys: [] });
      expect(snapshot.tags).toContain('seed');
    },
    options.timeoutMs,
  );

  it(
    'getLeads returns the known leads, each once, and leaves unknown ids out',
    async (context) => {
      const world = await setup();
      if (world.capabilities.maxBatchSize < 4) context.skip(skipReason('a four-id read', 'capabilities.maxBatchSize is below 4'));
      const first = await world.newLead();
      const second = await world.newLead();
      const leads = await world.crm.getLeads([first.leadId, world.unknownLeadId, second.leadId, first.leadId]);
      expect(leads.map((lead) => lead.leadId).sort()).toEqual([first.leadId, second.leadId].sort());
      expect(await world.crm.getLeads([])).toEqual([]);
    },
    options.timeoutMs,
  );

  it(
    'upsertCrmContact (upsertContacts of one) creates, then finds by either phone form, updating only with non-empty new values',
    async () => {
      const { crm } = await setup();
      const phone = buildPhoneNumber();
      const created = await upsertCrmContact(crm, { phone, name: 'Carla Dias', email: 'carla@example.com' });
      expect(created.created).toBe(true);
      expect(created.contact).toMatchObject({ phone: phone.e164, name: 'Carla Dias', email: 'carla@example.com' });
      const updated = await upsertCrmContact(crm, {
        phone: PhoneNumber.parse(withoutBrazilianNinthDigit(phone)),
        name: 'Carla D. Dias',
        email: null,
      });
      expect(updated.created).toBe(false);
      expect(updated.contact).toMatchObject({ contactId: created.contact.contactId, name: 'Carla D. Dias', email: 'carla@example.com' });
      expect(await crm.findContactByPhone(phone)).toMatchObject({
        contactId: created.contact.contactId,
        name: 'Carla D. Dias',
        email: 'carla@example.com',
      });
    },
    options.timeoutMs,
  );

  it(
    'updateCrmLead (updateLeads of one) of an unknown lead throws NotFoundError',
    async () => {
      const world = await setup();
      await expectSdrError(updateCrmLead(world.crm, { leadId: world.unknownLeadId, tagsToAdd: ['x'] }), NotFoundError);
    },
    options.timeoutMs,
  );
}
