import { describe, expect, it } from 'vitest';
import { parseOrThrow } from '../model/parse.js';
import { tenantConfigSchema } from '../model/tenant.js';
import { detectCrmDrift } from './crm-drift.js';
import type { CrmProjection, SyncedCrmState } from './crm-sync-state.js';

const config = parseOrThrow(tenantConfigSchema, { timeZone: 'America/Sao_Paulo', crm: { fieldMapping: { budget: '900' } } });
const desired: CrmProjection = {
  name: 'Ana',
  email: null,
  stage: 'qualifying',
  stageRef: { pipelineId: '1', statusId: '11' },
  fields: { '900': 5000 },
  tags: ['vip'],
};
const known: SyncedCrmState = {
  name: 'Ana',
  stage: 'qualifying',
  stageRef: { pipelineId: '1', statusId: '11' },
  fields: { '900': 5000 },
  tags: ['vip', 'old'],
};
const snapshot = {
  leadId: '1',
  contactId: null,
  phone: null,
  name: 'Ana',
  stage: { pipelineId: '1', statusId: '11' },
  fields: { '900': '5000' },
  tags: ['vip', 'person'],
  noteKeys: ['n1'],
};

describe('detectCrmDrift', () => {
  it('a number the CRM returns as text is no drift; tags people added are none of its business', () => {
    const report = detectCrmDrift({ lead: desired, desired, known, snapshot, expectedNotes: [{ key: 'n1', text: 'x' }], config });
    expect(report.findings).toEqual([]);
    expect(report.adoptStage).toBeNull();
    expect(report.observed.tags).toEqual(['vip']);
  });

  it('a card moved away from where the sync left it is adopted; a tag the sync removed but still there is drift', () => {
    const moved = { ...snapshot, stage: { pipelineId: '1', statusId: '143' }, tags: ['vip', 'old'] };
    const report = detectCrmDrift({
      lead: desired,
      desired,
      known: { ...known, tags: ['vip', 'old'] },
      snapshot: moved,
      expectedNotes: [],
      config,
    });
    expect(report.adoptStage).toEqual({ pipelineId: '1', statusId: '143' });
    expect(report.findings).toEqual([
      { kind: 'stage', key: null, expected: 'qualifying', actual: 'lost' },
      { kind: 'tag', key: 'old', expected: 'absent', actual: 'present' },
    ]);
    expect(report.observed).toMatchObject({ stage: 'qualifying', stageRef: known.stageRef, tags: ['vip', 'old'] });
  });
});
