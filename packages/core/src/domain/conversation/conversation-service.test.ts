import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../errors/index.js';
import { PhoneNumber } from '../identity/phone-number.js';
import { followUpWorld, heardNames } from '../follow-up/__fixtures__/service-fixtures.js';
import { createConversationService } from './conversation-service.js';

const at = (iso: string) => new Date(iso);

async function world(options: Parameters<typeof followUpWorld>[0] = {}) {
  const base = await followUpWorld(options);
  const conversation = createConversationService({ store: base.store, clock: base.clock, followUp: base.followUp, events: base.events });
  return { ...base, conversation };
}

const pending = (w: Awaited<ReturnType<typeof world>>) =>
  w.store
    .dump()
    .scheduledMessages.filter((row) => row.status === 'pending')
    .map((row) => row.kind);

describe('recordInbound', () => {
  it('records the message, updates lastInboundAt and ends the silence', async () => {
    const w = await world();
    await w.conversation.recordOutbound({ tenant: w.tenant, leadId: w.lead.id, body: 'Oi Ana!' });
    expect(pending(w)).toEqual(['reengage_1']);
    await w.clock.advance(10 * 60_000);
    const result = await w.conversation.recordInbound({
      tenant: w.tenant,
      from: '+55 11 98765-4321',
      providerMessageId: 'WA-1',
      body: 'Oi',
    });
    expect(result.outcome).toBe('recorded');
    expect(pending(w)).toEqual([]);
    const lead = await w.store.leads.get(w.tenant.id, w.lead.id);
    expect(lead?.lastInboundAt).toEqual(at('2026-03-02T13:10:00Z'));
    expect(heardNames(w)).toContain('message.received');
  });

  it('a re-delivered webhook (same provider id) changes nothing', async () => {
    const w = await world();
    const input = { tenant: w.tenant, from: '+5511987654321', providerMessageId: 'WA-1', body: 'Oi' } as const;
    await w.conversation.recordInbound(input);
    const again = await w.conversation.recordInbound({ ...input, from: '+5511900000000' });
    expect(again.outcome).toBe('duplicate');
    expect(w.store.dump().messages).toHaveLength(1);
    expect(w.store.dump().leads).toHaveLength(1);
    expect(heardNames(w).filter((name) => name === 'message.received')).toHaveLength(1);
  });

  it('our own messages echoing back (fromMe) are not inbound', async () => {
    const w = await world();
    expect(
      await w.conversation.recordInbound({ tenant: w.tenant, from: '+5511987654321', providerMessageId: 'WA-9', body: 'x', fromMe: true }),
    ).toEqual({ outcome: 'echo' });
    expect(w.store.dump().messages).toEqual([]);
  });

  it('the Brazilian 9th digit does not make another lead', async () => {
    const w = await world();
    const result = await w.conversation.recordInbound({ tenant: w.tenant, from: '(11) 8765-4321', providerMessageId: 'WA-2', body: 'Oi' });
    expect(result.outcome === 'recorded' && result.lead.id).toBe(w.lead.id);
  });

  it('a new number creates a lead named after the sender, with its CRM outbox entry', async () => {
    const w = await world();
    const result = await w.conversation.recordInbound({
      tenant: w.tenant,
      from: { kind: 'phone', phone: PhoneNumber.parse('+55 21 99876-5432') },
      whatsappLid: '123456789012345',
      senderName: 'Bruno Lima',
      providerMessageId: 'WA-3',
      body: 'Quero saber mais',
    });
    if (result.outcome !== 'recorded') throw new Error(result.outcome);
    expect(result.leadCreated).toBe(true);
    expect(result.lead).toMatchObject({ name: 'Bruno Lima', whatsappLid: '123456789012345', stage: 'new', automation: 'active' });
    expect(w.store.dump().outbox).toEqual([expect.objectContaining({ type: 'lead.created', aggregateId: result.lead.id, payload: {} })]);
    expect(heardNames(w).slice(0, 2)).toEqual(['lead.created', 'message.received']);
  });

  it('a known @lid alias finds its lead; an unknown one without a phone is a clear error', async () => {
    const w = await world({ lead: { whatsappLid: '555' } });
    const known = await w.conversation.recordInbound({
      tenant: w.tenant,
      from: { kind: 'whatsapp_lid', lid: '555' },
      providerMessageId: 'WA-4',
      body: 'Oi',
    });
    expect(known.outcome === 'recorded' && known.lead.id).toBe(w.lead.id);
    const unknown = await w.conversation
      .recordInbound({ tenant: w.tenant, from: { kind: 'whatsapp_lid', lid: '777' }, providerMessageId: 'WA-5', body: 'Oi' })
      .catch((error: unknown) => error);
    expect(ValidationError.isInstance(unknown) && unknown.fieldErrors[0]?.field).toBe('from');
    expect(w.store.dump().messages).toHaveLength(1);
  });

  it('an invalid phone is a ValidationError naming the input', async () => {
    const w = await world();
    const error = await w.conversation
      .recordInbound({ tenant: w.tenant, from: '12', providerMessageId: 'WA-6', body: 'Oi' })
      .catch((caught: unknown) => caught);
    expect(ValidationError.isInstance(error) && error.fieldErrors[0]?.field).toBe('from');
  });
});

describe('recordOutbound', () => {
  it('the agent’s message starts a silence; the next one restarts it', async () => {
    const w = await world();
    await w.conversation.recordOutbound({ tenant: w.tenant, leadId: w.lead.id, body: 'Oi Ana!', providerMessageId: 'OUT-1' });
    await w.clock.advance(5 * 60_000);
    await w.conversation.recordOutbound({ tenant: w.tenant, leadId: w.lead.id, body: 'Tem um minuto?' });
    const rows = w.store.dump().scheduledMessages.map((row) => [row.status, row.dueAt.toISOString(), row.cancelReason]);
    expect(rows).toEqual([
      ['cancelled', '2026-03-02T13:30:00.000Z', 'superseded'],
      ['pending', '2026-03-02T13:35:00.000Z', null],
    ]);
    expect((await w.store.leads.get(w.tenant.id, w.lead.id))?.lastOutboundAt).toEqual(at('2026-03-02T13:05:00Z'));
  });

  it('recording the same provider message twice writes it once', async () => {
    const w = await world();
    const input = { tenant: w.tenant, leadId: w.lead.id, body: 'Oi', providerMessageId: 'OUT-1' } as const;
    await w.conversation.recordOutbound(input);
    const again = await w.conversation.recordOutbound(input);
    expect(again.created).toBe(false);
    expect(w.store.dump().messages).toHaveLength(1);
  });
});

describe('lead lifecycle', () => {
  it('opt-out cancels everything pending and stops automation, once', async () => {
    const w = await world();
    await w.conversation.recordOutbound({ tenant: w.tenant, leadId: w.lead.id, body: 'Oi' });
    const lead = await w.conversation.optOut({ tenant: w.tenant, leadId: w.lead.id });
    await w.clock.advance(60_000);
    const again = await w.conversation.optOut({ tenant: w.tenant, leadId: w.lead.id });
    expect(lead).toMatchObject({ optedOut: true, automation: 'stopped', optedOutAt: at('2026-03-02T13:00:00Z') });
    expect(again.optedOutAt).toEqual(at('2026-03-02T13:00:00Z'));
    expect(pending(w)).toEqual([]);
    expect(heardNames(w).filter((name) => name === 'lead.opted_out')).toHaveLength(1);
    expect(w.store.dump().outbox.filter((entry) => entry.type === 'lead.opted_out')).toHaveLength(1);
    await w.conversation.recordOutbound({ tenant: w.tenant, leadId: w.lead.id, body: 'Mais uma coisa' });
    expect(pending(w)).toEqual([]);
  });

  it('fields and tags change with an outbox entry naming what changed, and no entry when nothing did', async () => {
    const w = await world();
    await w.conversation.updateFields({ tenant: w.tenant, leadId: w.lead.id, fields: { budget: 5000, city: 'São Paulo' } });
    await w.conversation.updateFields({ tenant: w.tenant, leadId: w.lead.id, fields: { budget: 5000 } });
    const tagged = await w.conversation.updateTags({ tenant: w.tenant, leadId: w.lead.id, add: ['vip', 'vip', ' hot '], remove: ['cold'] });
    await w.conversation.updateTags({ tenant: w.tenant, leadId: w.lead.id, remove: ['vip'] });
    expect(tagged.tags).toEqual(['vip', 'hot']);
    expect(w.store.dump().outbox.map((entry) => [entry.type, entry.payload])).toEqual([
      ['lead.fields_changed', { fields: ['budget', 'city'] }],
      ['lead.tags_changed', { added: ['vip', 'hot'], removed: [] }],
      ['lead.tags_changed', { added: [], removed: ['vip'] }],
    ]);
    expect((await w.store.leads.get(w.tenant.id, w.lead.id))?.fields).toEqual({ budget: 5000, city: 'São Paulo' });
  });

  it('rejects bad fields naming them, and writes nothing', async () => {
    const w = await world();
    const error = await w.conversation
      .updateFields({ tenant: w.tenant, leadId: w.lead.id, fields: { notes: 'x'.repeat(3000) } })
      .catch((caught: unknown) => caught);
    expect(ValidationError.isInstance(error) && error.fieldErrors[0]?.field).toBe('fields.notes');
    expect(w.store.dump().outbox).toEqual([]);
  });

  it('updateLead renames and changes fields and tags in one write, one CRM entry per change', async () => {
    const w = await world();
    const updated = await w.conversation.updateLead({
      tenant: w.tenant,
      leadId: w.lead.id,
      name: ' Ana Maria Souza ',
      fields: { budget: 5000 },
      tags: { add: ['vip'] },
    });
    expect(updated).toMatchObject({ name: 'Ana Maria Souza', fields: { budget: 5000 }, tags: ['vip'], version: w.lead.version + 1 });
    expect(w.store.dump().outbox.map((entry) => entry.type)).toEqual(['lead.name_changed', 'lead.fields_changed', 'lead.tags_changed']);
    const again = await w.conversation.updateLead({
      tenant: w.tenant,
      leadId: w.lead.id,
      name: 'Ana Maria Souza',
      fields: { budget: 5000 },
    });
    expect(again.version).toBe(updated.version);
    expect(w.store.dump().outbox).toHaveLength(3);
  });

  it('updateLead validates every part first: one bad part writes nothing', async () => {
    const w = await world();
    const error = await w.conversation
      .updateLead({ tenant: w.tenant, leadId: w.lead.id, name: 'Ana', tags: { add: ['ok', ''] } })
      .catch((caught: unknown) => caught);
    expect(ValidationError.isInstance(error) && error.fieldErrors[0]?.field).toBe('tags.add.1');
    expect(w.store.dump().outbox).toEqual([]);
    expect((await w.store.leads.get(w.tenant.id, w.lead.id))?.name).toBe(w.lead.name);
  });

  it('naming a nameless lead writes its CRM entry; linking a WhatsApp alias alone does not', async () => {
    const w = await world({ lead: { name: null } });
    await w.conversation.findOrCreateLead({ tenant: w.tenant, from: '+55 11 98765-4321', whatsappLid: '999' });
    await w.conversation.findOrCreateLead({ tenant: w.tenant, from: '+55 11 98765-4321', name: 'Ana' });
    expect(w.store.dump().outbox.map((entry) => entry.type)).toEqual(['lead.name_changed']);
  });

  it('findOrCreateLead finds by phone and creates otherwise', async () => {
    const w = await world();
    expect(await w.conversation.findOrCreateLead({ tenant: w.tenant, from: '+55 11 98765-4321' })).toMatchObject({
      created: false,
      lead: { id: w.lead.id },
    });
    const created = await w.conversation.findOrCreateLead({ tenant: w.tenant, from: '11 91234-5678', name: 'Carla' });
    expect(created).toMatchObject({ created: true, lead: { name: 'Carla' } });
    expect(created.lead.phone.e164).toBe('+5511912345678');
  });
});
