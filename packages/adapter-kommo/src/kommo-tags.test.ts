/**
 * Tags are never replaced: whatever a patch adds and removes, the body sent to Kommo carries no
 * `_embedded.tags` (which would replace every tag, people's included), and on a Kommo that models
 * the replacing write, every tag a patch does not remove survives.
 */
import { PhoneNumber } from '@sdr/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crmOn, useFakeKommo } from './__fixtures__/msw-kommo.js';
import { toKommoLeadPatch } from './kommo-updates.js';

const fake = useFakeKommo();
const tag = fc.stringMatching(/^[a-z][a-z0-9-]{0,11}$/);
const disjointTags = fc
  .tuple(fc.uniqueArray(tag, { maxLength: 6 }), fc.uniqueArray(tag, { maxLength: 6 }))
  .map(([add, remove]) => ({ add, remove: remove.filter((name) => !add.includes(name)) }));

describe('tags are never replaced', () => {
  it('a patch body never carries _embedded, and adds and removes exactly the given tags', () => {
    fc.assert(
      fc.property(disjointTags, fc.option(fc.string({ minLength: 1 }), { nil: undefined }), ({ add, remove }, name) => {
        const body = toKommoLeadPatch(
          { leadId: '42', tagsToAdd: add, tagsToRemove: remove, ...(name === undefined ? {} : { name }) },
          undefined,
        );
        expect(body).not.toHaveProperty('_embedded');
        expect((body.tags_to_add ?? []).map((entry) => entry.name)).toEqual(add);
        expect((body.tags_to_delete ?? []).map((entry) => entry.name)).toEqual(remove);
      }),
    );
  });

  it('on the fake Kommo, tags people put on a card survive any sequence of patches', async () => {
    const crm = crmOn(fake);
    let index = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(tag, { minLength: 1, maxLength: 4 }),
        fc.array(disjointTags, { minLength: 1, maxLength: 3 }),
        async (human, patches) => {
          index += 1;
          const phone = PhoneNumber.parse(`+55119${String(10_000_000 + index).slice(-8)}`);
          const [created] = await crm.upsertLeads([{ phone, tags: human.map((name) => `human-${name}`) }]);
          const leadId = created?.lead.leadId ?? '';
          const expected = new Set(human.map((name) => `human-${name}`));
          for (const { add, remove } of patches) {
            await crm.updateLeads([{ leadId, tagsToAdd: add, tagsToRemove: remove }]);
            for (const name of add) expected.add(name);
            for (const name of remove) expected.delete(name);
          }
          const stored = fake.leads.get(Number(leadId));
          expect(new Set(stored?.tags)).toEqual(expected);
          expect(stored?.tagReplacements).toBe(0);
        },
      ),
      { numRuns: 15 },
    );
  });
});
