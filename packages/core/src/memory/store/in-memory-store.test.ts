import { describe, expect, it } from 'vitest';
import { DuplicateError, SdrError, SlotUnavailableError } from '../../errors/index.js';
import { VirtualClock } from '../../ports/clock/clock.js';
import type { Repositories } from '../../ports/repositories/repositories.js';
import {
  T0,
  at,
  buildAppointment,
  buildBillingCycle,
  buildContact,
  buildLead,
  buildMessage,
  buildTemplate,
  buildTenant,
  hour,
  minute,
} from '../../testing/__fixtures__/entities.js';
import { createInMemoryStore, type InMemoryStore } from './in-memory-store.js';

async function seededStore() {
  const store = createInMemoryStore({ clock: new VirtualClock(T0) });
  const tenant = await store.tenants.create(buildTenant());
  const tenantId = tenant.id;
  const lead = await store.leads.create(buildLead({ tenantId }));
  const contact = await store.contacts.create(buildContact({ tenantId }));
  const appointment = await store.appointments.create(buildAppointment({ tenantId, leadId: lead.id }));
  const cycle = await store.billingCycles.create(buildBillingCycle({ tenantId, contactId: contact.id }));
  const template = await store.templates.save(buildTemplate({ tenantId, key: 'kept' }));
  const { message: scheduled } = await store.scheduledMessages.schedule({
    tenantId,
    leadId: lead.id,
    kind: 'reengage_1',
    dedupeKey: 'seed',
    dueAt: at(-minute),
  });
  const entry = await store.outbox.append({ tenantId, topic: 'crm', aggregateType: 'lead', aggregateId: lead.id, type: 'lead.created' });
  await store.syncStates.save({ tenantId, leadId: lead.id, crmLeadId: null, state: {}, syncedAt: T0, version: 0 });
  await store.alerts.raise({ tenantId, kind: 'channel_down', key: 'default', severity: 'warning', message: 'down', details: {}, now: T0 });
  return { store, tenant, tenantId, lead, contact, appointment, cycle, template, scheduled, entry };
}

/** One write of every kind the store offers, through a transaction's repositories. */
async function writeEverything(tx: Repositories, seed: Awaited<ReturnType<typeof seededStore>>): Promise<void> {
  const { tenantId, lead, contact, appointment, cycle, template, scheduled, tenant } = seed;
  await tx.tenants.create(buildTenant());
  await tx.tenants.update({ ...tenant, name: 'Renamed' });
  const newLead = await tx.leads.create(buildLead({ tenantId }));
  await tx.leads.update({ ...lead, stage: 'qualifying' });
  await tx.messages.append(buildMessage({ tenantId, leadId: newLead.id, providerMessageId: 'wamid-1' }));
  await tx.appointments.create(buildAppointment({ tenantId, leadId: newLead.id, start: at(48 * hour), end: at(49 * hour) }));
  await tx.appointments.update({ ...appointment, status: 'cancelled' });
  await tx.contacts.create(buildContact({ tenantId }));
  await tx.contacts.update({ ...contact, name: 'Renamed' });
  await tx.billingCycles.create(buildBillingCycle({ tenantId, contactId: contact.id }));
  await tx.billingCycles.update({ ...cycle, status: 'paid' });
  await tx.templates.save(buildTemplate({ tenantId, key: 'new' }));
  await tx.templates.delete(tenantId, template.key, template.locale);
  await tx.scheduledMessages.schedule({ tenantId, leadId: newLead.id, kind: 'reengage_2', dedupeKey: 'new', dueAt: at(-minute) });
  const [claimed] = await tx.scheduledMessages.claimDue({ now: T0, limit: 1, workerId: 'w1', leaseMs: minute });
  expect(claimed?.id).toBe(scheduled.id);
  await tx.scheduledMessages.markSent({ id: scheduled.id, workerId: 'w1', now: T0, providerMessageId: 'x' });
  await tx.outbox.append({ tenantId, topic: 'crm', aggregateType: 'lead', aggregateId: newLead.id, type: 'lead.created' });
  const entries = await tx.outbox.claim({ topic: 'crm', now: T0, workerId: 'w1', leaseMs: minute, maxAggregates: 10 });
  await tx.outbox.complete({ ids: entries.map((entry) => entry.id), workerId: 'w1', now: T0 });
  await tx.syncStates.save({ tenantId, leadId: lead.id, crmLeadId: '1', state: { stage: 'x' }, syncedAt: T0, version: 0 });
  await tx.syncStates.save({ tenantId, leadId: newLead.id, crmLeadId: '2', state: {}, syncedAt: T0, version: 0 });
  await tx.alerts.raise({ tenantId, kind: 'crm_lag', key: 'k', severity: 'critical', message: 'lag', details: {}, now: T0 });
  await tx.alerts.resolve({ tenantId, kind: 'channel_down', key: 'default', now: T0 });
}

function countRows(store: InMemoryStore): Record<string, number> {
  return Object.fromEntries(Object.entries(store.dump()).map(([table, rows]) => [table, (rows as unknown[]).length]));
}

describe('InMemoryStore transactions', () => {
  it('commits every write together when fn resolves, and returns its result', async () => {
    const seed = await seededStore();
    const before = countRows(seed.store);
    const result = await seed.store.transaction(async (tx) => {
      await writeEverything(tx, seed);
      return 'done';
    });
    expect(result).toBe('done');
    const after = countRows(seed.store);
    expect(after).toMatchObject({
      tenants: (before.tenants ?? 0) + 1,
      leads: (before.leads ?? 0) + 1,
      messages: 1,
      scheduledMessages: 2,
      outbox: 2,
      syncStates: 2,
      alerts: 2,
      templates: 1,
    });
    expect((await seed.store.leads.get(seed.tenantId, seed.lead.id))?.stage).toBe('qualifying');
    expect((await seed.store.scheduledMessages.get(seed.tenantId, seed.scheduled.id))?.status).toBe('sent');
  });

  it('rolls back every kind of write when fn throws — rows, scheduled messages, outbox entries, alerts — and rethrows the error', async () => {
    const seed = await seededStore();
    const before = seed.store.dump();
    const failure = new Error('boom after writing everything');
    await expect(
      seed.store.transaction(async (tx) => {
        await writeEverything(tx, seed);
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(seed.store.dump()).toEqual(before);
  });

  it('sees its own writes inside, while readers outside see only committed data and do not wait', async () => {
    const { store, tenantId } = await seededStore();
    const lead = buildLead({ tenantId });
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const running = store.transaction(async (tx) => {
      await tx.leads.create(lead);
      expect(await tx.leads.get(tenantId, lead.id)).not.toBeNull();
      // The store itself, read from inside the transaction, is "another connection".
      expect(await store.leads.get(tenantId, lead.id)).toBeNull();
      await gate;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(await store.leads.get(tenantId, lead.id)).toBeNull();
    release();
    await running;
    expect(await store.leads.get(tenantId, lead.id)).not.toBeNull();
  });

  it("writes outside wait for a running transaction, so neither loses the other's update", async () => {
    const { store, tenantId, lead } = await seededStore();
    const order: string[] = [];
    const transaction = store.transaction(async (tx) => {
      const current = await tx.leads.get(tenantId, lead.id);
      await new Promise((resolve) => setImmediate(resolve));
      if (current) await tx.leads.update({ ...current, name: 'From the transaction' });
      order.push('transaction');
    });
    const outside = (async () => {
      await new Promise((resolve) => setImmediate(resolve));
      const current = await store.leads.get(tenantId, lead.id);
      order.push('outside read');
      return current;
    })();
    const read = await outside;
    // The read did not wait: it saw the committed version before the transaction finished.
    expect(read?.version).toBe(lead.version);
    await expect(store.leads.update({ ...lead, name: 'Stale' })).rejects.toSatisfy((error) => SdrError.isInstance(error));
    await transaction;
    expect(order).toEqual(['outside read', 'transaction']);
    expect((await store.leads.get(tenantId, lead.id))?.name).toBe('From the transaction');
  });

  it('serialises concurrent transactions: read-modify-write cycles never conflict', async () => {
    const { store, tenantId, lead } = await seededStore();
    await Promise.all(
      Array.from({ length: 10 }, (_, index) =>
        store.transaction(async (tx) => {
          const current = await tx.leads.get(tenantId, lead.id);
          await new Promise((resolve) => setImmediate(resolve));
          if (current) await tx.leads.update({ ...current, tags: [...current.tags, `t${index}`] });
        }),
      ),
    );
    const final = await store.leads.get(tenantId, lead.id);
    expect(final?.version).toBe(lead.version + 10);
    expect(final?.tags).toHaveLength(10);
  });

  it('a failed operation caught inside fn leaves no partial write, and the rest commits', async () => {
    const { store, tenantId, lead, appointment } = await seededStore();
    const other = buildLead({ tenantId });
    await store.transaction(async (tx) => {
      await tx.leads.create(other);
      await expect(tx.leads.create(buildLead({ tenantId, phone: lead.phone }))).rejects.toSatisfy((error) =>
        DuplicateError.isInstance(error),
      );
      await expect(
        tx.appointments.create(buildAppointment({ tenantId, leadId: other.id, start: appointment.start, end: appointment.end })),
      ).rejects.toSatisfy((error) => SlotUnavailableError.isInstance(error));
    });
    expect(await store.leads.get(tenantId, other.id)).not.toBeNull();
    expect(store.dump().appointments).toHaveLength(1);
  });

  it("refuses writes through the store itself and nested transactions inside a transaction, and a transaction's repositories after it ended", async () => {
    const { store, tenantId } = await seededStore();
    let leaked: Repositories | undefined;
    await store.transaction(async (tx) => {
      leaked = tx;
      await expect(store.leads.create(buildLead({ tenantId }))).rejects.toThrow(/inside store.transaction/);
      await expect(store.transaction(() => Promise.resolve())).rejects.toThrow(/nesting is not supported/);
    });
    await expect(leaked?.leads.get(tenantId, tenantId)).rejects.toThrow(/after its transaction ended/);
  });

  it('returns copies: mutating what went in or came out changes nothing stored', async () => {
    const { store, tenantId } = await seededStore();
    const lead = buildLead({ tenantId, tags: ['a'], fields: { budget: 10 } });
    await store.leads.create(lead);
    lead.tags.push('mutated-input');
    lead.createdAt.setTime(0);
    const read = await store.leads.get(tenantId, lead.id);
    read?.tags.push('mutated-output');
    read?.updatedAt.setTime(0);
    if (read) read.fields.budget = 99;
    const again = await store.leads.get(tenantId, lead.id);
    expect(again?.tags).toEqual(['a']);
    expect(again?.fields).toEqual({ budget: 10 });
    expect(again?.createdAt.getTime()).toBe(T0.getTime());
    expect(again?.updatedAt.getTime()).toBe(T0.getTime());
  });

  it('clear drops every row', async () => {
    const { store } = await seededStore();
    store.clear();
    expect(Object.values(countRows(store)).every((count) => count === 0)).toBe(true);
  });
});
