import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../errors/index.js';
import { updateCrmLead, upsertCrmLead } from '../../ports/crm/crm-helpers.js';
import { appendCrmNoteEntry } from './crm-outbox-entries.js';
import { crmOptedOutTag } from './crm-projection.js';
import { syncedStateFromJson } from './crm-sync-state.js';
import { fieldIds, syncWorld, type SyncWorld } from './__fixtures__/sync-world.js';

async function addNote(world: SyncWorld, leadId: string, key: string, text: string): Promise<void> {
  await world.store.transaction((tx) => appendCrmNoteEntry(tx, { tenantId: world.tenant.id, leadId, note: { key, text } }));
}

/** A lead created and synced once, with the request log cleared. */
async function syncedLead(world: SyncWorld, phone = '+55 11 98765-4321') {
  const lead = await world.newLead(phone);
  await world.syncAll();
  world.crm.clearRequests();
  return world.reload(lead);
}

describe('CRM sync worker: linking and projecting', () => {
  it('creates a new lead in the CRM with its projection, stores the CRM ids and what it synced', async () => {
    const w = await syncWorld();
    const lead = await w.newLead('+55 11 98765-4321', 'Ana Souza');
    await w.conversation.updateFields({ tenant: w.tenant, leadId: lead.id, fields: { budget: 5000, unmapped: 'x' } });
    await w.conversation.updateTags({ tenant: w.tenant, leadId: lead.id, add: ['vip'] });
    const [report] = await w.syncAll();

    expect(report).toMatchObject({ claimed: 3, leads: 1, synced: 1, retried: 0, dead: 0, calls: 1 });
    // One upsert: Kommo-like, a phone search and the write.
    expect(w.crm.requests.map((request) => [request.method, request.items])).toEqual([
      ['upsertLeads.search', 1],
      ['upsertLeads', 1],
    ]);
    const [crmLead] = w.crm.leads();
    expect(crmLead).toMatchObject({ name: 'Ana Souza', phone: '+5511987654321', fields: { [fieldIds.budget]: 5000 }, tags: ['vip'] });
    const stored = await w.reload(lead);
    expect(stored).toMatchObject({ crmLeadId: crmLead?.leadId, crmContactId: crmLead?.contactId, updatedAt: lead.updatedAt });
    const state = await w.store.syncStates.get(w.tenant.id, lead.id);
    expect(state?.crmLeadId).toBe(crmLead?.leadId);
    expect(syncedStateFromJson(state?.state ?? {})).toMatchObject({ stage: 'new', tags: ['vip'], fields: { [fieldIds.budget]: 5000 } });
    expect(w.store.dump().outbox.every((entry) => entry.status === 'done')).toBe(true);
  });

  it('links a lead the CRM already has (same phone) without creating another, then moves its card when the stage is mapped', async () => {
    const w = await syncWorld();
    const phone = (await w.newLead('+55 11 98765-4321')).phone;
    const { lead: existing } = await w.drive(upsertCrmLead(w.crm, { phone, tags: ['from-human'] }));
    const lead = (await w.store.leads.list(w.tenant.id)).items[0];
    if (!lead) throw new Error('no lead');
    await w.followUp.handle({ tenant: w.tenant, leadId: lead.id, event: { type: 'handoff', reason: 'asked', requestedBy: 'lead' } });
    await w.syncAll();
    expect(w.crm.leads()).toHaveLength(1);
    expect(w.crm.leads()[0]).toMatchObject({ leadId: existing.leadId, stage: w.crm.stageRef('Atendimento humano') });
    expect(w.crm.leads()[0]?.tags).toContain('from-human');
    expect((await w.reload(lead)).crmLeadId).toBe(existing.leadId);
  });

  it('coalesces a lead’s changes: stage, two fields, a tag and a note are one update request and one note request', async () => {
    const w = await syncWorld();
    const lead = await syncedLead(w);
    await w.followUp.handle({ tenant: w.tenant, leadId: lead.id, event: { type: 'handoff', reason: 'asked', requestedBy: 'agent' } });
    await w.conversation.updateFields({ tenant: w.tenant, leadId: lead.id, fields: { budget: 8000, city: 'Campinas' } });
    await w.conversation.updateTags({ tenant: w.tenant, leadId: lead.id, add: ['hot'] });
    await addNote(w, lead.id, 'note-1', 'Quer falar com um humano.');
    const [report] = await w.syncAll();

    expect(report).toMatchObject({ claimed: 4, leads: 1, synced: 1, calls: 2, notesCreated: 1 });
    expect(w.crm.requests.map((request) => [request.method, request.items])).toEqual([
      ['updateLeads', 1],
      ['addNotes', 1],
    ]);
    expect(w.crm.leads()[0]).toMatchObject({
      stage: w.crm.stageRef('Atendimento humano'),
      fields: { [fieldIds.budget]: 8000, [fieldIds.city]: 'Campinas' },
      tags: ['hot'],
      noteKeys: ['note-1'],
    });
  });

  it('applies only the difference: a field cleared, a tag removed, nothing for what did not change', async () => {
    const w = await syncWorld();
    const lead = await w.newLead('+55 11 98765-4321');
    await w.conversation.updateFields({ tenant: w.tenant, leadId: lead.id, fields: { budget: 1, city: 'Recife' } });
    await w.conversation.updateTags({ tenant: w.tenant, leadId: lead.id, add: ['a', 'b'] });
    await w.syncAll();
    w.crm.clearRequests();
    await w.conversation.updateFields({ tenant: w.tenant, leadId: lead.id, fields: { city: null } });
    await w.conversation.updateTags({ tenant: w.tenant, leadId: lead.id, remove: ['a'] });
    await w.syncAll();
    expect(w.crm.requests).toHaveLength(1);
    expect(w.crm.leads()[0]).toMatchObject({ fields: { [fieldIds.budget]: 1 }, tags: ['b'] });
    // Nothing changed since: a pass with a change the CRM already shows sends nothing.
    await w.conversation.updateTags({ tenant: w.tenant, leadId: lead.id, add: ['b'] });
    await w.syncAll();
    expect(w.crm.requests).toHaveLength(1);
  });

  it('never replaces tags: a tag a person added in the CRM survives every sync, and no request replaces tags', async () => {
    const w = await syncWorld();
    const lead = await syncedLead(w);
    const crmLeadId = lead.crmLeadId ?? '';
    await w.drive(updateCrmLead(w.crm, { leadId: crmLeadId, tagsToAdd: ['added-by-a-person'] }));
    await w.conversation.updateTags({ tenant: w.tenant, leadId: lead.id, add: ['bot-1', 'bot-2'] });
    await w.syncAll();
    await w.conversation.updateTags({ tenant: w.tenant, leadId: lead.id, remove: ['bot-1'] });
    await w.syncAll();
    expect([...(w.crm.leads()[0]?.tags ?? [])].sort()).toEqual(['added-by-a-person', 'bot-2']);
    expect(w.crm.requests.some((request) => request.replacedTags)).toBe(false);
  });

  it('an opt-out shows in the CRM as a tag', async () => {
    const w = await syncWorld();
    const lead = await syncedLead(w);
    await w.conversation.optOut({ tenant: w.tenant, leadId: lead.id });
    await w.syncAll();
    expect(w.crm.leads()[0]?.tags).toEqual([crmOptedOutTag]);
  });

  it('an unmapped stage does not move the card; a lead that is gone completes its entries', async () => {
    const w = await syncWorld({ tenant: { stageMapping: {} } });
    const lead = await syncedLead(w);
    const before = w.crm.leads()[0]?.stage;
    await w.followUp.handle({ tenant: w.tenant, leadId: lead.id, event: { type: 'handoff', reason: 'x', requestedBy: 'agent' } });
    const [report] = await w.syncAll();
    expect(report?.calls).toBe(0);
    expect(w.crm.leads()[0]?.stage).toEqual(before);

    await w.store.outbox.append({
      tenantId: w.tenant.id,
      topic: 'crm',
      aggregateType: 'lead',
      aggregateId: crypto.randomUUID(),
      type: 'lead.tags_changed',
    });
    const [gone] = await w.syncAll();
    expect(gone).toMatchObject({ claimed: 1, synced: 1, calls: 0 });
  });
});

describe('CRM sync worker: batching and the rate limit', () => {
  it('120 leads linked 50 per upsert; then three updateLeads and three addNotes requests, never above 7 requests per second', async () => {
    const w = await syncWorld({ crm: { maxBatchSize: 50 } });
    const leads = [];
    for (let index = 0; index < 120; index += 1) leads.push(await w.newLead(`+55 11 9${String(70000000 + index)}`, `Lead ${index}`));
    const reports = await w.syncAll();
    expect(reports.reduce((sum, report) => sum + report.calls, 0)).toBe(3);
    expect(w.crm.requests.filter((request) => request.method === 'upsertLeads').map((request) => request.items)).toEqual([50, 50, 20]);
    expect(w.crm.leads()).toHaveLength(120);
    expect(w.crm.requests.filter((request) => request.status !== 200)).toEqual([]);
    expect(w.crm.maxRequestsPerSecond()).toBe(7);
    w.crm.clearRequests();

    for (const [index, lead] of leads.entries()) {
      await w.followUp.handle({ tenant: w.tenant, leadId: lead.id, event: { type: 'crm_stage_changed', to: 'qualifying' } });
      await w.conversation.updateFields({ tenant: w.tenant, leadId: lead.id, fields: { budget: index, city: 'Natal' } });
      await w.conversation.updateTags({ tenant: w.tenant, leadId: lead.id, add: ['batch'] });
      await addNote(w, lead.id, `note-${index}`, `Nota ${index}`);
    }
    await w.syncAll();
    expect(w.crm.requests.map((request) => [request.method, request.items, request.status])).toEqual([
      ['updateLeads', 50, 200],
      ['updateLeads', 50, 200],
      ['updateLeads', 20, 200],
      ['addNotes', 50, 200],
      ['addNotes', 50, 200],
      ['addNotes', 20, 200],
    ]);
    expect(w.crm.leads().every((crmLead) => crmLead.tags.includes('batch') && crmLead.noteKeys.length === 1)).toBe(true);
  });

  it('the CRM paces itself at its configured rate in every sliding second the account counts, also below what it would accept', async () => {
    const w = await syncWorld({ crm: { pacedRequestsPerSecond: 3 } });
    for (let index = 0; index < 25; index += 1) await w.newLead(`+55 21 9${String(80000000 + index)}`);
    await w.syncAll();
    expect(w.crm.requests.filter((request) => request.status === 429)).toEqual([]);
    expect(w.crm.maxRequestsPerSecond()).toBe(3);
  });

  it('a malformed note entry is dead-lettered alone; the lead’s other changes go through', async () => {
    const w = await syncWorld();
    const lead = await syncedLead(w);
    await w.store.outbox.append({
      tenantId: w.tenant.id,
      topic: 'crm',
      aggregateType: 'lead',
      aggregateId: lead.id,
      type: 'lead.note_added',
      payload: { key: 'k' },
    });
    await w.conversation.updateTags({ tenant: w.tenant, leadId: lead.id, add: ['ok'] });
    const [report] = await w.syncAll();
    expect(report).toMatchObject({ synced: 1, dead: 1 });
    expect(w.crm.leads()[0]?.tags).toEqual(['ok']);
    expect(
      w.store
        .dump()
        .outbox.filter((entry) => entry.status === 'dead')
        .map((entry) => entry.lastError?.code),
    ).toEqual(['invalid_entry']);
  });

  it('a note needs a key and a text: appending one without is a ValidationError naming the field', async () => {
    const w = await syncWorld();
    const lead = await w.newLead('+55 11 98765-4321');
    const error = await addNote(w, lead.id, 'k', '   ').catch((caught: unknown) => caught);
    expect(ValidationError.isInstance(error) && error.fieldErrors[0]?.field).toBe('note.text');
  });
});
