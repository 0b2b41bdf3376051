import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../errors/index.js';
import { createInMemoryMessaging } from '../../testing/messaging/in-memory-messaging.js';
import { createDispatcher } from '../dispatch/dispatcher.js';
import { createFollowUpDispatchHandler } from '../follow-up/follow-up-dispatch-handler.js';
import { syncWorld, type SyncWorld } from './__fixtures__/sync-world.js';

const hour = 3_600_000;

/** A linked lead in a silence (re-engagement #1 pending), with the CRM's request log cleared. */
async function leadInSilence(world: SyncWorld) {
  const lead = await world.newLead('+55 11 98765-4321');
  await world.conversation.recordOutbound({ tenant: world.tenant, leadId: lead.id, body: 'Oi Ana! Posso ajudar?' });
  await world.syncAll();
  world.crm.clearRequests();
  return world.reload(lead);
}

function moveAsHuman(world: SyncWorld, crmLeadId: string, statusName: string, pipelineId?: string) {
  const stage = world.crm.stageRef(statusName, pipelineId);
  world.crm.moveStageAsHuman(crmLeadId, stage);
  return world.inbound.handleStageChange({ tenantId: world.tenant.id, crmLeadId, ...stage });
}

describe('CrmInboundService: a person moves a card in the CRM', () => {
  it('won in the CRM: automation stops, no automated message afterwards, and the sync echoes nothing back', async () => {
    const w = await syncWorld();
    const lead = await leadInSilence(w);
    const messaging = createInMemoryMessaging({ clock: w.clock });
    const dispatcher = createDispatcher({
      store: w.store,
      messaging,
      clock: w.clock,
      handlers: [createFollowUpDispatchHandler({ followUp: w.followUp, events: w.events })],
      pacing: false,
    });

    const result = await moveAsHuman(w, lead.crmLeadId ?? '', 'Venda ganha');
    expect(result).toMatchObject({ outcome: 'applied', stage: 'won', lead: { stage: 'won', automation: 'stopped' } });
    const [report] = await w.syncAll();
    expect(report).toMatchObject({ synced: 1, calls: 0 });
    expect(w.crm.requests).toEqual([]);

    for (let step = 0; step < 4 * 24; step += 1) {
      await w.clock.advance(hour);
      await dispatcher.runOnce();
    }
    expect(messaging.sent).toEqual([]);
    expect(w.store.dump().scheduledMessages.map((row) => row.status)).toEqual(['cancelled']);
    expect(w.crm.leads()[0]?.stage).toEqual(w.crm.stageRef('Venda ganha'));
  });

  it('human_handoff pauses automation; a status the tenant does not map changes no stage; neither is echoed', async () => {
    const w = await syncWorld();
    const lead = await leadInSilence(w);
    expect(await moveAsHuman(w, lead.crmLeadId ?? '', 'Atendimento humano')).toMatchObject({
      outcome: 'applied',
      lead: { stage: 'human_handoff', automation: 'paused_handoff' },
    });
    expect(await moveAsHuman(w, lead.crmLeadId ?? '', 'Leads de entrada')).toMatchObject({ outcome: 'recorded', stage: null });
    await w.syncAll();
    expect(w.crm.requests).toEqual([]);
    expect((await w.reload(lead)).stage).toBe('human_handoff');
    // The card stays where the person put it, until the lead's own stage changes again.
    await w.conversation.updateTags({ tenant: w.tenant, leadId: lead.id, add: ['x'] });
    await w.syncAll();
    expect(w.crm.leads()[0]?.stage).toEqual(w.crm.stageRef('Leads de entrada'));
    await w.followUp.handle({ tenant: w.tenant, leadId: lead.id, event: { type: 'resume' } });
    await w.syncAll();
    expect(w.crm.leads()[0]?.stage).toEqual(w.crm.stageRef('Qualificando'));
  });

  it('lost in a pipeline the tenant never mapped is still lost (143 in every pipeline)', async () => {
    const w = await syncWorld({
      crm: {
        pipelines: [
          { pipelineId: '7000001', name: 'Vendas', statuses: [{ statusId: '7000101', name: 'Novo' }] },
          { pipelineId: '8000001', name: 'Pós-venda', statuses: [{ statusId: '8000101', name: 'Aberto' }] },
        ],
      },
      tenant: { stageMapping: {} },
    });
    const lead = await leadInSilence(w);
    const result = await w.inbound.handleStageChange({
      tenantId: w.tenant.id,
      crmLeadId: lead.crmLeadId ?? '',
      pipelineId: '8000001',
      statusId: '143',
    });
    expect(result).toMatchObject({ outcome: 'applied', stage: 'lost', lead: { automation: 'stopped' } });
  });

  it('a re-delivered move changes nothing more; an unknown CRM lead or tenant changes nothing; a bad status is a ValidationError', async () => {
    const w = await syncWorld();
    const lead = await leadInSilence(w);
    await moveAsHuman(w, lead.crmLeadId ?? '', 'Venda perdida');
    const again = await moveAsHuman(w, lead.crmLeadId ?? '', 'Venda perdida');
    expect(again).toMatchObject({ outcome: 'recorded', stage: 'lost' });
    expect(w.heard.filter(([name]) => name === 'stage.changed')).toHaveLength(1);
    expect(await w.inbound.handleStageChange({ tenantId: w.tenant.id, crmLeadId: '999', pipelineId: '1', statusId: '2' })).toEqual({
      outcome: 'unknown_lead',
    });
    expect(await w.inbound.handleStageChange({ tenantId: crypto.randomUUID(), crmLeadId: '999', pipelineId: '1', statusId: '2' })).toEqual({
      outcome: 'unknown_lead',
    });
    const error = await w.inbound
      .handleStageChange({ tenantId: w.tenant.id, crmLeadId: lead.crmLeadId ?? '', pipelineId: '', statusId: '2' })
      .catch((caught: unknown) => caught);
    expect(ValidationError.isInstance(error) && error.fieldErrors[0]?.field).toBe('stage.pipelineId');
    await w.syncAll();
    expect(w.crm.requests).toEqual([]);
  });
});
