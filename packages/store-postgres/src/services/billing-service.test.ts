/**
 * The billing service (import, dry run and apply, dispatch of the steps, paid) on this store,
 * not only on the in-memory double: the same use cases end to end on PGlite and PostgreSQL, and
 * — on PostgreSQL — two imports of one batch racing from two pools, where the unique partial
 * index and the import's retry on `DuplicateError` must leave each charge created exactly once.
 */
import { randomUUID } from 'node:crypto';
import {
  VirtualClock,
  createBillingDispatchHandler,
  createBillingService,
  createDispatcher,
  createDomainEvents,
  parseOrThrow,
  tenantSchema,
  type Store,
} from '@sdr/core';
import { createInMemoryLock, createInMemoryMessaging } from '@sdr/core/testing';
import { beforeEach, expect, it } from 'vitest';
import { createPostgresStore } from '../store/postgres-store.js';
import { describeEachDriver, type TestDatabase } from '../test-support/test-database.js';

/** Monday 2 March 2026, 09:00 in São Paulo; the charges fall due on Tuesday 10 March. */
const mondayMorning = '2026-03-02T12:00:00Z';

let phoneSequence = 0;
function item(externalBillingId: string): Record<string, unknown> {
  phoneSequence += 1;
  const digits = String(70_000_000 + phoneSequence);
  return {
    externalBillingId,
    customer: { name: 'Ana Souza', phone: `(11) 9${digits.slice(0, 4)}-${digits.slice(4)}` },
    amount: 123_456,
    currency: 'BRL',
    dueDate: '2026-03-10',
  };
}

async function billingWorld(database: TestDatabase, db = database.db) {
  const clock = new VirtualClock(mondayMorning);
  const store: Store = createPostgresStore({ db, clock });
  const tenant = await store.tenants.create(
    parseOrThrow(tenantSchema, {
      id: randomUUID(),
      name: 'Acme Cobranças',
      timeZone: 'America/Sao_Paulo',
      createdAt: clock.now(),
      updatedAt: clock.now(),
      version: 0,
    }),
  );
  const events = createDomainEvents();
  const lock = createInMemoryLock({ clock });
  const billing = createBillingService({ store, clock, lock, events });
  const messaging = createInMemoryMessaging({ clock });
  const dispatcher = createDispatcher({
    store,
    messaging,
    clock,
    handlers: [createBillingDispatchHandler({ events })],
    pacing: false,
    random: () => 0.5,
  });
  const count = async (sql: string) => (await database.sql<{ count: number }>(sql, [tenant.id]))[0]?.count ?? 0;
  return { clock, store, tenant, billing, messaging, dispatcher, count };
}

describeEachDriver('billing service on the PostgreSQL store', (database, driver) => {
  beforeEach(async () => {
    await database().reset();
  });

  it('imports a batch in chunks: cycles, contacts and one scheduled message per step; duplicates write nothing', async () => {
    const world = await billingWorld(database());
    const items = Array.from({ length: 150 }, (_, index) => item(`INV-${index}`));
    const result = await world.billing.importBatch({ tenantId: world.tenant.id, items: [...items, items[0]] });
    expect(result.summary).toEqual({ created: 150, updated: 0, duplicate: 1, invalid: 0, messages: 450, skipped: 0 });
    expect(await world.count('SELECT count(*)::int AS count FROM sdr.billing_cycles WHERE tenant_id = $1')).toBe(150);
    expect(await world.count('SELECT count(*)::int AS count FROM sdr.contacts WHERE tenant_id = $1')).toBe(150);
    expect(
      await world.count(`SELECT count(*)::int AS count FROM sdr.scheduled_messages WHERE tenant_id = $1 AND kind = 'billing_step'`),
    ).toBe(450);
    const again = await world.billing.importBatch({ tenantId: world.tenant.id, items: items.slice(0, 10) });
    expect(again.summary).toMatchObject({ created: 0, duplicate: 10, messages: 0 });
    expect(await world.count('SELECT count(*)::int AS count FROM sdr.billing_cycles WHERE tenant_id = $1')).toBe(150);
  });

  it('a dry run writes nothing; applying its plan writes exactly it', async () => {
    const world = await billingWorld(database());
    const items = [item('INV-A'), item('INV-B')];
    const plan = await world.billing.importBatch({ tenantId: world.tenant.id, items, dryRun: true });
    expect(plan.summary).toMatchObject({ created: 2, messages: 6 });
    expect(await world.count('SELECT count(*)::int AS count FROM sdr.scheduled_messages WHERE tenant_id = $1')).toBe(0);
    const applied = await world.billing.applyPlan({ tenantId: world.tenant.id, items, planHash: plan.planHash });
    expect(applied.planHash).toBe(plan.planHash);
    expect(applied.items.flatMap((entry) => entry.messages.map((message) => message.text))).toEqual(
      plan.items.flatMap((entry) => entry.messages.map((message) => message.text)),
    );
    expect(await world.count('SELECT count(*)::int AS count FROM sdr.scheduled_messages WHERE tenant_id = $1')).toBe(6);
  });

  it('the dispatcher sends the due step; paid cancels the remaining ones', async () => {
    const world = await billingWorld(database());
    const result = await world.billing.importBatch({ tenantId: world.tenant.id, items: [item('INV-P')] });
    const billingCycleId = result.items[0]?.billingCycleId ?? '';
    // D-3 is Saturday 7 March at 10:00 local time (the tenant has no business hours: always open).
    await world.clock.set('2026-03-07T13:00:00Z');
    const report = await world.dispatcher.runOnce();
    expect(report).toMatchObject({ claimed: 1, sent: 1 });
    expect(world.messaging.sent).toHaveLength(1);
    expect(world.messaging.sent[0]?.text).toContain('R$ 1.234,56');
    const paid = await world.billing.markPaid({ tenantId: world.tenant.id, billingCycleId });
    expect(paid.status).toBe('paid');
    const statuses = await database().sql<{ status: string; count: number }>(
      'SELECT status, count(*)::int AS count FROM sdr.scheduled_messages WHERE tenant_id = $1 GROUP BY status ORDER BY status',
      [world.tenant.id],
    );
    expect(statuses).toEqual([
      { status: 'cancelled', count: 2 },
      { status: 'sent', count: 1 },
    ]);
    await world.clock.set('2026-03-13T13:00:00Z');
    expect((await world.dispatcher.runOnce()).claimed).toBe(0);
  });

  it.skipIf(driver === 'pglite')('two imports of one batch racing from two pools: each charge is created exactly once', async () => {
    const first = await billingWorld(database(), database().newPool(4));
    const secondStore = createPostgresStore({ db: database().newPool(4), clock: first.clock });
    const second = createBillingService({ store: secondStore, clock: first.clock, lock: createInMemoryLock({ clock: first.clock }) });
    const items = Array.from({ length: 120 }, (_, index) => item(`RACE-${index}`));
    const [a, b] = await Promise.all([
      first.billing.importBatch({ tenantId: first.tenant.id, items }),
      second.importBatch({ tenantId: first.tenant.id, items }),
    ]);
    expect(a.summary.created + b.summary.created).toBe(120);
    expect(a.summary.duplicate + b.summary.duplicate).toBe(120);
    expect(await first.count(`SELECT count(*)::int AS count FROM sdr.billing_cycles WHERE tenant_id = $1 AND status = 'active'`)).toBe(120);
    expect(await first.count('SELECT count(*)::int AS count FROM sdr.scheduled_messages WHERE tenant_id = $1')).toBe(360);
  });
});
