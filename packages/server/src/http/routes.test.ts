import { describe, expect, it } from 'vitest';
import { billingItem, bookableStart, seedThroughApi } from './__fixtures__/api-scenario.js';
import { call, createTestWorld, type IdJson, type ItemsJson, type ProblemJson } from './__fixtures__/test-context.js';

describe('leads', () => {
  it('creates a lead by phone (201), finds it again by another writing of the number (200), reads and lists it', async () => {
    const w = await createTestWorld();
    const key = w.acme.key;
    const created = await call<IdJson>(w.app, { method: 'POST', url: '/v1/leads', key, body: { phone: '(11) 98765-4321', name: 'Ana' } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ phone: '+5511987654321', name: 'Ana', stage: 'new', automation: 'active' });
    expect(created.body).not.toHaveProperty('tenantId');
    const again = await call<IdJson>(w.app, { method: 'POST', url: '/v1/leads', key, body: { phone: '+55 11 8765-4321' } });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(created.body.id);
    const read = await call(w.app, { method: 'GET', url: `/v1/leads/${created.body.id}`, key });
    expect(read.body).toMatchObject({ id: created.body.id, createdAt: '2026-03-02T12:00:00.000Z' });
    const listed = await call<ItemsJson>(w.app, { method: 'GET', url: '/v1/leads?stage=new', key });
    expect(listed.body.items.map((lead) => lead.id)).toEqual([created.body.id]);
  });

  it('pages leads with a cursor', async () => {
    const w = await createTestWorld();
    const key = w.acme.key;
    for (const phone of ['+5511987650001', '+5511987650002', '+5511987650003']) {
      await call(w.app, { method: 'POST', url: '/v1/leads', key, body: { phone } });
      await w.clock.advance(1000);
    }
    const first = await call<ItemsJson<{ phone: string }>>(w.app, { method: 'GET', url: '/v1/leads?limit=2', key });
    expect(first.body.items.map((lead) => lead.phone)).toEqual(['+5511987650003', '+5511987650002']);
    const second = await call<ItemsJson<{ phone: string }>>(w.app, {
      method: 'GET',
      url: `/v1/leads?limit=2&cursor=${first.body.nextCursor ?? ''}`,
      key,
    });
    expect(second.body).toEqual({ items: [expect.objectContaining({ phone: '+5511987650001' })], nextCursor: null });
  });

  it('patches name, fields and tags at once', async () => {
    const w = await createTestWorld();
    const { leadId } = await seedThroughApi(w, w.acme);
    const patched = await call(w.app, {
      method: 'PATCH',
      url: `/v1/leads/${leadId}`,
      key: w.acme.key,
      body: { name: 'Ana Maria', fields: { budget: 5000 }, tags: { add: ['vip'] } },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ name: 'Ana Maria', fields: { budget: 5000 }, tags: ['vip'] });
    expect(w.store.dump().outbox.map((entry) => entry.type)).toEqual(
      expect.arrayContaining(['lead.name_changed', 'lead.fields_changed', 'lead.tags_changed']),
    );
  });
});

describe('conversation and lifecycle', () => {
  it('records outbound then inbound messages; an inbound re-delivery is a 200 duplicate; the inbound cancels the re-engagement', async () => {
    const w = await createTestWorld();
    const key = w.acme.key;
    const lead = await call<IdJson>(w.app, { method: 'POST', url: '/v1/leads', key, body: { phone: '+5511987654321' } });
    const url = `/v1/leads/${lead.body.id}/messages`;
    const outbound = await call(w.app, { method: 'POST', url, key, body: { direction: 'outbound', body: 'Oi!' } });
    expect(outbound).toMatchObject({ status: 201, body: { outcome: 'recorded', message: { direction: 'outbound', status: 'sent' } } });
    const pending = await call<ItemsJson<{ kind: string }>>(w.app, {
      method: 'GET',
      url: `/v1/leads/${lead.body.id}/scheduled-messages?status=pending`,
      key,
    });
    expect(pending.body.items.map((row) => row.kind)).toEqual(['reengage_1']);
    await w.clock.advance(60_000);
    const inbound = { direction: 'inbound', body: 'Quanto custa?', providerMessageId: 'wamid-1' };
    expect((await call(w.app, { method: 'POST', url, key, body: inbound })).status).toBe(201);
    const again = await call(w.app, { method: 'POST', url, key, body: inbound });
    expect(again).toMatchObject({ status: 200, body: { outcome: 'duplicate' } });
    const after = await call<ItemsJson<{ kind: string; status: string }>>(w.app, {
      method: 'GET',
      url: `/v1/leads/${lead.body.id}/scheduled-messages`,
      key,
    });
    expect(after.body.items.map((row) => [row.kind, row.status])).toEqual([['reengage_1', 'cancelled']]);
    const messages = await call<ItemsJson<{ body: string }>>(w.app, { method: 'GET', url, key });
    expect(messages.body.items.map((message) => message.body)).toEqual(['Oi!', 'Quanto custa?']);
  });

  it('pages messages newest page first, without losing messages that share an instant', async () => {
    const w = await createTestWorld();
    const key = w.acme.key;
    const lead = await call<IdJson>(w.app, { method: 'POST', url: '/v1/leads', key, body: { phone: '+5511987654321' } });
    const url = `/v1/leads/${lead.body.id}/messages`;
    for (const text of ['m1', 'm2', 'm3', 'm4', 'm5'])
      await call(w.app, { method: 'POST', url, key, body: { direction: 'outbound', body: text } });
    const seen: string[][] = [];
    let cursor: string | null | undefined;
    do {
      const page: { body: ItemsJson<{ body: string }> } = await call<ItemsJson<{ body: string }>>(w.app, {
        method: 'GET',
        url: `${url}?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        key,
      });
      seen.push(page.body.items.map((message) => message.body));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual([['m4', 'm5'], ['m2', 'm3'], ['m1']]);
  });

  it('stage, handoff, resume and opt-out', async () => {
    const w = await createTestWorld();
    const key = w.acme.key;
    const lead = await call<IdJson>(w.app, { method: 'POST', url: '/v1/leads', key, body: { phone: '+5511987654321', name: 'Ana' } });
    const base = `/v1/leads/${lead.body.id}`;
    expect((await call(w.app, { method: 'POST', url: `${base}/stage`, key, body: { stage: 'qualifying' } })).body).toMatchObject({
      stage: 'qualifying',
    });
    const handoff = await call<{ note: { text: string } }>(w.app, {
      method: 'POST',
      url: `${base}/handoff`,
      key,
      body: { reason: 'pediu um humano' },
    });
    expect(handoff.body).toMatchObject({ lead: { automation: 'paused_handoff', stage: 'human_handoff' }, alreadyHandedOff: false });
    expect(handoff.body.note.text).toContain('pediu um humano');
    const resumed = await call(w.app, { method: 'POST', url: `${base}/resume`, key });
    expect(resumed.body).toMatchObject({ resumed: true, lead: { automation: 'active', stage: 'qualifying' } });
    const optedOut = await call(w.app, { method: 'POST', url: `${base}/opt-out`, key });
    expect(optedOut.body).toMatchObject({ optedOut: true, automation: 'stopped' });
    expect(w.store.dump().outbox.some((entry) => entry.type === 'lead.note_added')).toBe(true);
  });
});

describe('slots and appointments', () => {
  it('finds slots, books, reads, lists, reschedules and cancels', async () => {
    const w = await createTestWorld();
    const key = w.acme.key;
    const lead = await call<IdJson>(w.app, { method: 'POST', url: '/v1/leads', key, body: { phone: '+5511987654321' } });
    const slots = await call<ItemsJson<{ start: string; localLabel: string }>>(w.app, {
      method: 'GET',
      url: `/v1/slots?leadId=${lead.body.id}&limit=3`,
      key,
    });
    expect(slots.status).toBe(200);
    expect(slots.body.items).toHaveLength(3);
    expect(slots.body.items[0]?.start).toBe('2026-03-02T14:00:00.000Z');
    const booked = await call<{ appointment: IdJson }>(w.app, {
      method: 'POST',
      url: `/v1/leads/${lead.body.id}/appointments`,
      key,
      body: { start: bookableStart },
    });
    expect(booked).toMatchObject({ status: 201, body: { created: true, appointment: { start: bookableStart, status: 'scheduled' } } });
    const appointmentId = booked.body.appointment.id;
    expect((await call(w.app, { method: 'GET', url: `/v1/appointments/${appointmentId}`, key })).body).toMatchObject({ id: appointmentId });
    const taken = await call<ProblemJson>(w.app, {
      method: 'POST',
      url: `/v1/leads/${lead.body.id}/appointments`,
      key,
      body: { start: bookableStart },
    });
    expect(taken.status).toBe(409);
    expect(taken.body.code).toBe('slot_unavailable');
    expect(taken.body.alternatives?.length).toBeGreaterThan(0);
    const moved = await call<{ appointment: IdJson }>(w.app, {
      method: 'POST',
      url: `/v1/appointments/${appointmentId}/reschedule`,
      key,
      body: { start: '2026-03-03T15:00:00Z' },
    });
    expect(moved).toMatchObject({
      status: 200,
      body: { previous: { id: appointmentId, status: 'cancelled' }, appointment: { status: 'scheduled' } },
    });
    const cancelled = await call(w.app, { method: 'POST', url: `/v1/appointments/${moved.body.appointment.id}/cancel`, key });
    expect(cancelled.body).toMatchObject({ appointment: { status: 'cancelled' } });
    const listed = await call<ItemsJson<{ status: string }>>(w.app, { method: 'GET', url: `/v1/leads/${lead.body.id}/appointments`, key });
    expect(listed.body.items.map((appointment) => appointment.status)).toEqual(['cancelled', 'cancelled']);
  });
});

describe('billing', () => {
  it('dry-runs a batch (nothing written), applies the plan by hash, pays and cancels cycles, lists them', async () => {
    const w = await createTestWorld();
    const key = w.acme.key;
    const items = [billingItem('INV-1'), billingItem('INV-2', '+55 11 91234-0000'), { externalBillingId: 'INV-3', amount: 'lots' }];
    const dry = await call<{ planHash: string; summary: Record<string, number>; items: { status: string; messages: unknown[] }[] }>(w.app, {
      method: 'POST',
      url: '/v1/billing/imports',
      key,
      body: { items, dryRun: true },
    });
    expect(dry.status).toBe(200);
    expect(dry.body.summary).toMatchObject({ created: 2, invalid: 1 });
    expect(dry.body.items[0]?.messages.length).toBeGreaterThan(0);
    expect(w.store.dump().billingCycles).toEqual([]);
    const applied = await call<{ items: { billingCycleId: string }[] }>(w.app, {
      method: 'POST',
      url: `/v1/billing/plans/${dry.body.planHash}/apply`,
      key,
      body: { items },
    });
    expect(applied.status).toBe(201);
    const [first, second] = applied.body.items;
    if (first === undefined || second === undefined) throw new Error(`expected two applied items, got ${applied.body.items.length}`);
    expect(w.store.dump().billingCycles).toHaveLength(2);
    const paid = await call(w.app, { method: 'POST', url: `/v1/billing/cycles/${first.billingCycleId}/pay`, key });
    expect(paid.body).toMatchObject({ status: 'paid' });
    const cancelled = await call(w.app, { method: 'POST', url: `/v1/billing/cycles/${second.billingCycleId}/cancel`, key });
    expect(cancelled.body).toMatchObject({ status: 'cancelled' });
    const again = await call<ProblemJson>(w.app, { method: 'POST', url: `/v1/billing/cycles/${second.billingCycleId}/cancel`, key });
    expect(again.body).toMatchObject({ status: 409, code: 'conflict' });
    const listed = await call<ItemsJson<{ id: string; status: string }>>(w.app, {
      method: 'GET',
      url: '/v1/billing/cycles?status=paid',
      key,
    });
    expect(listed.body.items.map((cycle) => cycle.id)).toEqual([first.billingCycleId]);
    expect((await call(w.app, { method: 'GET', url: `/v1/billing/cycles/${first.billingCycleId}`, key })).status).toBe(200);
  });

  it('a changed batch does not apply a stale plan', async () => {
    const w = await createTestWorld();
    const key = w.acme.key;
    const dry = await call<{ planHash: string }>(w.app, {
      method: 'POST',
      url: '/v1/billing/imports',
      key,
      body: { items: [billingItem('INV-1')], dryRun: true },
    });
    const stale = await call<ProblemJson>(w.app, {
      method: 'POST',
      url: `/v1/billing/plans/${dry.body.planHash}/apply`,
      key,
      body: { items: [billingItem('INV-9')] },
    });
    expect(stale.status).toBe(409);
    expect(w.store.dump().billingCycles).toEqual([]);
  });

  it('opts a contact out by phone', async () => {
    const w = await createTestWorld();
    const optedOut = await call(w.app, {
      method: 'POST',
      url: '/v1/billing/contacts/opt-out',
      key: w.acme.key,
      body: { phone: '+55 11 91234-5678' },
    });
    expect(optedOut).toMatchObject({ status: 200, body: { phone: '+5511912345678', optedOut: true } });
  });
});

describe('scheduled messages, alerts and templates', () => {
  it('explains a scheduled message in words and as the stored JSON', async () => {
    const w = await createTestWorld();
    const { scheduledMessageId } = await seedThroughApi(w, w.acme);
    const explained = await call<{ text: string; explanation: { rule: string } }>(w.app, {
      method: 'GET',
      url: `/v1/scheduled-messages/${scheduledMessageId}/explain`,
      key: w.acme.key,
    });
    expect(explained.status).toBe(200);
    expect(explained.body.explanation.rule).toMatch(/^4\./);
    expect(explained.body.text).toContain('America/Sao_Paulo');
    expect(explained.body.text).toContain(`Rule ${explained.body.explanation.rule}`);
  });

  it('lists open alerts of the tenant only', async () => {
    const w = await createTestWorld();
    const now = w.clock.now();
    const alert = { kind: 'channel_down', key: 'default', severity: 'critical', message: 'down', details: {}, now } as const;
    await w.store.alerts.raise({ ...alert, tenantId: w.acme.tenant.id });
    await w.store.alerts.raise({ ...alert, tenantId: w.globex.tenant.id });
    await w.store.alerts.raise({ ...alert, tenantId: null, kind: 'process', severity: 'warning' });
    const alerts = await call<ItemsJson<{ kind: string }>>(w.app, { method: 'GET', url: '/v1/alerts', key: w.acme.key });
    expect(alerts.body.items.map((alert) => alert.kind)).toEqual(['channel_down']);
  });

  it('saves and lists templates; a template with a variable its kind cannot fill is refused', async () => {
    const w = await createTestWorld();
    const key = w.acme.key;
    const saved = await call(w.app, {
      method: 'PUT',
      url: '/v1/templates/reengage_1/pt-BR',
      key,
      body: { variations: [{ id: 'a', body: 'Oi {{leadName}}, ainda por aí?' }], variables: ['leadName'] },
    });
    expect(saved).toMatchObject({ status: 200, body: { key: 'reengage_1', locale: 'pt-BR', version: 0 } });
    const refused = await call<ProblemJson>(w.app, {
      method: 'PUT',
      url: '/v1/templates/reengage_2/pt-BR',
      key,
      body: { variations: [{ id: 'a', body: 'Boleto {{amount}}' }], variables: ['amount'] },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.errors?.[0]?.field).toMatch(/^body\./);
    const listed = await call<ItemsJson<{ key: string }>>(w.app, { method: 'GET', url: '/v1/templates', key });
    expect(listed.body.items.map((template) => template.key)).toEqual(['reengage_1']);
  });
});
