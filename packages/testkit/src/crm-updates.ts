/**
 * CRM tests that write: tags, custom fields, stages, notes and batch updates.
 */
import { randomUUID } from 'node:crypto';
import { SdrError, ValidationError, addCrmNote, moveCrmStage, updateCrmLead, type CrmLeadPatch } from '@sdr/core';
import { describe, expect, it } from 'vitest';
import type { CrmConformanceOptions, CrmSetup, CrmSubject } from './crm-context.js';
import { expectSdrError, sideDoorCheck, skipReason } from './harness.js';

export function registerCrmUpdateTests<Subject extends CrmSubject>(
  setup: CrmSetup<Subject>,
  options: CrmConformanceOptions<Subject>,
): void {
  describe('tags and fields', () => {
    it(
      'adding tags never removes others: tags set at creation (by a seed or a human) survive',
      async () => {
        const world = await setup();
        const lead = await world.newLead({ tags: ['seed-tag', 'human-tag'] });
        await updateCrmLead(world.crm, { leadId: lead.leadId, tagsToAdd: ['bot-a', 'bot-b'] });
        expect([...(await world.read(lead.leadId)).tags].sort()).toEqual(['bot-a', 'bot-b', 'human-tag', 'seed-tag']);
      },
      options.timeoutMs,
    );

    it(
      'removing a tag leaves every other tag in place',
      async () => {
        const world = await setup();
        const lead = await world.newLead({ tags: ['seed-tag', 'bot-a', 'bot-b'] });
        await updateCrmLead(world.crm, { leadId: lead.leadId, tagsToRemove: ['bot-a'] });
        expect([...(await world.read(lead.leadId)).tags].sort()).toEqual(['bot-b', 'seed-tag']);
      },
      options.timeoutMs,
    );

    it(
      'a patch changes only what it names (name), leaving tags and stage alone',
      async () => {
        const world = await setup();
        const lead = await world.newLead({ tags: ['seed-tag'] });
        const before = await world.read(lead.leadId);
        await updateCrmLead(world.crm, { leadId: lead.leadId, name: 'Renamed Lead' });
        const after = await world.read(lead.leadId);
        expect(after.name).toBe('Renamed Lead');
        expect([...after.tags].sort()).toEqual([...before.tags].sort());
        expect(after.stage).toEqual(before.stage);
      },
      options.timeoutMs,
    );

    it(
      'fields set the given custom fields and null clears one; the others keep their values',
      async (context) => {
        const world = await setup();
        const [first, second] = world.subject.customFieldIds ?? [];
        if (first === undefined || second === undefined)
          context.skip(skipReason('custom fields', 'the subject gave fewer than two customFieldIds'));
        if (first === undefined || second === undefined) return;
        const lead = await world.newLead();
        await updateCrmLead(world.crm, { leadId: lead.leadId, fields: { [first]: 'alpha', [second]: 'beta' } });
        expect((await world.read(lead.leadId)).fields).toMatchObject({ [first]: 'alpha', [second]: 'beta' });
        await updateCrmLead(world.crm, { leadId: lead.leadId, fields: { [first]: null } });
        const cleared = await world.read(lead.leadId);
        expect(cleared.fields[first] ?? null).toBeNull();
        expect(cleared.fields[second]).toBe('beta');
      },
      options.timeoutMs,
    );

    it(
      'an unknown custom-field id is a ValidationError naming it',
      async (context) => {
        const world = await setup();
        if (!world.capabilities.rejectsUnknownFieldIds) {
          context.skip(
            skipReason('unknown field ids', 'capabilities.rejectsUnknownFieldIds is false (the provider accepts them silently)'),
          );
        }
        const lead = await world.newLead();
        const unknownField = `unknown-field-${randomUUID().slice(0, 8)}`;
        const error = await expectSdrError(
          updateCrmLead(world.crm, { leadId: lead.leadId, fields: { [unknownField]: 'x' } }),
          ValidationError,
        );
        expect(describeValidation(error)).toContain(unknownField);
      },
      options.timeoutMs,
    );
  });

  describe('stages', () => {
    it(
      'moveCrmStage (a patch with only a stage) moves a lead to a status of a pipeline, and getLeads reads it back',
      async () => {
        const world = await setup();
        const { known } = await world.stages();
        const target = known[known.length - 1];
        if (!target) return expect.fail('no known stage');
        const lead = await world.newLead();
        await moveCrmStage(world.crm, { leadId: lead.leadId, stage: target });
        expect((await world.read(lead.leadId)).stage).toEqual(target);
      },
      options.timeoutMs,
    );

    it(
      'moving to an unknown status or pipeline is a ValidationError naming it, and the lead stays where it was',
      async () => {
        const world = await setup();
        const { unknownStatus, unknownPipeline } = await world.stages();
        const lead = await world.newLead();
        const before = (await world.read(lead.leadId)).stage;
        const unknownStatusError = await expectSdrError(
          moveCrmStage(world.crm, { leadId: lead.leadId, stage: unknownStatus }),
          ValidationError,
        );
        expect(describeValidation(unknownStatusError)).toContain(unknownStatus.statusId);
        const unknownPipelineError = await expectSdrError(
          moveCrmStage(world.crm, { leadId: lead.leadId, stage: unknownPipeline }),
          ValidationError,
        );
        expect(describeValidation(unknownPipelineError)).toContain(unknownPipeline.pipelineId);
        await expectSdrError(updateCrmLead(world.crm, { leadId: lead.leadId, stage: unknownStatus }), ValidationError);
        expect((await world.read(lead.leadId)).stage).toEqual(before);
      },
      options.timeoutMs,
    );
  });

  describe('notes', () => {
    it(
      'a note written twice with one idempotency key (addCrmNote) exists once (created false the second time, same noteId)',
      async (context) => {
        const world = await setup();
        const lead = await world.newLead();
        const key = `note-${randomUUID()}`;
        const first = await addCrmNote(world.crm, { leadId: lead.leadId, text: 'Lead asked for a human', idempotencyKey: key });
        const second = await addCrmNote(world.crm, { leadId: lead.leadId, text: 'Lead asked for a human', idempotencyKey: key });
        expect(first.created).toBe(true);
        expect(second.created).toBe(false);
        expect(second.noteId).toBe(first.noteId);
        expect((await world.read(lead.leadId)).noteKeys.filter((noteKey) => noteKey === key)).toHaveLength(1);
        await sideDoorCheck(
          context,
          options.inspect?.notes ? options.inspect : undefined,
          'one stored note with that key',
          async (inspect) => {
            const notes = (await inspect.notes?.(world.subject, lead.leadId)) ?? [];
            expect(notes.filter((note) => note.idempotencyKey === key)).toHaveLength(1);
          },
        );
      },
      options.timeoutMs,
    );

    it(
      'notes with different keys are different notes, all listed in noteKeys',
      async () => {
        const world = await setup();
        const lead = await world.newLead();
        const keys = [`note-${randomUUID()}`, `note-${randomUUID()}`];
        const notes = [];
        for (const key of keys) notes.push(await addCrmNote(world.crm, { leadId: lead.leadId, text: `Note ${key}`, idempotencyKey: key }));
        expect(notes.every((note) => note.created)).toBe(true);
        expect(notes[0]?.noteId).not.toBe(notes[1]?.noteId);
        expect([...(await world.read(lead.leadId)).noteKeys].sort()).toEqual([...keys].sort());
      },
      options.timeoutMs,
    );
  });

  describe('addNotes', () => {
    it(
      'writes the notes of several leads once per key, reporting in input order which it created',
      async (context) => {
        const world = await setup();
        if (world.capabilities.maxBatchSize < 3) context.skip(skipReason('a three-note batch', 'capabilities.maxBatchSize is below 3'));
        const first = await world.newLead();
        const second = await world.newLead();
        const [existing, fresh, other] = [`note-${randomUUID()}`, `note-${randomUUID()}`, `note-${randomUUID()}`];
        await addCrmNote(world.crm, { leadId: first.leadId, text: 'Written before', idempotencyKey: existing });
        const results = await world.crm.addNotes([
          { leadId: first.leadId, text: 'Written before', idempotencyKey: existing },
          { leadId: first.leadId, text: 'Fresh note', idempotencyKey: fresh },
          { leadId: second.leadId, text: 'Other lead', idempotencyKey: other },
        ]);
        expect(results.map((result) => [result.leadId, result.idempotencyKey, result.created])).toEqual([
          [first.leadId, existing, false],
          [first.leadId, fresh, true],
          [second.leadId, other, true],
        ]);
        expect(results.every((result) => result.noteId.length > 0)).toBe(true);
        expect([...(await world.read(first.leadId)).noteKeys].sort()).toEqual([existing, fresh].sort());
        expect((await world.read(second.leadId)).noteKeys).toEqual([other]);
        expect(await world.crm.addNotes([])).toEqual([]);
      },
      options.timeoutMs,
    );

    it(
      'with batchNotes, several notes are one request (inspect.requestCount)',
      async (context) => {
        const world = await setup();
        if (!world.capabilities.batchNotes) context.skip(skipReason('the one-request check', 'capabilities.batchNotes is false'));
        const inspect = options.inspect;
        if (!inspect?.requestCount) return context.skip(skipReason('the one-request check', 'no inspect.requestCount side door'));
        if (world.capabilities.maxBatchSize < 2) context.skip(skipReason('the one-request check', 'capabilities.maxBatchSize is below 2'));
        const lead = await world.newLead();
        const before = await inspect.requestCount(world.subject);
        await world.crm.addNotes([
          { leadId: lead.leadId, text: 'One', idempotencyKey: `note-${randomUUID()}` },
          { leadId: lead.leadId, text: 'Two', idempotencyKey: `note-${randomUUID()}` },
        ]);
        expect((await inspect.requestCount(world.subject)) - before).toBe(1);
      },
      options.timeoutMs,
    );

    it(
      'more notes than capabilities.maxBatchSize is a ValidationError, and none of them is written',
      async () => {
        const world = await setup();
        const lead = await world.newLead();
        const notes = Array.from({ length: world.capabilities.maxBatchSize + 1 }, (_, index) => ({
          leadId: lead.leadId,
          text: `Too many ${index}`,
          idempotencyKey: `note-${randomUUID()}`,
        }));
        await expectSdrError(world.crm.addNotes(notes), ValidationError);
        expect((await world.read(lead.leadId)).noteKeys).toEqual([]);
      },
      options.timeoutMs,
    );

    it(
      'a batch naming an unknown lead throws and writes none of its notes (it succeeds or throws as a whole)',
      async (context) => {
        const world = await setup();
        if (world.capabilities.maxBatchSize < 2) context.skip(skipReason('a two-note batch', 'capabilities.maxBatchSize is below 2'));
        const lead = await world.newLead();
        await expectSdrError(
          world.crm.addNotes([
            { leadId: lead.leadId, text: 'Kept out', idempotencyKey: `note-${randomUUID()}` },
            { leadId: world.unknownLeadId, text: 'Unknown', idempotencyKey: `note-${randomUUID()}` },
          ]),
          SdrError,
        );
        expect((await world.read(lead.leadId)).noteKeys).toEqual([]);
      },
      options.timeoutMs,
    );
  });

  describe('updateLeads', () => {
    it(
      'applies every patch of a batch, leaving other tags alone',
      async () => {
        const world = await setup();
        const leads = [];
        for (let index = 0; index < Math.min(world.capabilities.maxBatchSize, 3); index += 1)
          leads.push(await world.newLead({ tags: ['seed-tag'] }));
        await world.crm.updateLeads(leads.map((lead, index) => ({ leadId: lead.leadId, name: `Batch ${index}`, tagsToAdd: ['batch'] })));
        for (const [index, lead] of leads.entries()) {
          const snapshot = await world.read(lead.leadId);
          expect(snapshot.name).toBe(`Batch ${index}`);
          expect([...snapshot.tags].sort()).toEqual(['batch', 'seed-tag']);
        }
      },
      options.timeoutMs,
    );

    it(
      'with batchUpdate, a batch of several patches is one request (inspect.requestCount)',
      async (context) => {
        const world = await setup();
        if (!world.capabilities.batchUpdate) context.skip(skipReason('the one-request check', 'capabilities.batchUpdate is false'));
        const inspect = options.inspect;
        if (!inspect?.requestCount) return context.skip(skipReason('the one-request check', 'no inspect.requestCount side door'));
        const requestCount = (subject: Subject) => inspect.requestCount?.(subject) ?? Promise.resolve(Number.NaN);
        if (world.capabilities.maxBatchSize < 2) context.skip(skipReason('the one-request check', 'capabilities.maxBatchSize is below 2'));
        const leads = [await world.newLead(), await world.newLead()];
        const before = await requestCount(world.subject);
        await world.crm.updateLeads(leads.map((lead) => ({ leadId: lead.leadId, tagsToAdd: ['one-request'] })));
        expect((await requestCount(world.subject)) - before).toBe(1);
      },
      options.timeoutMs,
    );

    it(
      'more patches than capabilities.maxBatchSize is a ValidationError, and none of them is applied',
      async () => {
        const world = await setup();
        const lead = await world.newLead();
        const patches: CrmLeadPatch[] = Array.from({ length: world.capabilities.maxBatchSize + 1 }, (_, index) => ({
          leadId: lead.leadId,
          tagsToAdd: [`too-many-${index}`],
        }));
        await expectSdrError(world.crm.updateLeads(patches), ValidationError);
        expect((await world.read(lead.leadId)).tags.filter((tag) => tag.startsWith('too-many-'))).toEqual([]);
      },
      options.timeoutMs,
    );

    it(
      'a batch naming an unknown lead throws and applies none of its patches (it succeeds or throws as a whole)',
      async (context) => {
        const world = await setup();
        if (world.capabilities.maxBatchSize < 2) context.skip(skipReason('a two-patch batch', 'capabilities.maxBatchSize is below 2'));
        const lead = await world.newLead();
        await expectSdrError(
          world.crm.updateLeads([
            { leadId: lead.leadId, tagsToAdd: ['whole-batch'] },
            { leadId: world.unknownLeadId, tagsToAdd: ['whole-batch'] },
          ]),
          SdrError,
        );
        expect((await world.read(lead.leadId)).tags).not.toContain('whole-batch');
      },
      options.timeoutMs,
    );
  });
}

/** Everything a `ValidationError` says, to check that it names the offending value. */
function describeValidation(error: ValidationError): string {
  return [error.message, ...error.fieldErrors.map((field) => `${field.field} ${field.message}`)].join(' ');
}
