import { describe, expect, it } from 'vitest';
import type { InMemoryCrmOptions } from '../../testing/crm/in-memory-crm.js';
import { crmChangeRefusedAlertKind } from './crm-refusals.js';
import { fieldIds, syncWorld, type SyncWorld } from './__fixtures__/sync-world.js';

/** 60 emoji: 60 code points, 120 UTF-16 units. */
const emojiTag = '😀'.repeat(60);

async function linkedLead(crm: Partial<InMemoryCrmOptions>) {
  const w = await syncWorld({ crm });
  const lead = await w.newLead('+55 31 981000001', 'Ana');
  await w.syncAll();
  return { w, lead: await w.reload(lead) };
}

function crmLeadOf(w: SyncWorld, crmLeadId: string | null) {
  const found = w.crm.leads().find((candidate) => candidate.leadId === crmLeadId);
  if (found === undefined) throw new Error(`CRM lead ${String(crmLeadId)} not found`);
  return found;
}

async function openRefusals(w: SyncWorld) {
  return (await w.store.alerts.listOpen({ tenantId: w.tenant.id })).filter((alert) => alert.kind === crmChangeRefusedAlertKind);
}

describe('CRM sync: limits in one unit, and a refused change isolated', () => {
  it('counts a tag in code points, as validation does: 60 emoji fit the limit of 100 and reach the CRM', async () => {
    const { w, lead } = await linkedLead({});
    await w.conversation.updateTags({ tenant: w.tenant, leadId: lead.id, add: [emojiTag] });
    expect((await w.syncAll())[0]).toMatchObject({ synced: 1, dead: 0 });
    expect(crmLeadOf(w, lead.crmLeadId).tags).toEqual([emojiTag]);
    expect(await openRefusals(w)).toEqual([]);
  });

  it('leaves out a tag longer than the CRM declares, syncs the rest of the change, alerts, and keeps syncing the lead', async () => {
    const { w, lead } = await linkedLead({ maxTagLength: 50 });
    await w.conversation.updateTags({ tenant: w.tenant, leadId: lead.id, add: [emojiTag, 'vip'] });
    await w.conversation.updateFields({ tenant: w.tenant, leadId: lead.id, fields: { budget: 5000 } });
    w.crm.clearRequests();

    expect((await w.syncAll())[0]).toMatchObject({ synced: 1, dead: 0 });
    // Never sent: the CRM declared it could not take it.
    expect(w.crm.requests.filter((request) => request.status !== 200)).toEqual([]);
    expect(crmLeadOf(w, lead.crmLeadId)).toMatchObject({ tags: ['vip'], fields: { [fieldIds.budget]: 5000 } });
    const [alert] = await openRefusals(w);
    expect(alert).toMatchObject({ key: `lead:${lead.id}`, severity: 'warning', details: { leadId: lead.id } });
    expect(alert?.message).toContain('60 characters, the CRM takes at most 50');
    expect(w.heard.filter(([name]) => name === 'alert.raised')).toHaveLength(1);

    await w.conversation.updateTags({ tenant: w.tenant, leadId: lead.id, add: ['hot'] });
    expect((await w.syncAll())[0]).toMatchObject({ synced: 1, dead: 0 });
    expect(crmLeadOf(w, lead.crmLeadId).tags).toEqual(['vip', 'hot']);
    expect(w.store.dump().outbox.every((entry) => entry.status === 'done')).toBe(true);
  });

  it('isolates a tag the CRM refuses without having declared its limit: the rest of the patch is sent again without it', async () => {
    const { w, lead } = await linkedLead({ maxTagLength: 50, declaresMaxTagLength: false });
    const other = await w.newLead('+55 31 981000002', 'Bia');
    await w.syncAll();
    await w.conversation.updateTags({ tenant: w.tenant, leadId: lead.id, add: ['vip', emojiTag] });
    await w.conversation.updateFields({ tenant: w.tenant, leadId: lead.id, fields: { budget: 7000 } });
    await w.conversation.updateTags({ tenant: w.tenant, leadId: other.id, add: ['novo'] });

    expect((await w.syncAll())[0]).toMatchObject({ synced: 2, dead: 0 });
    expect(crmLeadOf(w, lead.crmLeadId)).toMatchObject({ tags: ['vip'], fields: { [fieldIds.budget]: 7000 } });
    expect(crmLeadOf(w, (await w.reload(other)).crmLeadId).tags).toEqual(['novo']);
    const [alert] = await openRefusals(w);
    expect(alert?.details).toEqual({
      leadId: lead.id,
      refused: [{ part: `tag:${emojiTag}`, reason: 'must be at most 50 characters' }],
    });

    // The refused tag is not sent again with the lead's next change.
    w.crm.clearRequests();
    await w.conversation.updateFields({ tenant: w.tenant, leadId: lead.id, fields: { budget: 8000 } });
    expect((await w.syncAll())[0]).toMatchObject({ synced: 1, dead: 0 });
    expect(w.crm.requests.map((request) => request.method)).toEqual(['updateLeads']);
    expect(crmLeadOf(w, lead.crmLeadId).fields[fieldIds.budget]).toBe(8000);
    expect(w.store.dump().outbox.every((entry) => entry.status === 'done')).toBe(true);
  });
});
