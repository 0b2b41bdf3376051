import { describe, expect, it } from 'vitest';
import { DuplicateError, NotFoundError, ValidationError, VersionConflictError } from '../../errors/index.js';
import { PhoneNumber } from '../../domain/identity/phone-number.js';
import { T0, buildContact, buildLead, buildTenant, hour } from '../../testing/__fixtures__/entities.js';
import { createInMemoryStore } from './in-memory-store.js';

async function setup() {
  const store = createInMemoryStore();
  const tenantId = (await store.tenants.create(buildTenant())).id;
  const otherTenantId = (await store.tenants.create(buildTenant())).id;
  return { store, tenantId, otherTenantId };
}

describe('in-memory leads', () => {
  it('one lead per canonical phone and tenant, also across the Brazilian 9th digit and on update', async () => {
    const { store, tenantId, otherTenantId } = await setup();
    const lead = await store.leads.create(buildLead({ tenantId }));
    const legacy = PhoneNumber.parse(lead.phone.variants()[1] ?? '');
    await expect(store.leads.create(buildLead({ tenantId, phone: legacy }))).rejects.toSatisfy(
      DuplicateError.isInstance.bind(DuplicateError),
    );
    expect(await store.leads.create(buildLead({ tenantId: otherTenantId, phone: lead.phone }))).toMatchObject({ tenantId: otherTenantId });
    const other = await store.leads.create(buildLead({ tenantId }));
    await expect(store.leads.update({ ...other, phone: lead.phone })).rejects.toSatisfy(DuplicateError.isInstance.bind(DuplicateError));
    expect((await store.leads.findByPhone(tenantId, legacy))?.id).toBe(lead.id);
  });

  it('update is optimistic: version + 1, a stale version conflicts, a vanished or foreign lead is not found', async () => {
    const { store, tenantId, otherTenantId } = await setup();
    const lead = await store.leads.create(buildLead({ tenantId }));
    const updated = await store.leads.update({ ...lead, stage: 'qualifying', createdAt: new Date(0) });
    expect(updated.version).toBe(1);
    expect(updated.createdAt.getTime()).toBe(T0.getTime());
    await expect(store.leads.update({ ...lead, stage: 'lost' })).rejects.toSatisfy(
      VersionConflictError.isInstance.bind(VersionConflictError),
    );
    await expect(store.leads.update({ ...updated, tenantId: otherTenantId })).rejects.toSatisfy(
      NotFoundError.isInstance.bind(NotFoundError),
    );
    await expect(store.leads.update(buildLead({ tenantId }))).rejects.toSatisfy(NotFoundError.isInstance.bind(NotFoundError));
    expect(await store.leads.get(otherTenantId, lead.id)).toBeNull();
  });

  it('validates on write: bad data never enters, and the error names the field', async () => {
    const { store, tenantId } = await setup();
    const error: unknown = await store.leads
      .create({ ...buildLead({ tenantId }), email: 'not-an-email' })
      .catch((caught: unknown) => caught);
    expect(ValidationError.isInstance(error) && error.fieldErrors.map((field) => field.field)).toEqual(['lead.email']);
    expect(store.dump().leads).toEqual([]);
  });

  it('pages newest first with opaque cursors; a foreign or garbage cursor is a ValidationError on field cursor', async () => {
    const { store, tenantId } = await setup();
    const ids: string[] = [];
    for (let index = 0; index < 5; index += 1) {
      const createdAt = new Date(T0.getTime() + index * hour);
      ids.push((await store.leads.create(buildLead({ tenantId, createdAt, updatedAt: createdAt }))).id);
    }
    const first = await store.leads.list(tenantId, { limit: 2 });
    const second = await store.leads.list(tenantId, { limit: 2, cursor: first.nextCursor });
    const third = await store.leads.list(tenantId, { limit: 2, cursor: second.nextCursor });
    expect([...first.items, ...second.items, ...third.items].map((lead) => lead.id)).toEqual([...ids].reverse());
    expect(third.nextCursor).toBeNull();
    const foreign = (await store.leads.listUpdatedBetween(tenantId, T0, new Date(T0.getTime() + 10 * hour), { limit: 1 })).nextCursor;
    for (const cursor of ['garbage!', foreign ?? '']) {
      const error: unknown = await store.leads.list(tenantId, { cursor }).catch((caught: unknown) => caught);
      expect(ValidationError.isInstance(error) && error.fieldErrors[0]?.field).toBe('cursor');
    }
    await expect(store.leads.list(tenantId, { limit: 501 })).rejects.toSatisfy(ValidationError.isInstance.bind(ValidationError));
  });

  it('concurrent creates of one phone: exactly one wins', async () => {
    const { store, tenantId } = await setup();
    const phone = buildLead({ tenantId }).phone;
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => store.leads.create(buildLead({ tenantId, phone }))));
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
  });
});

describe('in-memory contacts', () => {
  it('one contact per phone and tenant; optimistic updates', async () => {
    const { store, tenantId } = await setup();
    const contact = await store.contacts.create(buildContact({ tenantId }));
    await expect(store.contacts.create(buildContact({ tenantId, phone: contact.phone }))).rejects.toSatisfy(
      DuplicateError.isInstance.bind(DuplicateError),
    );
    const updated = await store.contacts.update({ ...contact, optedOut: true, optedOutAt: T0 });
    expect(updated).toMatchObject({ optedOut: true, version: 1 });
    await expect(store.contacts.update(contact)).rejects.toSatisfy(VersionConflictError.isInstance.bind(VersionConflictError));
    expect((await store.contacts.findByPhone(tenantId, contact.phone))?.version).toBe(1);
  });
});
