import { describe, expect, it } from 'vitest';
import { updateCrmLead } from '../../ports/crm/crm-helpers.js';
import { crmBlockedAlertKind } from './crm-account.js';
import { appendCrmNoteEntry } from './crm-outbox-entries.js';
import { fieldIds, syncWorld, type SyncWorld } from './__fixtures__/sync-world.js';

const day = 24 * 3_600_000;

/** A lead with a name, two fields, two tags and a note, synced; the request log cleared. */
async function syncedLead(world: SyncWorld, phone = '+55 11 98765-4321') {
  const lead = await world.newLead(phone, 'Ana Souza');
  await world.conversation.updateFields({ tenant: world.tenant, leadId: lead.id, fields: { budget: 5000, city: 'Recife' } });
  await world.conversation.updateTags({ tenant: world.tenant, leadId: lead.id, add: ['vip', 'hot'] });
  await world.store.transaction((tx) =>
    appendCrmNoteEntry(tx, { tenantId: world.tenant.id, leadId: lead.id, note: { key: `${lead.id}:first`, text: 'Primeira nota' } }),
  );
  await world.syncAll();
  world.crm.clearRequests();
  return world.reload(lead);
}

describe('CrmReconciler', () => {
  it('reports field, tag and name drift and missing notes, repairs them through the worker, and finds nothing the next time', async () => {
    const w = await syncWorld();
    const lead = await syncedLead(w);
    const crmLeadId = lead.crmLeadId ?? '';
    // Someone changes the card through the API, and a note the sync wrote is not there.
    await w.drive(
      updateCrmLead(w.crm, {
        leadId: crmLeadId,
        name: 'Ana S.',
        fields: { [fieldIds.budget]: 1 },
        tagsToRemove: ['vip'],
        tagsToAdd: ['person-tag'],
      }),
    );
    const lost = await w.store.outbox.append({
      tenantId: w.tenant.id,
      topic: 'crm',
      aggregateType: 'lead',
      aggregateId: lead.id,
      type: 'lead.note_added',
      payload: { key: 'lost-note', text: 'Nota perdida' },
    });
    await w.store.outbox.claim({ topic: 'crm', now: w.clock.now(), workerId: 'gone', leaseMs: 1000, maxAggregates: 10 });
    await w.store.outbox.complete({ ids: [lost.id], workerId: 'gone', now: w.clock.now() });
    w.crm.clearRequests();

    const report = await w.drive(w.reconciler.runOnce({ window: day }));
    expect(report).toMatchObject({ checked: 1, drifted: 1, repaired: 1, skipped: { inFlight: 0, blocked: 0, unreadable: 0 } });
    expect(report.drifts.map((drift) => [drift.kind, drift.key, drift.expected, drift.actual, drift.repair])).toEqual([
      ['name', null, 'Ana Souza', 'Ana S.', 'resync'],
      ['field', 'budget', 5000, 1, 'resync'],
      ['tag', 'vip', 'present', 'absent', 'resync'],
      ['missing_note', 'lost-note', 'present', 'absent', 'resync'],
    ]);
    expect(w.heard.filter(([name]) => name === 'crm.reconciled').map(([, event]) => event)).toEqual([
      expect.objectContaining({ tenantId: w.tenant.id, checked: 1, drifted: 1, repaired: 1 }),
    ]);

    await w.syncAll();
    expect(w.crm.requests.map((request) => request.method)).toEqual(['getLeads', 'updateLeads', 'addNotes']);
    const [repaired] = w.crm.leads();
    expect(repaired).toMatchObject({ name: 'Ana Souza', fields: { [fieldIds.budget]: 5000, [fieldIds.city]: 'Recife' } });
    expect([...(repaired?.tags ?? [])].sort()).toEqual(['hot', 'person-tag', 'vip']);
    expect(repaired?.noteKeys).toEqual([`${lead.id}:first`, 'lost-note']);
    expect((await w.drive(w.reconciler.runOnce({ window: day }))).drifted).toBe(0);
  });

  it('a card a person moved without a webhook is adopted, not moved back: automation follows, nothing echoes', async () => {
    const w = await syncWorld();
    const lead = await syncedLead(w);
    w.crm.moveStageAsHuman(lead.crmLeadId ?? '', w.crm.stageRef('Venda perdida'));
    const report = await w.drive(w.reconciler.runOnce({ window: day }));
    expect(report.drifts).toEqual([expect.objectContaining({ kind: 'stage', expected: 'new', actual: 'lost', repair: 'adopted' })]);
    expect(await w.reload(lead)).toMatchObject({ stage: 'lost', automation: 'stopped' });
    w.crm.clearRequests();
    await w.syncAll();
    expect(w.crm.requests).toEqual([]);
    expect(w.crm.leads()[0]?.stage).toEqual(w.crm.stageRef('Venda perdida'));
  });

  it('a CRM lead that no longer exists is unlinked and created again; a lead never linked is linked', async () => {
    const w = await syncWorld();
    const lead = await syncedLead(w);
    await w.store.leads.update({ ...lead, crmLeadId: '777777' });
    const orphan = await w.newLead('+55 21 99876-5432', 'Bruno');
    const [entry] = await w.store.outbox.claim({ topic: 'crm', now: w.clock.now(), workerId: 'gone', leaseMs: 1000, maxAggregates: 10 });
    await w.store.outbox.fail({
      ids: [entry?.id ?? ''],
      workerId: 'gone',
      now: w.clock.now(),
      error: { code: 'x', message: 'x', transient: false, at: w.clock.now() },
      retryAt: null,
    });

    const report = await w.drive(w.reconciler.runOnce({ window: day }));
    expect(report.drifts.map((drift) => [drift.leadId, drift.kind, drift.repair])).toEqual([
      [orphan.id, 'missing_lead', 'resync'],
      [lead.id, 'missing_lead', 'resync'],
    ]);
    await w.syncAll();
    expect((await w.reload(lead)).crmLeadId).toBe(lead.crmLeadId);
    expect((await w.reload(orphan)).crmLeadId).not.toBeNull();
    expect(w.crm.leads()).toHaveLength(2);
  });

  it('skips leads with pending entries, leads outside the window and blocked accounts', async () => {
    const w = await syncWorld();
    const lead = await syncedLead(w);
    await w.drive(updateCrmLead(w.crm, { leadId: lead.crmLeadId ?? '', tagsToRemove: ['vip'] }));
    await w.clock.advance(2 * day);
    expect(await w.drive(w.reconciler.runOnce({ window: day }))).toMatchObject({ checked: 0, drifts: [] });

    await w.conversation.updateTags({ tenant: w.tenant, leadId: lead.id, add: ['new-tag'] });
    expect(await w.drive(w.reconciler.runOnce({ window: day }))).toMatchObject({ checked: 0, skipped: { inFlight: 1 } });

    await w.syncAll();
    await w.store.alerts.raise({
      tenantId: w.tenant.id,
      kind: crmBlockedAlertKind,
      key: 'crm:in-memory-crm:31337',
      severity: 'critical',
      message: 'blocked',
      details: {},
      now: w.clock.now(),
    });
    w.crm.clearRequests();
    expect(await w.drive(w.reconciler.runOnce({ window: day, tenantIds: [w.tenant.id] }))).toMatchObject({
      checked: 0,
      skipped: { blocked: 1 },
    });
    expect(w.crm.requests).toEqual([]);
  });

  it('an aborted run (shutdown) reads nothing more and leaves the leads for the next run', async () => {
    const w = await syncWorld();
    await syncedLead(w);
    const controller = new AbortController();
    controller.abort();
    const window = { from: new Date(0), to: new Date(w.clock.now().getTime() + 1) };
    expect(await w.drive(w.reconciler.runOnce({ window, signal: controller.signal }))).toMatchObject({
      checked: 0,
      skipped: { unreadable: 1 },
    });
    expect(w.crm.requests).toEqual([]);
    expect(await w.drive(w.reconciler.runOnce({ window }))).toMatchObject({ checked: 1, drifted: 0 });
  });

  it('a CRM it cannot read leaves the leads for the next run', async () => {
    const w = await syncWorld();
    await syncedLead(w);
    w.crm.setOutage(true);
    expect(await w.drive(w.reconciler.runOnce({ window: { from: new Date(0), to: new Date(w.clock.now().getTime() + 1) } }))).toMatchObject(
      {
        checked: 0,
        skipped: { unreadable: 1 },
      },
    );
  });
});
