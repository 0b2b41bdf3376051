import { describe, expect, it } from 'vitest';
import { billingHarness, billingItem, officeHours } from './__fixtures__/billing-harness.js';

async function setup(items = [billingItem({ customer: { name: 'Ana', phone: '(11) 98765-4321' } })]) {
  const h = await billingHarness({ config: { messaging: { instance: 'cobranca' } } });
  const result = await h.billing.importBatch({ tenantId: h.tenant.id, items });
  const messages = h.store.dump().scheduledMessages;
  return { ...h, result, messages, context: () => ({ now: h.clock.now(), tenant: h.tenant, store: h.store }) };
}

describe('billing dispatch handler', () => {
  it('serves billing_step and sends the rendered step to the contact through the tenant instance, respecting business hours', async () => {
    const h = await setup();
    expect(h.handler.kinds).toEqual(['billing_step']);
    const decision = await h.handler.prepare(h.messages[1]!, h.context());
    expect(decision).toMatchObject({
      action: 'send',
      text: 'Olá Ana, lembrete: sua fatura de R$ 1.234,56 vence em 10/03/2026.',
      instance: 'cobranca',
      businessHours: 'respect',
    });
    expect(decision.action === 'send' && decision.to.e164).toBe('+5511987654321');
  });

  it('sends the variation planned at import, and another active one once it was deactivated', async () => {
    const h = await billingHarness();
    const variations = ['a', 'b', 'c'].map((id) => ({ id, body: `${id}: {{customerName}}, {{amount}}` }));
    await h.templates.save({
      tenantId: h.tenant.id,
      key: 'billing_d0',
      locale: 'pt-BR',
      variations,
      variables: ['customerName', 'amount'],
    });
    const result = await h.billing.importBatch({ tenantId: h.tenant.id, items: [billingItem()] });
    const planned = result.items[0]!.messages[1]!;
    const message = h.store.dump().scheduledMessages[1]!;
    const context = { now: h.clock.now(), tenant: h.tenant, store: h.store };
    expect(await h.handler.prepare(message, context)).toMatchObject({ action: 'send', text: planned.text });

    const stored = await h.store.templates.get(h.tenant.id, 'billing_d0', 'pt-BR');
    await h.templates.save({
      tenantId: h.tenant.id,
      key: 'billing_d0',
      locale: 'pt-BR',
      variations: variations.map((variation) => ({ ...variation, active: variation.id !== planned.variationId })),
      variables: ['customerName', 'amount'],
      expectedVersion: stored!.version,
    });
    const after = await h.handler.prepare(message, context);
    expect(after.action === 'send' && after.text.startsWith(`${planned.variationId}:`)).toBe(false);
  });

  it('renders the amount as it is when sent, after a corrected re-import', async () => {
    const item = billingItem();
    const h = await setup([item]);
    await h.billing.importBatch({ tenantId: h.tenant.id, items: [{ ...item, amount: 5_000 }] });
    const decision = await h.handler.prepare(h.messages[0]!, h.context());
    expect(decision.action === 'send' && decision.text).toContain('R$ 50,00');
  });

  it('skips a step of a cycle that is no longer active', async () => {
    const h = await setup();
    await h.billing.markPaid({ tenantId: h.tenant.id, billingCycleId: h.result.items[0]!.billingCycleId! });
    expect(await h.handler.prepare(h.messages[0]!, h.context())).toEqual({ action: 'skip', reason: 'cycle_inactive' });
    expect(await h.handler.prepare({ ...h.messages[0]!, billingCycleId: null }, h.context())).toEqual({
      action: 'skip',
      reason: 'cycle_inactive',
    });
  });

  it('skips a step of an opted-out contact, and one whose contact is gone', async () => {
    const h = await setup();
    await h.billing.optOutContact({ tenantId: h.tenant.id, phone: '+5511987654321' });
    expect(await h.handler.prepare(h.messages[0]!, h.context())).toEqual({ action: 'skip', reason: 'opted_out' });
    const missing = { ...h.messages[0]!, contactId: '00000000-0000-4000-8000-000000000000' };
    expect(await h.handler.prepare(missing, h.context())).toEqual({ action: 'skip', reason: 'recipient_missing' });
  });

  it('completes the cycle once its last step is settled, once', async () => {
    const h = await setup();
    const billingCycleId = h.result.items[0]!.billingCycleId!;
    const status = async () => (await h.store.billingCycles.get(h.tenant.id, billingCycleId))?.status;
    await h.clock.set('2026-03-10T13:00:00Z');
    expect(await h.dispatchDue()).toMatchObject({ claimed: 2, sent: 2 });
    expect(await status()).toBe('active');
    await h.clock.set('2026-03-13T13:00:00Z');
    expect(await h.dispatchDue()).toMatchObject({ claimed: 1, sent: 1 });
    expect(await status()).toBe('completed');
    await h.handler.onSettled?.(h.messages[2]!, { status: 'sent', providerMessageId: null, text: '', at: h.clock.now() }, h.context());
    expect(h.recorded.filter((entry) => entry.name === 'billing.cycle_completed')).toEqual([
      { name: 'billing.cycle_completed', event: { tenantId: h.tenant.id, at: h.clock.now(), billingCycleId } },
    ]);
    expect(h.messaging.sent.map((sent) => sent.instance)).toEqual(['cobranca', 'cobranca', 'cobranca']);
  });

  it('through the dispatcher: a step found due after closing waits for the next opening', async () => {
    const h = await billingHarness({ config: { businessHours: officeHours, billing: { steps: [{ offsetDays: 0 }] } } });
    await h.billing.importBatch({ tenantId: h.tenant.id, items: [billingItem({ dueDate: '2026-03-02' })] });
    await h.clock.set('2026-03-02T22:00:00Z');
    expect(await h.dispatchDue()).toMatchObject({ claimed: 1, deferred: 1 });
    expect(h.store.dump().scheduledMessages[0]).toMatchObject({ status: 'pending', dueAt: new Date('2026-03-03T12:00:00Z') });
    await h.clock.set('2026-03-03T12:00:00Z');
    expect(await h.dispatchDue()).toMatchObject({ claimed: 1, sent: 1 });
    expect(h.messaging.sent[0]?.at).toEqual(new Date('2026-03-03T12:00:00Z'));
  });
});
