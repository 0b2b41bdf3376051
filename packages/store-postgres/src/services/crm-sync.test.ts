/**
 * The CRM sync engine on this store, not only on the in-memory double: the outbox claimed per
 * lead in order, synced states saved with their versions, a handoff's note written in the
 * handoff's transaction — on PGlite and PostgreSQL, against the in-memory CRM with Kommo's limits.
 */
import { randomUUID } from 'node:crypto';
import {
  VirtualClock,
  createConversationService,
  createCrmInboundService,
  createCrmSyncWorker,
  createFollowUpService,
  createHandoffService,
  parseOrThrow,
  tenantSchema,
  type Store,
} from '@sdr/core';
import { awaitOnVirtualClock, createInMemoryCrm, createInMemoryRateLimiter } from '@sdr/core/testing';
import { beforeEach, expect, it } from 'vitest';
import { createPostgresStore } from '../store/postgres-store.js';
import { describeEachDriver, type TestDatabase } from '../test-support/test-database.js';

async function syncWorld(database: TestDatabase) {
  const clock = new VirtualClock('2026-03-02T13:00:00Z');
  const store: Store = createPostgresStore({ db: database.db, clock });
  // The CRM paces its own requests with the account's bucket (the port's contract).
  const crm = createInMemoryCrm({ clock, customFieldIds: ['900001', '900002'], rateLimiter: createInMemoryRateLimiter({ clock }) });
  const tenant = await store.tenants.create(
    parseOrThrow(tenantSchema, {
      id: randomUUID(),
      name: 'Acme',
      timeZone: 'America/Sao_Paulo',
      stageMapping: { human_handoff: crm.stageRef('Atendimento humano'), won: crm.stageRef('Venda ganha') },
      crm: { accountId: '31337', fieldMapping: { budget: '900001', city: '900002' } },
      createdAt: clock.now(),
      updatedAt: clock.now(),
      version: 0,
    }),
  );
  const followUp = createFollowUpService({ store, clock });
  const conversation = createConversationService({ store, clock, followUp });
  const handoff = createHandoffService({ store, clock, followUp });
  const inbound = createCrmInboundService({ store, clock, followUp });
  const worker = createCrmSyncWorker({ store, clock, crmFor: () => crm, random: () => 0.5 });
  const syncAll = async (): Promise<void> => {
    while ((await awaitOnVirtualClock(clock, worker.runOnce())).claimed > 0);
  };
  return { clock, store, crm, tenant, followUp, conversation, handoff, inbound, syncAll };
}

describeEachDriver('CRM sync on the PostgreSQL store', (database) => {
  beforeEach(async () => {
    await database().reset();
  });

  it('60 leads handed off, with two fields and a tag each: two update and two note requests, under 7 per second', async () => {
    const w = await syncWorld(database());
    const leads = [];
    for (let index = 0; index < 60; index += 1) {
      leads.push(
        (await w.conversation.findOrCreateLead({ tenant: w.tenant, from: `+55 11 9${String(70000000 + index)}`, name: `Lead ${index}` }))
          .lead,
      );
    }
    await w.syncAll();
    expect(w.crm.leads()).toHaveLength(60);
    w.crm.clearRequests();
    for (const [index, lead] of leads.entries()) {
      await w.handoff.requestHandoff({ tenant: w.tenant, leadId: lead.id, reason: 'Pediu uma pessoa', requestedBy: 'lead' });
      await w.conversation.updateFields({ tenant: w.tenant, leadId: lead.id, fields: { budget: index, city: 'Recife' } });
      await w.conversation.updateTags({ tenant: w.tenant, leadId: lead.id, add: ['pg'] });
    }
    await w.syncAll();
    expect(w.crm.requests.map((request) => [request.method, request.items])).toEqual([
      ['updateLeads', 50],
      ['updateLeads', 10],
      ['addNotes', 50],
      ['addNotes', 10],
    ]);
    expect(w.crm.maxRequestsPerSecond()).toBeLessThanOrEqual(7);
    for (const crmLead of w.crm.leads()) {
      expect(crmLead).toMatchObject({ stage: w.crm.stageRef('Atendimento humano'), tags: ['pg'] });
      expect(crmLead.noteKeys).toHaveLength(1);
    }
    expect(await w.store.outbox.stats({ topic: 'crm', tenantId: w.tenant.id })).toMatchObject({ pending: 0, dead: 0 });
  });

  it('a person’s stage move is applied to the lead and never echoed; an outage delays changes without losing them', async () => {
    const w = await syncWorld(database());
    const { lead } = await w.conversation.findOrCreateLead({ tenant: w.tenant, from: '+55 11 98765-4321', name: 'Ana' });
    await w.syncAll();
    const crmLeadId = (await w.store.leads.get(w.tenant.id, lead.id))?.crmLeadId ?? '';
    w.crm.moveStageAsHuman(crmLeadId, w.crm.stageRef('Venda ganha'));
    await w.inbound.handleStageChange({ tenantId: w.tenant.id, crmLeadId, ...w.crm.stageRef('Venda ganha') });
    expect(await w.store.leads.get(w.tenant.id, lead.id)).toMatchObject({ stage: 'won', automation: 'stopped' });
    w.crm.clearRequests();
    await w.syncAll();
    expect(w.crm.requests).toEqual([]);

    w.crm.setOutage(true);
    await w.conversation.updateTags({ tenant: w.tenant, leadId: lead.id, add: ['after-outage'] });
    await w.syncAll();
    w.crm.setOutage(false);
    await w.clock.advance(60_000);
    await w.syncAll();
    expect(w.crm.leads()[0]?.tags).toEqual(['after-outage']);
    expect(await w.store.outbox.stats({ topic: 'crm', tenantId: w.tenant.id })).toMatchObject({ pending: 0, dead: 0 });
  });
});
