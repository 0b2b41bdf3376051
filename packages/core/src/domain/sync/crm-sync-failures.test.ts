import { describe, expect, it } from 'vitest';
import { ProviderUnavailableError } from '../../errors/index.js';
import { injectFaults } from '../../testing/faults/inject-faults.js';
import type { InMemoryCrm } from '../../testing/crm/in-memory-crm.js';
import { appendCrmNoteEntry } from './crm-outbox-entries.js';
import { crmBlockedAlertKind } from './crm-account.js';
import { createCrmSyncWorker } from './crm-sync-worker.js';
import { fieldIds, syncWorld, type SyncWorld } from './__fixtures__/sync-world.js';

const hour = 3_600_000;

async function addNote(world: SyncWorld, leadId: string, key: string, text: string): Promise<void> {
  await world.store.transaction((tx) => appendCrmNoteEntry(tx, { tenantId: world.tenant.id, leadId, note: { key, text } }));
}

async function linkedLeads(world: SyncWorld, count: number) {
  const leads = [];
  for (let index = 0; index < count; index += 1) leads.push(await world.newLead(`+55 31 9${String(81000000 + index)}`, `Lead ${index}`));
  await world.syncAll();
  world.crm.clearRequests();
  return Promise.all(leads.map((lead) => world.reload(lead)));
}

describe('CRM sync worker: the CRM down, throttling, lost answers', () => {
  it('CRM down for 6 virtual hours then back: every change arrives, notes in order per lead, none twice, none dead', async () => {
    const w = await syncWorld({ worker: { pollIntervalMs: 30_000 } });
    const leads = await linkedLeads(w, 3);
    w.crm.setOutage(true);
    w.worker.start();
    for (let hourIndex = 0; hourIndex < 6; hourIndex += 1) {
      for (const [index, lead] of leads.entries()) {
        await w.conversation.updateFields({ tenant: w.tenant, leadId: lead.id, fields: { budget: hourIndex * 10 + index } });
        await w.conversation.updateTags({ tenant: w.tenant, leadId: lead.id, add: [`h${hourIndex}`], remove: [`h${hourIndex - 1}`] });
        await addNote(w, lead.id, `${lead.id}:${hourIndex}`, `Hora ${hourIndex}`);
      }
      await w.clock.advance(hour);
    }
    const refusedDuringOutage = w.crm.requests.length;
    w.crm.setOutage(false);
    await w.clock.advance(20 * 60_000);
    await w.worker.stop();

    for (const lead of leads) {
      const crmLead = w.crm.leads().find((candidate) => candidate.leadId === lead.crmLeadId);
      const stored = await w.reload(lead);
      expect(crmLead?.fields[fieldIds.budget]).toBe(stored.fields['budget']);
      expect(crmLead?.tags).toEqual(['h5']);
      expect(w.crm.notes(lead.crmLeadId ?? '').map((note) => note.text)).toEqual([0, 1, 2, 3, 4, 5].map((index) => `Hora ${index}`));
    }
    expect(w.store.dump().outbox.map((entry) => entry.status)).toSatisfy((statuses: string[]) => statuses.every((s) => s === 'done'));
    // The account backs off as a whole: one probe per backoff interval (at most 7.5 min here), not one per lead or poll.
    expect(refusedDuringOutage).toBeLessThan(60);
    expect(w.crm.requests.every((request) => request.status === 200 || request.status === 503)).toBe(true);
  });

  it('an answer lost after the CRM wrote the notes: the retry writes none twice', async () => {
    let faults: ReturnType<typeof injectFaults<InMemoryCrm>>['faults'] | undefined;
    const w = await syncWorld({
      wrapCrm: (crm) => {
        const wrapped = injectFaults(crm);
        faults = wrapped.faults;
        return wrapped.port;
      },
    });
    const [lead] = await linkedLeads(w, 1);
    if (!lead) throw new Error('no lead');
    faults?.succeedButTimeout('addNotes', 1);
    await addNote(w, lead.id, 'k1', 'Primeira');
    await addNote(w, lead.id, 'k2', 'Segunda');
    const [first] = await w.syncAll();
    expect(first).toMatchObject({ retried: 1, notesCreated: 0 });
    await w.clock.advance(60_000);
    const [second] = await w.syncAll();
    expect(second).toMatchObject({ synced: 1, notesCreated: 0 });
    expect(w.crm.notes(lead.crmLeadId ?? '').map((note) => note.idempotencyKey)).toEqual(['k1', 'k2']);
  });

  it('a 429 (someone else spent the budget) is waited out for its Retry-After, and the change goes through', async () => {
    // Not paced by the CRM itself, so that the other integration's requests and ours meet in one second.
    const w = await syncWorld({ paced: false, crm: { maxBatchSize: 4 } });
    const leads = await linkedLeads(w, 12);
    for (const lead of leads) await w.conversation.updateTags({ tenant: w.tenant, leadId: lead.id, add: ['x'] });
    w.crm.clearRequests();
    // Another integration on the same account spends the whole second's budget.
    for (let index = 0; index < 7; index += 1) await w.crm.listPipelines();
    const [report] = await w.syncAll();
    expect(report).toMatchObject({ synced: 12, retried: 0 });
    const statuses = w.crm.requests.map((request) => request.status);
    expect(statuses.filter((status) => status === 429).length).toBeGreaterThan(0);
    const refused = w.crm.requests.findIndex((request) => request.status === 429);
    const retried = w.crm.requests[refused + 1];
    expect(retried?.at.getTime()).toBeGreaterThanOrEqual(w.crm.requests[0]!.at.getTime() + 1000);
    expect(w.crm.maxRequestsPerSecond()).toBeLessThanOrEqual(7);
  });

  it('a batch refused for one lead’s field is retried lead by lead: that field alone is left out and alerted, the rest syncs', async () => {
    const w = await syncWorld({ tenant: { crm: { fieldMapping: { ...fieldIds, unknown: '999999' } } } });
    const leads = await linkedLeads(w, 3);
    await w.conversation.updateFields({ tenant: w.tenant, leadId: leads[1]!.id, fields: { unknown: 'refused' } });
    for (const lead of leads) await w.conversation.updateTags({ tenant: w.tenant, leadId: lead.id, add: ['ok'] });
    const [report] = await w.syncAll();
    expect(report).toMatchObject({ synced: 3, dead: 0 });
    expect(w.crm.requests[0]).toMatchObject({ method: 'updateLeads', items: 3, status: 400 });
    expect(
      w.crm.requests
        .slice(1)
        .map((request) => `${request.method} ${request.items} ${request.status}`)
        .sort(),
    ).toEqual(['updateLeads 1 200', 'updateLeads 1 200', 'updateLeads 1 200', 'updateLeads 1 400']);
    expect(w.store.dump().outbox.filter((entry) => entry.status === 'dead')).toEqual([]);
    expect(w.crm.leads().filter((crmLead) => crmLead.tags.includes('ok'))).toHaveLength(3);
    const refusals = (await w.store.alerts.listOpen({ tenantId: w.tenant.id })).filter((alert) => alert.kind === 'crm_change_refused');
    expect(refusals.map((alert) => alert.key)).toEqual([`lead:${leads[1]!.id}`]);
    expect(refusals[0]?.details).toMatchObject({ refused: [{ part: 'field:999999' }] });
  });

  it('a CRM lead that was deleted is created again on the next pass', async () => {
    const w = await syncWorld();
    const [lead] = await linkedLeads(w, 1);
    if (!lead) throw new Error('no lead');
    await w.store.leads.update({ ...lead, crmLeadId: '424242' });
    await w.conversation.updateTags({ tenant: w.tenant, leadId: lead.id, add: ['again'] });
    await w.syncAll();
    const relinked = await w.reload(lead);
    expect(relinked.crmLeadId).toBe(lead.crmLeadId);
    expect(w.crm.leads()[0]?.tags).toEqual(['again']);
  });
});

describe('CRM sync worker: a blocked account', () => {
  it('a 403 without detail stops the account, raises an alert and keeps the entries until an operator resolves it', async () => {
    const w = await syncWorld();
    const leads = await linkedLeads(w, 2);
    for (const lead of leads) await w.conversation.updateTags({ tenant: w.tenant, leadId: lead.id, add: ['x'] });
    w.crm.blockIp();
    const [report] = await w.syncAll();
    expect(report).toMatchObject({ calls: 1, retried: 2, dead: 0, blockedAccounts: [`crm:in-memory-crm:31337`] });
    const [alert] = await w.store.alerts.listOpen({ tenantId: w.tenant.id });
    expect(alert).toMatchObject({ kind: crmBlockedAlertKind, key: 'crm:in-memory-crm:31337', severity: 'critical' });
    // The alert is emitted as its transaction commits, before the worker reports the block.
    expect(w.heard.map(([name]) => name)).toEqual(['alert.raised', 'crm.sync_blocked']);

    // A restarted worker, hours later, does not call the CRM while the alert is open.
    const restarted = createCrmSyncWorker({ store: w.store, clock: w.clock, crmFor: () => w.crm });
    await w.clock.advance(3 * hour);
    await w.drive(restarted.runOnce());
    expect(w.crm.requests).toHaveLength(1);
    expect(w.store.dump().outbox.filter((entry) => entry.status === 'pending')).toHaveLength(2);

    w.crm.blockIp(false);
    await w.store.alerts.resolve({ tenantId: w.tenant.id, kind: crmBlockedAlertKind, key: 'crm:in-memory-crm:31337', now: w.clock.now() });
    await w.clock.advance(5 * 60_000);
    await w.drive(restarted.runOnce());
    expect(w.crm.leads().every((crmLead) => crmLead.tags.includes('x'))).toBe(true);
  });
});

describe('CRM sync worker: the loop', () => {
  it('the reply path never calls the CRM: a CRM that hangs does not delay inbound handling', async () => {
    const w = await syncWorld();
    const [lead] = await linkedLeads(w, 1);
    if (!lead) throw new Error('no lead');
    w.crm.setLatency(24 * hour);
    await w.conversation.updateTags({ tenant: w.tenant, leadId: lead.id, add: ['pending'] });
    w.worker.start();
    await w.clock.advance(1000);
    expect(w.crm.requests).toHaveLength(1);
    // The worker waits on a CRM that does not answer; a message arrives and is handled at once.
    const before = w.clock.now().getTime();
    const result = await w.conversation.recordInbound({
      tenant: w.tenant,
      from: '+55 31 98100-0000',
      providerMessageId: 'in-1',
      body: 'Oi',
    });
    expect(result.outcome).toBe('recorded');
    expect(w.clock.now().getTime()).toBe(before);
    expect(w.crm.requests).toHaveLength(1);
    const stopping = w.worker.stop();
    await w.clock.advance(24 * hour);
    await stopping;
  });

  it('stop aborts the call waiting on the CRM’s pacing and releases what the pass had not finished; the entries are taken again at once', async () => {
    const w = await syncWorld({ crm: { pacedRequestsPerSecond: 1, maxBatchSize: 1 } });
    await linkedLeads(w, 0);
    for (let index = 0; index < 3; index += 1) await w.newLead(`+55 41 9${String(82000000 + index)}`);
    w.worker.start();
    await w.clock.advance(1500);
    const stoppedAt = w.clock.now().getTime();
    // Resolves without the clock moving: the paced wait is aborted, not sat out.
    await w.worker.stop();
    expect(w.clock.now().getTime()).toBe(stoppedAt);
    expect(w.crm.leads()).toHaveLength(1);
    expect(w.crm.requests.map((request) => [request.method, request.status])).toEqual([
      ['upsertLeads.search', 200],
      ['upsertLeads', 200],
    ]);
    const released = w.store.dump().outbox.filter((entry) => entry.status === 'pending');
    expect(released.length).toBeGreaterThan(0);
    expect(released.every((entry) => entry.availableAt.getTime() <= w.clock.now().getTime())).toBe(true);
    await w.syncAll();
    expect(w.crm.leads()).toHaveLength(3);
    expect(w.worker.lastHeartbeatAt).not.toBeNull();
  });

  it('a pass stops taking work before its claim’s lease ends, and releases the rest', async () => {
    // Two leads per upsert, a request per second: the first upsert (two searches, one write) ends at 2 s,
    // the second would wait for its first request until 3 s — past the deadline (90 % of 3 s): aborted there.
    const w = await syncWorld({ worker: { leaseMs: 3000 }, crm: { pacedRequestsPerSecond: 1, maxBatchSize: 2 } });
    for (let index = 0; index < 6; index += 1) await w.newLead(`+55 51 9${String(83000000 + index)}`);
    const started = w.clock.now().getTime();
    const report = await w.drive(w.worker.runOnce());
    expect(report).toMatchObject({ leads: 6, synced: 2, retried: 4, calls: 2 });
    expect(w.crm.requests.map((request) => request.at.getTime() - started)).toEqual([0, 1000, 2000]);
    expect(w.clock.now().getTime() - started).toBe(2700);
    const released = w.store.dump().outbox.filter((entry) => entry.status === 'pending');
    expect(released.map((entry) => entry.lastError?.code)).toEqual(['lease_ending', 'lease_ending', 'lease_ending', 'lease_ending']);
    await w.syncAll();
    expect(w.crm.leads()).toHaveLength(6);
  });

  it('a tenant whose CRM cannot be built waits with backoff; the others are not held up', async () => {
    const w = await syncWorld();
    const broken = createCrmSyncWorker({
      store: w.store,
      clock: w.clock,
      crmFor: () => {
        throw new ProviderUnavailableError({ provider: 'kommo', operation: 'configure', message: 'no token' });
      },
    });
    await w.newLead('+55 11 98765-4321');
    expect(await w.drive(broken.runOnce())).toMatchObject({ leads: 1, retried: 1, calls: 0 });
    expect(w.store.dump().outbox.map((entry) => [entry.status, entry.lastError?.code])).toEqual([['pending', 'crm_unavailable']]);
  });

  it('a transient failure of the store’s claim does not kill the loop', async () => {
    const w = await syncWorld();
    const failing = injectFaults(w.store.outbox);
    failing.faults.failNext('claim', 1, new ProviderUnavailableError({ provider: 'store', operation: 'claim' }));
    const worker = createCrmSyncWorker({
      store: { ...w.store, outbox: failing.port },
      clock: w.clock,
      crmFor: () => w.crm,
    });
    await w.newLead('+55 11 98765-4321');
    worker.start();
    await w.clock.advance(5000);
    await worker.stop();
    expect(w.crm.leads()).toHaveLength(1);
  });
});
