import { describe, expect, it } from 'vitest';
import { ConflictError, ValidationError } from '../../errors/index.js';
import { billingHarness, billingItem, billingItems, nextPhone, officeHours } from './__fixtures__/billing-harness.js';

describe('billing import: results per item', () => {
  it('creates a cycle, its contact and one scheduled message per planned step, in the tenant locale', async () => {
    const h = await billingHarness();
    const result = await h.billing.importBatch({
      tenantId: h.tenant.id,
      items: [
        billingItem({ externalBillingId: 'INV-1', customer: { name: 'Ana Souza', phone: '(11) 98765-4321', email: 'ana@example.com' } }),
      ],
    });
    expect(result.summary).toEqual({ created: 1, updated: 0, duplicate: 0, invalid: 0, messages: 3, skipped: 0 });
    const [item] = result.items;
    expect(item).toMatchObject({ index: 0, externalBillingId: 'INV-1', status: 'created', errors: [], recipient: '+55119****4321' });
    expect(item?.messages.map((message) => message.text)).toContain(
      'Olá Ana Souza, lembrete: sua fatura de R$ 1.234,56 vence em 10/03/2026.',
    );

    const dump = h.store.dump();
    expect(dump.billingCycles).toHaveLength(1);
    expect(dump.contacts).toMatchObject([{ name: 'Ana Souza', email: 'ana@example.com', optedOut: false }]);
    const cycle = dump.billingCycles[0]!;
    expect(cycle.steps.map((step) => [step.step, step.templateKey, step.status])).toEqual([
      ['D-3', 'billing_d-3', 'scheduled'],
      ['D0', 'billing_d0', 'scheduled'],
      ['D+3', 'billing_d+3', 'scheduled'],
    ]);
    expect(dump.scheduledMessages.map((message) => [message.kind, message.dedupeKey, message.contactId, message.billingCycleId])).toEqual(
      ['D-3', 'D0', 'D+3'].map((step) => ['billing_step', `billing:${cycle.id}:${step}`, cycle.contactId, cycle.id]),
    );
    expect(dump.scheduledMessages[0]?.explanation).toMatchObject({ rule: 'billing.step', step: 'D-3' });
    expect(cycle.steps.map((step) => step.scheduledMessageId)).toEqual(dump.scheduledMessages.map((message) => message.id));
    expect(h.recorded.map((entry) => entry.name)).toEqual([
      'billing.cycle_created',
      'scheduled.created',
      'scheduled.created',
      'scheduled.created',
    ]);
  });

  it('reports invalid items with field errors and imports the others', async () => {
    const h = await billingHarness();
    const result = await h.billing.importBatch({
      tenantId: h.tenant.id,
      items: [billingItem(), billingItem({ externalBillingId: 'BAD', amount: -5, customer: { name: '', phone: '123' } }), 'junk'],
    });
    expect(result.items.map((item) => item.status)).toEqual(['created', 'invalid', 'invalid']);
    expect(result.items[1]).toMatchObject({ externalBillingId: 'BAD', recipient: null, messages: [] });
    expect(result.items[1]?.errors.map((error) => error.field)).toEqual(['customer.name', 'customer.phone', 'amount']);
    expect(result.items[2]?.errors).toEqual([{ field: '', message: expect.stringMatching(/expected object/) as string }]);
    expect(h.store.dump().billingCycles).toHaveLength(1);
  });

  it('marks the second item with the same externalBillingId a duplicate, and an exact re-import too', async () => {
    const h = await billingHarness();
    const first = billingItem({ externalBillingId: 'INV-7' });
    const result = await h.billing.importBatch({ tenantId: h.tenant.id, items: [first, { ...first, amount: 1 }] });
    expect(result.items.map((item) => [item.status, item.errors[0]?.message])).toEqual([
      ['created', undefined],
      ['duplicate', 'repeats item 0 of this batch'],
    ]);
    const again = await h.billing.importBatch({ tenantId: h.tenant.id, items: [first] });
    expect(again.items[0]).toMatchObject({ status: 'duplicate', billingCycleId: result.items[0]?.billingCycleId, messages: [] });
    expect(h.store.dump().billingCycles).toHaveLength(1);
    expect(h.store.dump().scheduledMessages).toHaveLength(3);
  });

  it('lets a corrected repeat of an invalid item through', async () => {
    const h = await billingHarness();
    const result = await h.billing.importBatch({
      tenantId: h.tenant.id,
      items: [billingItem({ externalBillingId: 'INV-9', currency: 'REAL' }), billingItem({ externalBillingId: 'INV-9' })],
    });
    expect(result.items.map((item) => item.status)).toEqual(['invalid', 'created']);
  });

  it('updates an active cycle whose amount was corrected, keeping its schedule', async () => {
    const h = await billingHarness();
    const original = billingItem({ externalBillingId: 'INV-2' });
    await h.billing.importBatch({ tenantId: h.tenant.id, items: [original] });
    const before = h.store.dump();
    const result = await h.billing.importBatch({ tenantId: h.tenant.id, items: [{ ...original, amount: 99_900 }] });
    expect(result.items[0]?.status).toBe('updated');
    expect(result.items[0]?.messages.map((message) => message.text)).toContain(
      'Olá Ana Souza, lembrete: sua fatura de R$ 999,00 vence em 10/03/2026.',
    );
    const after = h.store.dump();
    expect(after.billingCycles[0]).toMatchObject({ amount: 99_900, version: 1, steps: before.billingCycles[0]?.steps });
    expect(after.scheduledMessages).toEqual(before.scheduledMessages);
    expect(result.summary).toMatchObject({ updated: 1, messages: 0 });
  });

  it('keeps an active cycle whose due date differs, and says why', async () => {
    const h = await billingHarness();
    const original = billingItem({ externalBillingId: 'INV-3' });
    await h.billing.importBatch({ tenantId: h.tenant.id, items: [original] });
    const result = await h.billing.importBatch({ tenantId: h.tenant.id, items: [{ ...original, dueDate: '2026-03-20' }] });
    expect(result.items[0]?.status).toBe('duplicate');
    expect(result.items[0]?.errors[0]).toMatchObject({ field: 'dueDate', message: expect.stringMatching(/cancel that cycle/) as string });
    expect(h.store.dump().billingCycles[0]?.dueDate).toBe('2026-03-10');
  });

  it('creates a new cycle for a charge whose earlier cycle was cancelled', async () => {
    const h = await billingHarness();
    const original = billingItem({ externalBillingId: 'INV-4' });
    const first = await h.billing.importBatch({ tenantId: h.tenant.id, items: [original] });
    await h.billing.cancel({ tenantId: h.tenant.id, billingCycleId: first.items[0]!.billingCycleId! });
    const second = await h.billing.importBatch({ tenantId: h.tenant.id, items: [original] });
    expect(second.items[0]?.status).toBe('created');
    expect(second.items[0]?.billingCycleId).not.toBe(first.items[0]?.billingCycleId);
    expect(h.store.dump().billingCycles.map((cycle) => cycle.status)).toEqual(['cancelled', 'active']);
  });
});

describe('billing import: contacts', () => {
  it('treats a phone with and without the Brazilian 9th digit as the same contact', async () => {
    const h = await billingHarness();
    const result = await h.billing.importBatch({
      tenantId: h.tenant.id,
      items: [
        billingItem({ customer: { name: 'Ana', phone: '+55 11 98765-4321' } }),
        billingItem({ customer: { name: 'Ana', phone: '(11) 8765-4321' } }),
      ],
    });
    expect(result.items.map((item) => item.status)).toEqual(['created', 'created']);
    const dump = h.store.dump();
    expect(dump.contacts).toHaveLength(1);
    expect(dump.contacts[0]?.phone.e164).toBe('+5511987654321');
    expect(new Set(dump.billingCycles.map((cycle) => cycle.contactId))).toEqual(new Set([dump.contacts[0]?.id]));
  });

  it('updates a known contact with the non-empty new values only', async () => {
    const h = await billingHarness();
    const phone = nextPhone();
    await h.billing.importBatch({
      tenantId: h.tenant.id,
      items: [billingItem({ customer: { name: 'Ana', phone, email: 'ana@old.example' } })],
    });
    await h.billing.importBatch({ tenantId: h.tenant.id, items: [billingItem({ customer: { name: 'Ana Maria', phone, email: '' } })] });
    expect(h.store.dump().contacts).toMatchObject([{ name: 'Ana Maria', email: 'ana@old.example', version: 1 }]);
  });

  it('never clears an opt-out, and skips every step of an opted-out contact', async () => {
    const h = await billingHarness();
    const phone = nextPhone();
    await h.billing.optOutContact({ tenantId: h.tenant.id, phone });
    const result = await h.billing.importBatch({ tenantId: h.tenant.id, items: [billingItem({ customer: { name: 'Bia', phone } })] });
    expect(result.items[0]?.status).toBe('created');
    expect(result.items[0]?.messages.map((message) => [message.status, message.skipReason])).toEqual([
      ['skipped', 'opted_out'],
      ['skipped', 'opted_out'],
      ['skipped', 'opted_out'],
    ]);
    expect(result.summary).toMatchObject({ messages: 0, skipped: 3 });
    const dump = h.store.dump();
    expect(dump.contacts).toMatchObject([{ name: 'Bia', optedOut: true }]);
    expect(dump.scheduledMessages).toHaveLength(0);
  });

  it('opts out a known contact by id, idempotently', async () => {
    const h = await billingHarness();
    await h.billing.importBatch({ tenantId: h.tenant.id, items: [billingItem()] });
    const contactId = h.store.dump().contacts[0]!.id;
    const optedOutAt = h.clock.now();
    const first = await h.billing.optOutContact({ tenantId: h.tenant.id, contactId });
    await h.clock.advance(60_000);
    const second = await h.billing.optOutContact({ tenantId: h.tenant.id, contactId });
    expect(first).toMatchObject({ optedOut: true, optedOutAt, version: 1 });
    expect(second).toEqual(first);
  });
});

describe('billing import: batches and chunks', () => {
  it('rejects a batch of 1001 items whole, writing nothing', async () => {
    const h = await billingHarness();
    const attempt = h.billing.importBatch({ tenantId: h.tenant.id, items: billingItems(1001) });
    await expect(attempt).rejects.toSatisfy((error) => ValidationError.isInstance(error));
    await expect(attempt).rejects.toThrow(/items: has 1001 items; a batch holds at most 1000/);
    expect(h.store.dump().billingCycles).toHaveLength(0);
    expect(h.store.dump().contacts).toHaveLength(0);
  });

  it('imports a batch of exactly 1000 items in ten transactions of 100', async () => {
    const h = await billingHarness();
    let transactions = 0;
    const transaction = h.store.transaction.bind(h.store);
    const store = { ...h.store, transaction: <T>(fn: Parameters<typeof transaction<T>>[0]) => ((transactions += 1), transaction(fn)) };
    const { createBillingService } = await import('./billing-service.js');
    const billing = createBillingService({ store, clock: h.clock, lock: h.lock });
    const result = await billing.importBatch({ tenantId: h.tenant.id, items: billingItems(1000) });
    expect(result.summary).toEqual({ created: 1000, updated: 0, duplicate: 0, invalid: 0, messages: 3000, skipped: 0 });
    expect(transactions).toBe(10);
    expect(h.store.dump().scheduledMessages).toHaveLength(3000);
  }, 60_000);

  it('falls back to the generic template, and uses the tenant step template once saved', async () => {
    const h = await billingHarness();
    await h.templates.save({
      tenantId: h.tenant.id,
      key: 'billing_d0',
      locale: 'pt-BR',
      variations: [{ id: 'due-today', body: 'Hoje vence {{amount}}, {{customerName}}.' }],
      variables: ['amount', 'customerName'],
    });
    const result = await h.billing.importBatch({ tenantId: h.tenant.id, items: [billingItem()], dryRun: true });
    expect(result.items[0]?.messages.map((message) => [message.step, message.templateKey, message.variationId])).toEqual([
      ['D-3', 'billing_step', 'default'],
      ['D0', 'billing_d0', 'due-today'],
      ['D+3', 'billing_step', 'default'],
    ]);
    expect(result.items[0]?.messages[1]?.text).toBe('Hoje vence R$ 1.234,56, Ana Souza.');
  });

  it('honours the tenant steps, send time and business hours', async () => {
    const h = await billingHarness({
      config: { businessHours: officeHours, billing: { steps: [{ offsetDays: -1, templateKey: 'billing_lembrete' }], sendTime: '08:00' } },
    });
    const result = await h.billing.importBatch({ tenantId: h.tenant.id, items: [billingItem()], dryRun: true });
    expect(result.items[0]?.messages.map((message) => [message.step, message.templateKey, message.sendAt.toISOString()])).toEqual([
      ['D-1', 'billing_step', '2026-03-09T12:00:00.000Z'],
    ]);
  });
});

describe('billing import: dry run and plan hash', () => {
  it('writes nothing on a dry run, and shows what the import then writes', async () => {
    const h = await billingHarness();
    const items = [billingItem(), billingItem({ externalBillingId: 'X', amount: 1.5 })];
    const dryRun = await h.billing.importBatch({ tenantId: h.tenant.id, items, dryRun: true });
    expect(h.store.dump()).toMatchObject({ billingCycles: [], contacts: [], scheduledMessages: [] });
    expect(h.recorded).toEqual([]);
    const imported = await h.billing.importBatch({ tenantId: h.tenant.id, items });
    expect({ ...imported, dryRun: true }).toEqual(dryRun);
  });

  it('yields the same plan hash and variations for the same input, and another hash for another input', async () => {
    const items = billingItems(30);
    const tenantId = '7d3c1f4e-2b6a-4c8d-9e0f-1a2b3c4d5e6f';
    // Two stores, as two processes would have: nothing is shared but the input.
    const a = await billingHarness({ tenantId });
    const b = await billingHarness({ tenantId });
    const first = await a.billing.importBatch({ tenantId, items, dryRun: true });
    const second = await b.billing.importBatch({ tenantId, items, dryRun: true });
    expect(first.planHash).toMatch(/^[0-9a-f]{64}$/);
    expect(second.planHash).toBe(first.planHash);
    expect(second.items).toEqual(first.items);
    const reordered = await a.billing.importBatch({ tenantId, items: [...items.slice(1), items[0]!], dryRun: true });
    expect(reordered.planHash).not.toBe(first.planHash);
  });

  it('applies a plan by its hash, writing exactly the dry run', async () => {
    const h = await billingHarness();
    const items = billingItems(250);
    const plan = await h.billing.importBatch({ tenantId: h.tenant.id, items, dryRun: true });
    await h.clock.advance(3 * 3_600_000);
    const applied = await h.billing.applyPlan({ tenantId: h.tenant.id, items, planHash: plan.planHash });
    expect(applied.planHash).toBe(plan.planHash);
    expect(applied.items).toEqual(plan.items);
    const dump = h.store.dump();
    expect(dump.billingCycles.map((cycle) => cycle.id)).toEqual(plan.items.map((item) => item.billingCycleId));
    expect(dump.scheduledMessages.map((message) => message.dueAt)).toEqual(
      plan.items.flatMap((item) => item.messages.filter((message) => message.status === 'scheduled').map((message) => message.sendAt)),
    );
  }, 60_000);

  it('refuses to apply a plan whose inputs changed since, writing nothing', async () => {
    const h = await billingHarness();
    const items = billingItems(3);
    const plan = await h.billing.importBatch({ tenantId: h.tenant.id, items, dryRun: true });
    await h.templates.save({
      tenantId: h.tenant.id,
      key: 'billing_step',
      locale: 'pt-BR',
      variations: [{ id: 'v2', body: 'Oi {{customerName}}: {{amount}}' }],
      variables: ['customerName', 'amount'],
    });
    const attempt = h.billing.applyPlan({ tenantId: h.tenant.id, items, planHash: plan.planHash });
    await expect(attempt).rejects.toSatisfy((error) => ConflictError.isInstance(error));
    await expect(attempt).rejects.toThrow(/plan hash .* was given, the same batch now plans/);
    expect(h.store.dump().billingCycles).toHaveLength(0);
  });

  it('refuses to apply a plan the next day', async () => {
    const h = await billingHarness();
    const items = billingItems(2);
    const plan = await h.billing.importBatch({ tenantId: h.tenant.id, items, dryRun: true });
    await h.clock.advance(24 * 3_600_000);
    await expect(h.billing.applyPlan({ tenantId: h.tenant.id, items, planHash: plan.planHash })).rejects.toSatisfy((error) =>
      ConflictError.isInstance(error),
    );
  });
});
