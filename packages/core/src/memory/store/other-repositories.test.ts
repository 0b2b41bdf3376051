import { describe, expect, it } from 'vitest';
import { DuplicateError, ValidationError, VersionConflictError } from '../../errors/index.js';
import {
  T0,
  at,
  buildBillingCycle,
  buildContact,
  buildMessage,
  buildTemplate,
  buildTenant,
  minute,
  newId,
} from '../../testing/__fixtures__/entities.js';
import { createInMemoryStore } from './in-memory-store.js';

async function setup() {
  const store = createInMemoryStore();
  const tenantId = (await store.tenants.create(buildTenant())).id;
  return { store, tenantId };
}

describe('in-memory messages', () => {
  it('append dedupes by (tenant, channel, providerMessageId): one row, created false, the stored one returned', async () => {
    const { store, tenantId } = await setup();
    const leadId = newId();
    const first = await store.messages.append(buildMessage({ tenantId, leadId, providerMessageId: 'wamid-1', body: 'first' }));
    const again = await store.messages.append(buildMessage({ tenantId, leadId, providerMessageId: 'wamid-1', body: 'redelivered' }));
    expect(first.created).toBe(true);
    expect(again).toMatchObject({ created: false, message: { id: first.message.id, body: 'first' } });
    expect((await store.messages.append(buildMessage({ tenantId, leadId, providerMessageId: 'wamid-1', channel: 'sms' }))).created).toBe(
      true,
    );
    expect((await store.messages.findByProviderMessageId(tenantId, 'whatsapp', 'wamid-1'))?.id).toBe(first.message.id);
    expect(store.dump().messages).toHaveLength(2);
  });

  it('listByLead returns the latest `limit` messages in chronological order, append order breaking ties, before excluding', async () => {
    const { store, tenantId } = await setup();
    const leadId = newId();
    const bodies = ['a', 'b', 'c', 'd'];
    for (const body of bodies)
      await store.messages.append(buildMessage({ tenantId, leadId, body, createdAt: body === 'a' ? at(-minute) : T0 }));
    expect((await store.messages.listByLead(tenantId, leadId)).map((message) => message.body)).toEqual(bodies);
    expect((await store.messages.listByLead(tenantId, leadId, { limit: 2 })).map((message) => message.body)).toEqual(['c', 'd']);
    expect((await store.messages.listByLead(tenantId, leadId, { before: T0 })).map((message) => message.body)).toEqual(['a']);
  });
});

describe('in-memory billing cycles', () => {
  it('one active cycle per externalBillingId and tenant; paid ones may share it; reactivating onto an active one is refused', async () => {
    const { store, tenantId } = await setup();
    const contactId = (await store.contacts.create(buildContact({ tenantId }))).id;
    const first = await store.billingCycles.create(buildBillingCycle({ tenantId, contactId, externalBillingId: 'inv-1' }));
    await expect(store.billingCycles.create(buildBillingCycle({ tenantId, contactId, externalBillingId: 'inv-1' }))).rejects.toSatisfy(
      DuplicateError.isInstance.bind(DuplicateError),
    );
    const paid = await store.billingCycles.update({ ...first, status: 'paid' });
    const second = await store.billingCycles.create(buildBillingCycle({ tenantId, contactId, externalBillingId: 'inv-1' }));
    expect((await store.billingCycles.findActiveByExternalId(tenantId, 'inv-1'))?.id).toBe(second.id);
    await expect(store.billingCycles.update({ ...paid, status: 'active' })).rejects.toSatisfy(
      DuplicateError.isInstance.bind(DuplicateError),
    );
    const page = await store.billingCycles.list(tenantId, { status: 'paid' });
    expect(page.items.map((cycle) => cycle.id)).toEqual([first.id]);
  });
});

describe('in-memory templates', () => {
  it('save upserts on (tenant, key, locale): inserted with version 0, then optimistic, keeping the stored id', async () => {
    const { store, tenantId } = await setup();
    const inserted = await store.templates.save(buildTemplate({ tenantId, key: 'reminder_24h' }));
    expect(inserted.version).toBe(0);
    const updated = await store.templates.save(
      buildTemplate({
        tenantId,
        key: 'reminder_24h',
        id: newId(),
        variables: [],
        variations: [{ id: 'b', body: 'Oi!', weight: 1, active: true }],
      }),
    );
    expect(updated).toMatchObject({ id: inserted.id, version: 1 });
    await expect(store.templates.save({ ...inserted, variables: [] })).rejects.toSatisfy(
      VersionConflictError.isInstance.bind(VersionConflictError),
    );
    expect(await store.templates.list(tenantId)).toHaveLength(1);
    expect(await store.templates.delete(tenantId, 'reminder_24h', 'pt-BR')).toBe(true);
    expect(await store.templates.delete(tenantId, 'reminder_24h', 'pt-BR')).toBe(false);
  });
});

describe('in-memory sync states', () => {
  it('inserts with version 0, then updates only from the stored version', async () => {
    const { store, tenantId } = await setup();
    const leadId = newId();
    const inserted = await store.syncStates.save({ tenantId, leadId, crmLeadId: null, state: {}, syncedAt: T0, version: 7 });
    expect(inserted.version).toBe(0);
    const updated = await store.syncStates.save({ ...inserted, crmLeadId: '42', state: { stage: 'won' } });
    expect(updated).toMatchObject({ version: 1, crmLeadId: '42' });
    await expect(store.syncStates.save(inserted)).rejects.toSatisfy(VersionConflictError.isInstance.bind(VersionConflictError));
    expect(await store.syncStates.get(newId(), leadId)).toBeNull();
  });
});

describe('in-memory alerts', () => {
  it('raise opens one alert per (tenant, kind, key) and refreshes it; resolve closes it; listOpen is newest first', async () => {
    const { store, tenantId } = await setup();
    const raise = (kind: string, now: Date, scope: string | null = tenantId) =>
      store.alerts.raise({ tenantId: scope, kind, key: 'default', severity: 'warning', message: kind, details: {}, now });
    const first = await raise('channel_down', T0);
    const again = await raise('channel_down', at(minute));
    expect(first.opened).toBe(true);
    expect(again).toMatchObject({ opened: false, alert: { id: first.alert.id } });
    expect(again.alert.lastSeenAt.getTime()).toBe(at(minute).getTime());
    await raise('crm_lag', at(2 * minute));
    await raise('dispatcher_silent', at(3 * minute), null);
    expect((await store.alerts.listOpen({ tenantId })).map((alert) => alert.kind)).toEqual(['crm_lag', 'channel_down']);
    expect((await store.alerts.listOpen({ tenantId, includeGlobal: true })).map((alert) => alert.kind)).toEqual([
      'dispatcher_silent',
      'crm_lag',
      'channel_down',
    ]);
    expect(
      (await store.alerts.resolve({ tenantId, kind: 'channel_down', key: 'default', now: at(4 * minute) }))?.resolvedAt?.getTime(),
    ).toBe(at(4 * minute).getTime());
    expect(await store.alerts.resolve({ tenantId, kind: 'channel_down', key: 'default', now: at(4 * minute) })).toBeNull();
    expect((await raise('channel_down', at(5 * minute))).opened).toBe(true);
  });
});

describe('in-memory tenants', () => {
  it('lists oldest first across pages; a garbage cursor is a ValidationError', async () => {
    const store = createInMemoryStore();
    const ids = [];
    for (let index = 0; index < 5; index += 1) ids.push((await store.tenants.create(buildTenant({ createdAt: at(index * minute) }))).id);
    const first = await store.tenants.list({ limit: 3 });
    const second = await store.tenants.list({ limit: 3, cursor: first.nextCursor });
    expect([...first.items, ...second.items].map((tenant) => tenant.id)).toEqual(ids);
    expect(second.nextCursor).toBeNull();
    await expect(store.tenants.list({ cursor: 'nope' })).rejects.toSatisfy(ValidationError.isInstance.bind(ValidationError));
  });
});
