import { describe, expect, it } from 'vitest';
import { NotFoundError, ProviderUnavailableError, ValidationError } from '../../errors/index.js';
import type { Store } from '../../ports/repositories/repositories.js';
import { syncWorld, type SyncWorld } from '../sync/__fixtures__/sync-world.js';
import { createHandoffService } from './handoff-service.js';

/** A lead in conversation: a message each way, re-engagement #1 pending. */
async function conversingLead(world: SyncWorld) {
  const lead = await world.newLead('+55 11 98765-4321', 'Ana Souza');
  await world.conversation.recordInbound({
    tenant: world.tenant,
    from: '+55 11 98765-4321',
    providerMessageId: 'in-1',
    body: 'Quanto custa?',
  });
  await world.clock.advance(60_000);
  await world.conversation.recordOutbound({ tenant: world.tenant, leadId: lead.id, body: 'O plano começa em R$ 99.' });
  return world.reload(lead);
}

const pendingKinds = (world: SyncWorld) =>
  world.store
    .dump()
    .scheduledMessages.filter((row) => row.status === 'pending')
    .map((row) => row.kind);

describe('HandoffService', () => {
  it('in one unit: automation paused, re-engagements cancelled, stage human_handoff, the note queued; then handoff.requested', async () => {
    const w = await syncWorld();
    const handoff = createHandoffService({ store: w.store, clock: w.clock, followUp: w.followUp, events: w.events });
    const lead = await conversingLead(w);
    expect(pendingKinds(w)).toEqual(['reengage_1']);

    const result = await handoff.requestHandoff({ tenant: w.tenant, leadId: lead.id, reason: 'Pediu um humano', requestedBy: 'lead' });
    expect(result).toMatchObject({ alreadyHandedOff: false, lead: { automation: 'paused_handoff', stage: 'human_handoff' } });
    expect(result.note?.key).toBe(`handoff:${lead.id}:${w.clock.now().getTime()}`);
    expect(result.note?.text).toContain('[02/03 10:00] Lead: Quanto custa?');
    expect(pendingKinds(w)).toEqual([]);
    const notes = w.store.dump().outbox.filter((entry) => entry.type === 'lead.note_added');
    expect(notes.map((entry) => entry.payload)).toEqual([{ key: result.note?.key, text: result.note?.text }]);
    expect(w.heard.filter(([name]) => name === 'handoff.requested').map(([, event]) => event)).toEqual([
      expect.objectContaining({ leadId: lead.id, reason: 'Pediu um humano', requestedBy: 'lead' }),
    ]);

    await w.syncAll();
    const [crmLead] = w.crm.leads();
    expect(crmLead?.stage).toEqual(w.crm.stageRef('Atendimento humano'));
    expect(w.crm.notes(crmLead?.leadId ?? '').map((note) => note.text)).toEqual([result.note?.text]);
  });

  it('asking again while handed off writes no second note and emits nothing more', async () => {
    const w = await syncWorld();
    const handoff = createHandoffService({ store: w.store, clock: w.clock, followUp: w.followUp, events: w.events });
    const lead = await conversingLead(w);
    await handoff.requestHandoff({ tenant: w.tenant, leadId: lead.id, reason: 'Pediu um humano', requestedBy: 'lead' });
    await w.clock.advance(60_000);
    const again = await handoff.requestHandoff({ tenant: w.tenant, leadId: lead.id, reason: 'De novo', requestedBy: 'agent' });
    expect(again).toMatchObject({ alreadyHandedOff: true, note: null });
    expect(w.store.dump().outbox.filter((entry) => entry.type === 'lead.note_added')).toHaveLength(1);
    expect(w.heard.filter(([name]) => name === 'handoff.requested')).toHaveLength(1);
  });

  it('nothing half-written: when the note cannot be queued, automation, stage and re-engagements stay as they were', async () => {
    const w = await syncWorld();
    const lead = await conversingLead(w);
    const failingNotes: Store = {
      ...w.store,
      transaction: (fn) =>
        w.store.transaction((tx) =>
          fn({
            ...tx,
            outbox: {
              ...tx.outbox,
              append: (entry) =>
                entry.type === 'lead.note_added'
                  ? Promise.reject(new ProviderUnavailableError({ provider: 'store', operation: 'outbox.append' }))
                  : tx.outbox.append(entry),
            },
          }),
        ),
    };
    const handoff = createHandoffService({ store: failingNotes, clock: w.clock, followUp: w.followUp, events: w.events });
    await expect(handoff.requestHandoff({ tenant: w.tenant, leadId: lead.id, reason: 'x', requestedBy: 'agent' })).rejects.toThrow(
      'outbox.append',
    );
    expect(await w.reload(lead)).toMatchObject({ automation: 'active', stage: lead.stage, version: lead.version });
    expect(pendingKinds(w)).toEqual(['reengage_1']);
    expect(w.store.dump().outbox.filter((entry) => entry.type !== 'lead.created')).toEqual([]);
    expect(w.heard.filter(([name]) => name === 'handoff.requested')).toEqual([]);
  });

  it('bad input is a ValidationError naming the field; an unknown lead is NotFoundError; nothing is written', async () => {
    const w = await syncWorld();
    const handoff = createHandoffService({ store: w.store, clock: w.clock, followUp: w.followUp });
    const lead = await conversingLead(w);
    const before = w.store.dump().outbox.length;
    const empty = await handoff
      .requestHandoff({ tenant: w.tenant, leadId: lead.id, reason: '  ', requestedBy: 'agent' })
      .catch((error: unknown) => error);
    expect(ValidationError.isInstance(empty) && empty.fieldErrors.map((error) => error.field)).toEqual(['reason']);
    const who = await handoff
      .requestHandoff({ tenant: w.tenant, leadId: lead.id, reason: 'x', requestedBy: 'robot' as 'agent' })
      .catch((error: unknown) => error);
    expect(ValidationError.isInstance(who) && who.fieldErrors.map((error) => error.field)).toEqual(['requestedBy']);
    const missing = await handoff
      .requestHandoff({ tenant: w.tenant, leadId: crypto.randomUUID(), reason: 'x', requestedBy: 'agent' })
      .catch((error: unknown) => error);
    expect(NotFoundError.isInstance(missing)).toBe(true);
    expect(w.store.dump().outbox).toHaveLength(before);
  });

  it('resume puts the lead back under automation (and the card back to its stage); resuming an active lead changes nothing', async () => {
    const w = await syncWorld();
    const handoff = createHandoffService({ store: w.store, clock: w.clock, followUp: w.followUp, events: w.events });
    const lead = await conversingLead(w);
    await handoff.requestHandoff({ tenant: w.tenant, leadId: lead.id, reason: 'Pediu um humano', requestedBy: 'operator' });
    const resumed = await handoff.resume({ tenant: w.tenant, leadId: lead.id });
    expect(resumed).toMatchObject({ resumed: true, lead: { automation: 'active', stage: 'qualifying' } });
    expect(w.heard.map(([name]) => name)).toContain('handoff.resumed');
    expect((await handoff.resume({ tenant: w.tenant, leadId: lead.id })).resumed).toBe(false);
    await w.syncAll();
    expect(w.crm.leads()[0]?.stage).toEqual(w.crm.stageRef('Qualificando'));
  });
});
