/**
 * The inbox worker on a real database: what each Evolution event does to the store, once however
 * often it arrives or is applied, in order per lead.
 */
import { buildConnectionUpdate, buildMessagesUpdate, buildMessagesUpsert } from '@sdr/adapter-evolution/testing';
import type { DomainEventMap } from '@sdr/core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDriver } from '../database/__fixtures__/test-database.js';
import { createWebhookService, type WebhookService } from '../webhooks/webhook-service.js';
import { createEvolutionWorld, type EvolutionWorld } from './__fixtures__/evolution-world.js';

describeEachDriver('Evolution inbox worker', (database) => {
  let world: EvolutionWorld;
  let tenantId: string;
  // Alerts reach the channels through the bus and `alert.*` webhook deliveries through its transactional sink.
  let webhooks: WebhookService;
  const announced: { readonly name: string; readonly kind: string; readonly key: string }[] = [];
  beforeAll(async () => {
    world = await createEvolutionWorld(database());
    tenantId = world.acme.tenant.id;
    webhooks = createWebhookService({ database: database().database, events: world.context.events, clock: world.clock });
    const announce = (name: string) => (event: DomainEventMap['alert.resolved']) =>
      announced.push({ name, kind: event.kind, key: event.key });
    world.context.events.on('alert.raised', announce('alert.raised'));
    world.context.events.on('alert.resolved', announce('alert.resolved'));
  });
  afterAll(() => webhooks.close());

  const leadsOf = (phone: string) =>
    database().sql<{ id: string; whatsapp_lid: string | null; automation: string; name: string | null }>(
      'SELECT id, whatsapp_lid, automation, name FROM sdr.leads WHERE tenant_id = $1 AND phone = $2',
      [tenantId, phone],
    );
  const messagesOf = (leadId: string) =>
    database().sql<{ body: string; direction: string; provider_message_id: string }>(
      'SELECT body, direction, provider_message_id FROM sdr.messages WHERE tenant_id = $1 AND lead_id = $2 ORDER BY position',
      [tenantId, leadId],
    );
  const inboxRow = async (dedupeKey: string) =>
    (
      await database().sql<{ status: string; outcome: string | null; last_error: string | null; attempts: number }>(
        'SELECT status, outcome, last_error, attempts FROM sdr_server.evolution_inbox WHERE tenant_id = $1 AND dedupe_key = $2',
        [tenantId, dedupeKey],
      )
    )[0];
  const deliver = async (body: unknown) => {
    const answer = await world.deliver(tenantId, body);
    expect(answer.status, answer.text).toBe(200);
  };

  it('the same upsert delivered 10 times is one message of one lead', async () => {
    const body = buildMessagesUpsert({
      remoteJid: '5511987650001@s.whatsapp.net',
      id: 'TEN-1',
      text: 'Quero saber o preço',
      pushName: 'Ana',
    });
    for (let delivery = 0; delivery < 10; delivery += 1) await deliver(body);
    expect(await world.drain()).toBe(1);
    const leads = await leadsOf('+5511987650001');
    expect(leads).toMatchObject([{ name: 'Ana' }]);
    expect(await messagesOf(leads[0]?.id ?? '')).toEqual([
      { body: 'Quero saber o preço', direction: 'inbound', provider_message_id: 'TEN-1' },
    ]);
    expect(await inboxRow('TEN-1')).toMatchObject({ status: 'done', outcome: 'recorded' });
  });

  it('an event applied again after a worker died before settling it changes nothing', async () => {
    await deliver(buildMessagesUpsert({ remoteJid: '5511987650002@s.whatsapp.net', id: 'CRASH-1', text: 'Oi' }));
    const [claimed] = await world.inbox.claim({ workerId: 'dead-worker', now: world.clock.now(), leaseMs: 60_000, limit: 10 });
    expect(claimed).toBeDefined();
    const { applyEvolutionEvent } = await import('./apply-evolution-event.js');
    // The dead worker applied it, then died: its claim holds the event until the lease expires.
    await applyEvolutionEvent(claimed!, {
      store: world.context.store,
      conversation: world.context.services.conversation,
      handoff: world.context.services.handoff,
      delivery: world.ingest.delivery,
      settingsFor: world.ingest.settingsFor,
      clock: world.clock,
      logger: { debug() {}, info() {}, warn() {}, error() {} },
    });
    expect(await world.drain()).toBe(0);
    await world.base.advance(61_000);
    expect(await world.drain()).toBe(1);
    const leads = await leadsOf('+5511987650002');
    expect(await messagesOf(leads[0]?.id ?? '')).toHaveLength(1);
    expect(await inboxRow('CRASH-1')).toMatchObject({ status: 'done', outcome: 'duplicate' });
  });

  it('an @lid sender with its phone in senderPn, and a number without the 9th digit, are the lead of the phone', async () => {
    await deliver(buildMessagesUpsert({ remoteJid: '5511987650003@s.whatsapp.net', id: 'ID-1', text: 'um' }));
    await world.drain();
    await deliver(
      buildMessagesUpsert({ remoteJid: '207000000000001@lid', senderPn: '5511987650003@s.whatsapp.net', id: 'ID-2', text: 'dois' }),
    );
    await deliver(buildMessagesUpsert({ remoteJid: '551187650003@s.whatsapp.net', id: 'ID-3', text: 'três' }));
    await world.drain();
    // Once linked, the alias alone finds the lead.
    await deliver(buildMessagesUpsert({ remoteJid: '207000000000001@lid', id: 'ID-4', text: 'quatro' }));
    await world.drain();
    const leads = await leadsOf('+5511987650003');
    expect(leads).toHaveLength(1);
    expect(leads[0]?.whatsapp_lid).toBe('207000000000001');
    expect((await messagesOf(leads[0]?.id ?? '')).map((message) => message.body)).toEqual(['um', 'dois', 'três', 'quatro']);
  });

  it('hands out one event per lead at a time, in arrival order', async () => {
    for (const [index, phone] of ['5511987650004', '5511987650004', '5511987650004', '5511987650005'].entries()) {
      await deliver(buildMessagesUpsert({ remoteJid: `${phone}@s.whatsapp.net`, id: `ORDER-${index}`, text: `m${index}` }));
    }
    const now = world.clock.now();
    const first = await world.inbox.claim({ workerId: 'a', now, leaseMs: 60_000, limit: 10 });
    const second = await world.inbox.claim({ workerId: 'b', now, leaseMs: 60_000, limit: 10 });
    expect(first).toHaveLength(2);
    expect(second).toEqual([]);
    for (const event of first) await world.inbox.retry({ id: event.id, workerId: 'a', at: now, error: null, countAttempt: false });
    await world.drain();
    const leads = await leadsOf('+5511987650004');
    expect((await messagesOf(leads[0]?.id ?? '')).map((message) => message.body)).toEqual(['m0', 'm1', 'm2']);
  });

  it('a permanent failure is kept as dead with its error, and the lead’s next event goes on', async () => {
    await deliver(buildMessagesUpsert({ remoteJid: '209999999999999@lid', id: 'DEAD-1', text: 'sem telefone' }));
    await deliver(buildMessagesUpsert({ remoteJid: '209999999999999@lid', senderPn: '5511987650006@s.whatsapp.net', id: 'DEAD-2' }));
    await world.drain();
    expect(await inboxRow('DEAD-1')).toMatchObject({ status: 'dead', attempts: 1 });
    expect((await inboxRow('DEAD-1'))?.last_error).toContain('@lid');
    expect(await inboxRow('DEAD-2')).toMatchObject({ status: 'done', outcome: 'recorded' });
  });

  it('stores delivery states without going backwards', async () => {
    await deliver(buildMessagesUpdate({ keyId: 'SENT-1', status: 'SERVER_ACK' }));
    await deliver(buildMessagesUpdate({ keyId: 'SENT-1', status: 'READ' }));
    await deliver(buildMessagesUpdate({ keyId: 'SENT-1', status: 'DELIVERY_ACK' }));
    await world.drain();
    expect(await world.ingest.delivery.status(tenantId, 'SENT-1')).toMatchObject({ status: 'read' });
    await deliver(buildMessagesUpdate({ keyId: 'SENT-1', status: 'PLAYED' }));
    await world.drain();
    expect(await world.ingest.delivery.status(tenantId, 'SENT-1')).toMatchObject({ status: 'played' });
    expect(await inboxRow('SENT-1:delivered')).toMatchObject({ status: 'done', outcome: 'status_late' });
  });

  it('a connection that is not open makes the channel report the instance down until it opens again', async () => {
    const gated = world.ingest.gateMessaging(world.sandboxFor(world.acme.tenant.id).messaging);
    const instance = world.acme.tenant.messaging.instance;
    expect((await gated.health({ instance })).status).toBe('up');
    await deliver(buildConnectionUpdate({ instance, state: 'close', statusReason: 428 }));
    await world.drain();
    const down = await gated.health({ instance });
    expect(down.status).toBe('down');
    expect(down.detail).toContain('close');
    await deliver(buildConnectionUpdate({ instance, state: 'open' }));
    await world.drain();
    expect((await gated.health({ instance })).status).toBe('up');
  });

  it('raises channel_down once a connection stays closed for 30 minutes, and resolves it when it opens', async () => {
    const instance = world.globex.tenant.messaging.instance;
    const globex = world.globex.tenant.id;
    const open = async () => world.context.store.alerts.listOpen({ tenantId: globex });
    const endpoint = await webhooks.createEndpoint(globex, {
      url: 'https://receiver.example.test/alerts',
      events: ['alert.raised', 'alert.resolved'],
    });
    const deliveries = async () =>
      (await webhooks.listDeliveries(globex, { endpointId: endpoint.id, limit: 10 })).map((delivery) => delivery.eventType).sort();
    announced.length = 0;
    expect((await world.deliver(globex, buildConnectionUpdate({ instance, state: 'connecting' }))).status).toBe(200);
    await world.drain();
    await world.base.advance(29 * 60_000);
    expect(await world.worker.checkChannels()).toBe(0);
    expect(await open()).toEqual([]);
    await world.base.advance(2 * 60_000);
    expect(await world.worker.checkChannels()).toBe(1);
    expect(await open()).toEqual([expect.objectContaining({ kind: 'channel_down', key: instance, severity: 'critical' })]);
    expect(announced).toEqual([{ name: 'alert.raised', kind: 'channel_down', key: instance }]);
    expect(await deliveries()).toEqual(['alert.raised']);
    // Still closed a minute later: the open alert is refreshed, not announced again.
    await world.base.advance(60_000);
    expect(await world.worker.checkChannels()).toBe(1);
    expect(announced).toHaveLength(1);
    expect((await world.deliver(globex, buildConnectionUpdate({ instance, state: 'open' }))).status).toBe(200);
    await world.drain();
    expect(await open()).toEqual([]);
    expect(announced).toEqual([
      { name: 'alert.raised', kind: 'channel_down', key: instance },
      { name: 'alert.resolved', kind: 'channel_down', key: instance },
    ]);
    expect(await deliveries()).toEqual(['alert.raised', 'alert.resolved']);
  });

  it('the echo of our own send is ignored', async () => {
    const found = await world.context.services.conversation.findOrCreateLead({ tenant: world.acme.tenant, from: '+5511987650007' });
    await world.context.services.conversation.recordOutbound({
      tenant: world.acme.tenant,
      leadId: found.lead.id,
      body: 'Oi, tudo bem?',
      providerMessageId: 'OURS-1',
    });
    await deliver(buildMessagesUpsert({ remoteJid: '5511987650007@s.whatsapp.net', fromMe: true, id: 'OURS-1', text: 'Oi, tudo bem?' }));
    await world.drain();
    expect(await inboxRow('OURS-1')).toMatchObject({ status: 'done', outcome: 'echo' });
    expect(await messagesOf(found.lead.id)).toHaveLength(1);
    expect((await leadsOf('+5511987650007'))[0]?.automation).toBe('active');
  });

  it('a message typed on the business phone is recorded as outbound and pauses the lead’s automation', async () => {
    await deliver(buildMessagesUpsert({ remoteJid: '5511987650008@s.whatsapp.net', id: 'LEAD-8', text: 'Posso falar com alguém?' }));
    await world.drain();
    await deliver(
      buildMessagesUpsert({ remoteJid: '5511987650008@s.whatsapp.net', fromMe: true, id: 'PHONE-8', text: 'Claro, aqui é a Bia' }),
    );
    // Our own send may not be recorded yet: an unknown id waits before it is taken for a person's.
    await world.drain();
    expect(await inboxRow('PHONE-8')).toMatchObject({ status: 'pending', attempts: 0 });
    await world.base.advance(16_000);
    await world.drain();
    expect(await inboxRow('PHONE-8')).toMatchObject({ status: 'done', outcome: 'human_outbound_paused' });
    const [lead] = await leadsOf('+5511987650008');
    expect(lead?.automation).toBe('paused_handoff');
    expect((await messagesOf(lead?.id ?? '')).map((message) => [message.direction, message.body])).toEqual([
      ['inbound', 'Posso falar com alguém?'],
      ['outbound', 'Claro, aqui é a Bia'],
    ]);
  });
});
