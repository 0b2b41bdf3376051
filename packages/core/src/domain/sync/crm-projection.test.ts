import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CrmFieldValue } from '../../ports/crm/crm-port.js';
import { stages, type Stage } from '../model/lead.js';
import { parseOrThrow } from '../model/parse.js';
import { tenantConfigSchema, type CrmStageRef } from '../model/tenant.js';
import { diffCrmState, type CrmStateChange } from './crm-diff.js';
import { crmOptedOutTag, projectCrmState, stageForCrmStatus } from './crm-projection.js';
import { syncedStateFromJson, syncedStateToJson, type CrmProjection, type SyncedCrmState } from './crm-sync-state.js';

const ref = (statusId: string, pipelineId = '1'): CrmStageRef => ({ pipelineId, statusId });
const config = parseOrThrow(tenantConfigSchema, {
  timeZone: 'America/Sao_Paulo',
  stageMapping: { qualifying: ref('11'), human_handoff: ref('15'), won: ref('142', '2') },
  crm: { fieldMapping: { budget: '900', city: '901' } },
});

describe('projectCrmState', () => {
  it('maps the stage and the mapped fields, keeps the tags, and tags an opted-out lead', () => {
    const projection = projectCrmState(
      { name: 'Ana', email: null, stage: 'qualifying', fields: { budget: 10, city: null, other: 'x' }, tags: ['vip'], optedOut: true },
      config,
    );
    expect(projection).toEqual({
      name: 'Ana',
      email: null,
      stage: 'qualifying',
      stageRef: ref('11'),
      fields: { '900': 10 },
      tags: ['vip', crmOptedOutTag],
    });
    expect(projectCrmState({ name: null, email: null, stage: 'new', fields: {}, tags: [], optedOut: false }, config).stageRef).toBeNull();
  });

  it('maps a CRM status back: the tenant mapping first, then 142/143 in any pipeline, else null', () => {
    expect(stageForCrmStatus(ref('15'), config)).toBe('human_handoff');
    expect(stageForCrmStatus(ref('142', '2'), config)).toBe('won');
    expect(stageForCrmStatus(ref('143', '77'), config)).toBe('lost');
    expect(stageForCrmStatus(ref('15', '2'), config)).toBeNull();
    expect(stageForCrmStatus(ref('143', '77'), config, null)).toBeNull();
  });
});

describe('the synced state as stored', () => {
  it('round-trips; an unknown shape reads as unknown (the next sync writes everything)', () => {
    const state: SyncedCrmState = { name: 'Ana', stage: 'won', stageRef: ref('142'), fields: { '900': 1, '901': 'x' }, tags: ['a'] };
    expect(syncedStateFromJson(syncedStateToJson(state))).toEqual(state);
    expect(syncedStateFromJson({ format: 2 })).toBeNull();
  });
});

/** A CRM card as the board keeps it, and a patch applied the way the port's contract says. */
interface Card {
  name: string | null;
  stage: CrmStageRef | null;
  fields: Record<string, CrmFieldValue>;
  tags: string[];
}

function apply(card: Card, change: CrmStateChange | null): Card {
  if (change === null) return card;
  const fields = Object.fromEntries(
    Object.entries({ ...card.fields, ...change.fields }).filter((entry): entry is [string, CrmFieldValue] => entry[1] !== null),
  );
  const removed = change.tagsToRemove ?? [];
  const tags = [...card.tags, ...(change.tagsToAdd ?? []).filter((tag) => !card.tags.includes(tag))].filter(
    (tag) => !removed.includes(tag),
  );
  return { name: change.name ?? card.name, stage: change.stage ?? card.stage, fields, tags };
}

const stageArbitrary = fc.constantFrom<Stage>(...stages);
const fieldsArbitrary = fc.dictionary(
  fc.constantFrom('900', '901', '902'),
  fc.oneof(fc.string({ maxLength: 5 }), fc.integer({ min: 0, max: 3 }), fc.boolean()),
);
const tagsArbitrary = fc.uniqueArray(fc.constantFrom('a', 'b', 'c', 'd', 'e'), { maxLength: 5 });
const projectionArbitrary: fc.Arbitrary<CrmProjection> = fc.record({
  name: fc.option(fc.constantFrom('Ana', 'Bruno'), { nil: null }),
  email: fc.constant(null),
  stage: stageArbitrary,
  stageRef: fc.option(fc.constantFrom(ref('11'), ref('12'), ref('15')), { nil: null }),
  fields: fieldsArbitrary,
  tags: tagsArbitrary,
});

describe('diffCrmState: properties', () => {
  it('a CRM that holds what the sync knows shows the projection after the diff; people’s tags survive; a second diff is empty', () => {
    fc.assert(
      fc.property(
        projectionArbitrary,
        projectionArbitrary,
        fc.uniqueArray(fc.constantFrom('human-1', 'human-2'), { maxLength: 2 }),
        (before, desired, humanTags) => {
          // The CRM shows `before` (as synced) plus tags people added.
          const { next: known } = diffCrmState(null, before);
          const card: Card = { name: known.name, stage: before.stageRef, fields: { ...known.fields }, tags: [...known.tags, ...humanTags] };
          const { change, next } = diffCrmState(known, desired);
          const after = apply(card, change);

          expect(after.fields).toEqual(desired.fields);
          for (const tag of desired.tags) expect(after.tags).toContain(tag);
          for (const tag of humanTags) expect(after.tags).toContain(tag);
          for (const tag of known.tags) if (!desired.tags.includes(tag)) expect(after.tags).not.toContain(tag);
          if (desired.name !== null) expect(after.name).toBe(desired.name);
          if (desired.stage !== known.stage && desired.stageRef !== null) expect(after.stage).toEqual(desired.stageRef);
          const overlap = (change?.tagsToAdd ?? []).filter((tag) => (change?.tagsToRemove ?? []).includes(tag));
          expect(overlap).toEqual([]);
          expect(diffCrmState(next, desired).change).toBeNull();
        },
      ),
      { numRuns: 300 },
    );
  });

  it('the stage is moved only when the lead’s stage changed since it was last reflected', () => {
    fc.assert(
      fc.property(projectionArbitrary, fc.constantFrom(ref('11'), ref('99')), (desired, wherePersonPutIt) => {
        const known: SyncedCrmState = {
          name: desired.name,
          stage: desired.stage,
          stageRef: wherePersonPutIt,
          fields: desired.fields,
          tags: desired.tags,
        };
        expect(diffCrmState(known, desired).change?.stage).toBeUndefined();
      }),
    );
  });
});
