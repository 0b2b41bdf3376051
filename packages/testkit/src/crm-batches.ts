/**
 * CRM tests of the batch clauses that every batch method shares: answers in input order, every
 * item checked before any is written, at most `capabilities.maxBatchSize` items, and an empty
 * batch that sends nothing.
 */
import { PhoneNumber, ValidationError } from '@sdr/core';
import { describe, expect, it } from 'vitest';
import type { CrmConformanceOptions, CrmSetup, CrmSubject } from './crm-context.js';
import { buildPhoneNumber } from './fixtures.js';
import { expectSdrError, sideDoorCheck, skipReason } from './harness.js';

export function registerCrmBatchTests<Subject extends CrmSubject>(setup: CrmSetup<Subject>, options: CrmConformanceOptions<Subject>): void {
  describe('upsertLeads and upsertContacts', () => {
    it(
      'upsertLeads answers in input order: created and found leads together, one phone twice is one lead',
      async (context) => {
        const world = await setup();
        if (world.capabilities.maxBatchSize < 3) context.skip(skipReason('a three-input batch', 'capabilities.maxBatchSize is below 3'));
        const existing = await world.newLead({ tags: ['seed-tag'] });
        const fresh = buildPhoneNumber();
        const results = await world.crm.upsertLeads([
          { phone: fresh, name: 'Batch Lead', tags: ['batch'] },
          { phone: PhoneNumber.fromE164(existing.phone ?? ''), tags: ['batch'] },
          { phone: fresh, tags: ['again'] },
        ]);
        expect(results.map((result) => result.created)).toEqual([true, false, false]);
        expect(results[0]?.lead).toMatchObject({ phone: fresh.e164, name: 'Batch Lead' });
        expect(results[1]?.lead.leadId).toBe(existing.leadId);
        expect(results[2]?.lead.leadId).toBe(results[0]?.lead.leadId);
        // Tags are only added, for found leads too.
        expect([...(await world.read(existing.leadId)).tags].sort()).toEqual(['batch', 'seed-tag']);
        expect([...(await world.read(results[0]?.lead.leadId ?? '')).tags].sort()).toEqual(['again', 'batch']);
      },
      options.timeoutMs,
    );

    it(
      'upsertLeads with an unknown stage is a ValidationError naming it, and creates none of the batch',
      async (context) => {
        const world = await setup();
        if (world.capabilities.maxBatchSize < 2) context.skip(skipReason('a two-input batch', 'capabilities.maxBatchSize is below 2'));
        const { unknownStatus } = await world.stages();
        const [valid, invalid] = [buildPhoneNumber(), buildPhoneNumber()];
        const error = await expectSdrError(
          world.crm.upsertLeads([{ phone: valid }, { phone: invalid, stage: unknownStatus }]),
          ValidationError,
        );
        expect([error.message, ...error.fieldErrors.map((field) => `${field.field} ${field.message}`)].join(' ')).toContain(
          unknownStatus.statusId,
        );
        expect(await world.crm.findLeadByPhone(valid)).toBeNull();
        expect(await world.crm.findLeadByPhone(invalid)).toBeNull();
      },
      options.timeoutMs,
    );

    it(
      'upsertContacts answers in input order, created and found contacts together',
      async (context) => {
        const world = await setup();
        if (world.capabilities.maxBatchSize < 2) context.skip(skipReason('a two-input batch', 'capabilities.maxBatchSize is below 2'));
        const [first, second] = [buildPhoneNumber(), buildPhoneNumber()];
        const [created] = await world.crm.upsertContacts([{ phone: first, name: 'First Contact' }]);
        const results = await world.crm.upsertContacts([
          { phone: second, name: 'Second Contact' },
          { phone: first, email: 'first@example.com' },
        ]);
        expect(results.map((result) => [result.contact.phone, result.created])).toEqual([
          [second.e164, true],
          [first.e164, false],
        ]);
        expect(results[1]?.contact).toMatchObject({
          contactId: created?.contact.contactId,
          name: 'First Contact',
          email: 'first@example.com',
        });
      },
      options.timeoutMs,
    );
  });

  describe('batch limits', () => {
    it(
      'more inputs than capabilities.maxBatchSize is a ValidationError for upsertLeads, upsertContacts and getLeads, and nothing is written',
      async () => {
        const world = await setup();
        const phones = Array.from({ length: world.capabilities.maxBatchSize + 1 }, () => buildPhoneNumber());
        await expectSdrError(world.crm.upsertLeads(phones.map((phone) => ({ phone }))), ValidationError);
        await expectSdrError(world.crm.upsertContacts(phones.map((phone) => ({ phone }))), ValidationError);
        await expectSdrError(world.crm.getLeads(phones.map((_, index) => `${world.unknownLeadId}${index}`)), ValidationError);
        expect(await world.crm.findLeadByPhone(phones[0] ?? buildPhoneNumber())).toBeNull();
        expect(await world.crm.findContactByPhone(phones[phones.length - 1] ?? buildPhoneNumber())).toBeNull();
      },
      options.timeoutMs,
    );

    it(
      'an empty batch resolves empty and sends nothing',
      async (context) => {
        const world = await setup();
        const count = options.inspect?.requestCount?.bind(options.inspect);
        const before = count === undefined ? 0 : await count(world.subject);
        expect(await world.crm.upsertLeads([])).toEqual([]);
        expect(await world.crm.upsertContacts([])).toEqual([]);
        expect(await world.crm.getLeads([])).toEqual([]);
        await world.crm.updateLeads([]);
        expect(await world.crm.addNotes([])).toEqual([]);
        await sideDoorCheck(context, count, 'no request for an empty batch', async (requestCount) => {
          expect((await requestCount(world.subject)) - before).toBe(0);
        });
      },
      options.timeoutMs,
    );
  });
}
