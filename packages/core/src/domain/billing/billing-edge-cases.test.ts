/**
 * The twelve edge cases of the collections review (the seed document's table), one named test
 * each, on the real in-memory doubles.
 */
import { describe, expect, it } from 'vitest';
import { ConflictError, DuplicateError, ProviderUnavailableError, ValidationError } from '../../errors/index.js';
import type { Repositories, Store } from '../../ports/repositories/repositories.js';
import { billingHarness, billingItem, billingItems, officeHours } from './__fixtures__/billing-harness.js';
import { createBillingService } from './billing-service.js';

/**
 * A store whose transactions read each cycle and contact as missing the first time — the view
 * of an import that read just before a concurrent one committed the same item.
 */
function staleFirstRead(store: Store): Store {
  const seen = new Set<string>();
  const once = (key: string) => !seen.has(key) && (seen.add(key), true);
  return {
    ...store,
    transaction: (fn) =>
      store.transaction((tx) => {
        const stale: Repositories = {
          ...tx,
          billingCycles: {
            ...tx.billingCycles,
            findActiveByExternalId: (tenantId, id) =>
              once(`cycle:${id}`) ? Promise.resolve(null) : tx.billingCycles.findActiveByExternalId(tenantId, id),
          },
          contacts: {
            ...tx.contacts,
            findByPhone: (tenantId, phone) =>
              once(`contact:${phone.e164}`) ? Promise.resolve(null) : tx.contacts.findByPhone(tenantId, phone),
          },
        };
        return fn(stale);
      }),
  };
}

/** A store whose `schedule` fails (a crash, not a rule) on call number `failingCall`. */
function failingSchedule(store: Store, failingCall: number): Store {
  let calls = 0;
  return {
    ...store,
    transaction: (fn) =>
      store.transaction((tx) =>
        fn({
          ...tx,
          scheduledMessages: {
            ...tx.scheduledMessages,
            schedule: (input) => {
              calls += 1;
              return calls === failingCall ? Promise.reject(new Error('connection lost')) : tx.scheduledMessages.schedule(input);
            },
          },
        }),
      ),
  };
}

describe('collections edge cases (seed table)', () => {
  it('#1 duplicate cycles: in the batch, against stored active cycles, and under concurrent imports each cycle exists once', async () => {
    const h = await billingHarness();
    const items = billingItems(250);
    // Two processes' worth of callers: separate services, one store.
    const processA = createBillingService({ store: h.store, clock: h.clock, lock: h.lock });
    const processB = createBillingService({ store: h.store, clock: h.clock, lock: h.lock });
    const [a, b] = await Promise.all([
      processA.importBatch({ tenantId: h.tenant.id, items }),
      processB.importBatch({ tenantId: h.tenant.id, items: [...items, items[0]!] }),
    ]);
    const dump = h.store.dump();
    expect(dump.billingCycles).toHaveLength(250);
    expect(new Set(dump.billingCycles.map((cycle) => cycle.externalBillingId)).size).toBe(250);
    expect(dump.scheduledMessages).toHaveLength(750);
    for (let index = 0; index < 250; index += 1) {
      expect([a.items[index]?.status, b.items[index]?.status].sort()).toEqual(['created', 'duplicate']);
    }
    expect(b.items[250]?.status).toBe('duplicate');
  }, 60_000);

  it('#1 duplicate cycles: a race lost between the read and the write is a duplicate, guaranteed by the store', async () => {
    const h = await billingHarness();
    const items = billingItems(3);
    await h.billing.importBatch({ tenantId: h.tenant.id, items });
    const racing = createBillingService({ store: staleFirstRead(h.store), clock: h.clock, lock: h.lock });
    const result = await racing.importBatch({ tenantId: h.tenant.id, items });
    expect(result.items.map((item) => item.status)).toEqual(['duplicate', 'duplicate', 'duplicate']);
    expect(h.store.dump().billingCycles).toHaveLength(3);
    await expect(h.store.billingCycles.create({ ...h.store.dump().billingCycles[0]!, id: crypto.randomUUID() })).rejects.toSatisfy(
      (error) => DuplicateError.isInstance(error),
    );
  });

  it('#2 scheduler race: two dispatchers working at once send every billing message exactly once', async () => {
    const h = await billingHarness();
    await h.billing.importBatch({ tenantId: h.tenant.id, items: billingItems(40) });
    await h.clock.set('2026-03-20T13:00:00Z');
    const [first, second] = await Promise.all([h.dispatchDue('worker-a'), h.dispatchDue('worker-b')]);
    expect(first.claimed + second.claimed).toBe(120);
    expect(first.sent + second.sent).toBe(120);
    expect(new Set(h.messaging.sent.map((sent) => sent.idempotencyKey)).size).toBe(120);
    expect(h.messaging.sent).toHaveLength(120);
  });

  it('#3 invalid dates: 30 February and a due date out of the one-year range are invalid items', async () => {
    const h = await billingHarness();
    const result = await h.billing.importBatch({
      tenantId: h.tenant.id,
      items: [billingItem({ dueDate: '2026-02-30' }), billingItem({ dueDate: '2028-01-01' }), billingItem({ dueDate: '10/03/2026' })],
    });
    expect(result.items.map((item) => [item.status, item.errors[0]?.field])).toEqual([
      ['invalid', 'dueDate'],
      ['invalid', 'dueDate'],
      ['invalid', 'dueDate'],
    ]);
    expect(h.store.dump().billingCycles).toHaveLength(0);
  });

  it('#4 invalid phone: a junk number is an invalid item with a clear error, never passed through', async () => {
    const h = await billingHarness();
    const result = await h.billing.importBatch({
      tenantId: h.tenant.id,
      items: [billingItem({ customer: { name: 'Ana', phone: 'ligar depois' } }), billingItem({ customer: { name: 'Ana', phone: '99' } })],
    });
    expect(result.items.map((item) => item.errors)).toEqual([
      [{ field: 'customer.phone', message: expect.stringMatching(/contains letters/) as string }],
      [{ field: 'customer.phone', message: expect.stringMatching(/too few digits/) as string }],
    ]);
    expect(h.store.dump().contacts).toHaveLength(0);
  });

  it('#5 template not found: the generic template is used; inactive variations fall back; bad templates are refused', async () => {
    const h = await billingHarness();
    await h.templates.save({
      tenantId: h.tenant.id,
      key: 'billing_d0',
      locale: 'pt-BR',
      variations: [{ id: 'off', body: 'desligada {{amount}}', active: false }],
      variables: ['amount'],
    });
    const result = await h.billing.importBatch({ tenantId: h.tenant.id, items: [billingItem()], dryRun: true });
    expect(result.items[0]?.messages.map((message) => [message.templateKey, message.variationId])).toEqual([
      ['billing_step', 'default'],
      ['billing_step', 'default'],
      ['billing_step', 'default'],
    ]);
    await expect(
      h.templates.save({
        tenantId: h.tenant.id,
        key: 'billing_d0',
        locale: 'pt-BR',
        variations: [{ id: 'x', body: '{{boleto}}' }],
        variables: [],
      }),
    ).rejects.toSatisfy((error) => ValidationError.isInstance(error));
  });

  it('#6 contact with different data: non-empty new values win, the opt-out stays', async () => {
    const h = await billingHarness();
    const phone = '(11) 97654-3210';
    await h.billing.importBatch({ tenantId: h.tenant.id, items: [billingItem({ customer: { name: 'J. Souza', phone } })] });
    await h.billing.optOutContact({ tenantId: h.tenant.id, phone });
    const result = await h.billing.importBatch({
      tenantId: h.tenant.id,
      items: [billingItem({ customer: { name: 'João Souza', phone: '+55 11 7654-3210', email: 'joao@example.com' } })],
    });
    expect(h.store.dump().contacts).toMatchObject([{ name: 'João Souza', email: 'joao@example.com', optedOut: true }]);
    expect(result.items[0]?.messages.every((message) => message.skipReason === 'opted_out')).toBe(true);
  });

  it('#7 failure in the middle: a crashed chunk leaves nothing half-written, a re-run completes the batch', async () => {
    const h = await billingHarness();
    const items = billingItems(250);
    // The 400th scheduled message belongs to item 133, in the second chunk.
    const crashing = createBillingService({ store: failingSchedule(h.store, 400), clock: h.clock, lock: h.lock });
    await expect(crashing.importBatch({ tenantId: h.tenant.id, items })).rejects.toThrow('connection lost');
    expect(h.store.dump().billingCycles).toHaveLength(100);
    expect(h.store.dump().scheduledMessages).toHaveLength(300);
    const rerun = await h.billing.importBatch({ tenantId: h.tenant.id, items });
    expect(rerun.summary).toMatchObject({ created: 150, duplicate: 100 });
    expect(h.store.dump().scheduledMessages).toHaveLength(750);
  }, 60_000);

  it('#7 failure in the middle: a billing message stuck in sending is recovered and sent once', async () => {
    const h = await billingHarness();
    await h.billing.importBatch({ tenantId: h.tenant.id, items: [billingItem()] });
    await h.clock.set('2026-03-07T13:00:00Z');
    const [stuck] = await h.store.scheduledMessages.claimDue({
      now: h.clock.now(),
      limit: 1,
      workerId: 'dead-worker',
      leaseMs: 15 * 60_000,
    });
    expect(stuck?.status).toBe('sending');
    await h.clock.advance(16 * 60_000);
    expect((await h.store.scheduledMessages.recoverStuck({ now: h.clock.now() })).map((message) => message.id)).toEqual([stuck!.id]);
    expect(await h.dispatchDue('worker-2')).toMatchObject({ claimed: 1, sent: 1 });
    expect(h.messaging.sent.map((sent) => sent.idempotencyKey)).toEqual([stuck!.id]);
    expect(h.messaging.sent).toHaveLength(1);
  });

  it('#8 cancelling a completed cycle is refused (status checked under the lock)', async () => {
    const h = await billingHarness();
    const result = await h.billing.importBatch({ tenantId: h.tenant.id, items: [billingItem()] });
    await h.clock.set('2026-03-14T00:00:00Z');
    await h.dispatchDue();
    const billingCycleId = result.items[0]!.billingCycleId!;
    expect((await h.store.billingCycles.get(h.tenant.id, billingCycleId))?.status).toBe('completed');
    await expect(h.billing.cancel({ tenantId: h.tenant.id, billingCycleId })).rejects.toSatisfy((error) => ConflictError.isInstance(error));
    expect((await h.store.billingCycles.get(h.tenant.id, billingCycleId))?.status).toBe('completed');
  });

  it('#9 batch too large: 1001 items are refused before anything is written; 1000 are processed in chunks of 100', async () => {
    const h = await billingHarness();
    await expect(h.billing.importBatch({ tenantId: h.tenant.id, items: billingItems(1001) })).rejects.toThrow(/at most 1000/);
    expect(h.store.dump().billingCycles).toHaveLength(0);
    const result = await h.billing.importBatch({ tenantId: h.tenant.id, items: billingItems(1000), dryRun: true });
    expect(result.summary.created).toBe(1000);
  }, 60_000);

  it('#10 business hours not configured: always open, a Saturday step stays on Saturday', async () => {
    const open = await billingHarness();
    const closed = await billingHarness({ config: { businessHours: officeHours } });
    const [always] = (await open.billing.importBatch({ tenantId: open.tenant.id, items: [billingItem()], dryRun: true })).items;
    const [office] = (await closed.billing.importBatch({ tenantId: closed.tenant.id, items: [billingItem()], dryRun: true })).items;
    expect(always?.messages[0]?.sendAt.toISOString()).toBe('2026-03-07T13:00:00.000Z');
    expect(office?.messages[0]?.sendAt.toISOString()).toBe('2026-03-09T12:00:00.000Z');
  });

  it('#11 WhatsApp channel offline: the step waits while the instance is down, is retried after a failed send, and the cycle completes', async () => {
    const h = await billingHarness({ config: { billing: { steps: [{ offsetDays: 0 }] } } });
    const result = await h.billing.importBatch({ tenantId: h.tenant.id, items: [billingItem()] });
    const billingCycleId = result.items[0]!.billingCycleId!;
    const cycleStatus = async () => (await h.store.billingCycles.get(h.tenant.id, billingCycleId))?.status;
    await h.clock.set('2026-03-10T13:00:00Z');
    h.messaging.setInstanceHealth('default', 'down');
    expect(await h.dispatchDue()).toMatchObject({ claimed: 1, deferred: 1, sent: 0 });
    expect(h.store.dump().scheduledMessages[0]).toMatchObject({ status: 'pending', attempts: 0 });
    expect(await cycleStatus()).toBe('active');

    h.messaging.setInstanceHealth('default', 'up');
    h.faults.failNext('sendText', 1, () => new ProviderUnavailableError({ provider: 'evolution', operation: 'send', message: 'timeout' }));
    await h.clock.advance(10 * 60_000);
    expect(await h.dispatchDue()).toMatchObject({ claimed: 1, retried: 1 });
    expect(h.store.dump().scheduledMessages[0]).toMatchObject({ status: 'pending', attempts: 1 });
    expect(await cycleStatus()).toBe('active');

    await h.clock.advance(60 * 60_000);
    expect(await h.dispatchDue()).toMatchObject({ claimed: 1, sent: 1 });
    expect(h.messaging.sent).toHaveLength(1);
    expect(await cycleStatus()).toBe('completed');
  });

  it('#12 dates already past: the most recent past step goes out today, older ones are skipped as stale', async () => {
    const h = await billingHarness();
    const result = await h.billing.importBatch({ tenantId: h.tenant.id, items: [billingItem({ dueDate: '2026-02-20' })] });
    expect(
      result.items[0]?.messages.map((message) => [message.step, message.status, message.skipReason, message.sendAt.toISOString()]),
    ).toEqual([
      ['D-3', 'skipped', 'stale', '2026-02-17T13:00:00.000Z'],
      ['D0', 'skipped', 'stale', '2026-02-20T13:00:00.000Z'],
      ['D+3', 'scheduled', null, '2026-03-02T13:00:00.000Z'],
    ]);
    expect(h.store.dump().scheduledMessages.map((message) => message.dedupeKey.endsWith(':D+3'))).toEqual([true]);
  });
});
