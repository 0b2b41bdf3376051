/**
 * Repository tests: contacts and billing cycles (one active cycle per external id).
 */
import { DuplicateError, NotFoundError, PhoneNumber, ValidationError, VersionConflictError, type BillingCycle } from '@sdr/core';
import { describe, expect, it } from 'vitest';
import { buildBillingCycle, buildContact, buildPhoneNumber, newId, withoutBrazilianNinthDigit } from './fixtures.js';
import { expectSdrError, settleAll } from './harness.js';
import {
  collectPages,
  expectEachOnce,
  garbageCursor,
  type RepositoryConformanceOptions,
  type StoreSetup,
  type StoreSubject,
} from './repository-context.js';

export function registerContactAndBillingTests<Subject extends StoreSubject>(
  setup: StoreSetup<Subject>,
  options: RepositoryConformanceOptions<Subject>,
): void {
  describe('contacts', () => {
    it(
      'create, get and findByPhone (either Brazilian form) round-trip a contact; the same phone again is a DuplicateError',
      async () => {
        const { store, tenantId } = await setup();
        const contact = buildContact({ tenantId, email: 'joao@example.com' });
        expect(await store.contacts.create(contact)).toEqual(contact);
        expect(await store.contacts.get(tenantId, contact.id)).toEqual(contact);
        expect((await store.contacts.findByPhone(tenantId, PhoneNumber.parse(withoutBrazilianNinthDigit(contact.phone))))?.id).toBe(
          contact.id,
        );
        expect(await store.contacts.findByPhone(tenantId, buildPhoneNumber())).toBeNull();
        await expectSdrError(store.contacts.create(buildContact({ tenantId, phone: contact.phone })), DuplicateError);
      },
      options.timeoutMs,
    );

    it(
      'tenant isolation and optimistic update for contacts',
      async () => {
        const { store, tenantId, newTenant } = await setup();
        const contact = await store.contacts.create(buildContact({ tenantId }));
        const other = (await newTenant()).id;
        expect(await store.contacts.get(other, contact.id)).toBeNull();
        expect(await store.contacts.findByPhone(other, contact.phone)).toBeNull();
        await expectSdrError(store.contacts.update({ ...contact, tenantId: other, name: 'Hijacked' }), NotFoundError);
        const updated = await store.contacts.update({ ...contact, optedOut: true, optedOutAt: new Date('2031-01-01T00:00:00.000Z') });
        expect(updated).toMatchObject({ optedOut: true, version: contact.version + 1 });
        await expectSdrError(store.contacts.update({ ...contact, name: 'Stale' }), VersionConflictError);
        expect(await store.contacts.get(tenantId, contact.id)).toEqual(updated);
      },
      options.timeoutMs,
    );
  });

  describe('billing cycles', () => {
    async function withContact() {
      const world = await setup();
      const contact = await world.store.contacts.create(buildContact({ tenantId: world.tenantId }));
      const cycle = (overrides: Partial<BillingCycle> = {}) =>
        buildBillingCycle({ tenantId: world.tenantId, contactId: contact.id, ...overrides });
      return { ...world, contact, cycle };
    }

    it(
      'create and get round-trip a cycle; findActiveByExternalId finds it; another tenant sees nothing and cannot update',
      async () => {
        const { store, tenantId, cycle, newTenant } = await withContact();
        const created = cycle({
          amount: 12_345,
          dueDate: '2031-05-10',
          metadata: { invoice: 'INV-1', lines: [1, 2] },
          steps: [
            {
              step: 'D-3',
              offsetDays: -3,
              sendAt: new Date('2031-05-07T13:00:00.000Z'),
              templateKey: 'billing_d-3',
              variationId: 'a',
              status: 'scheduled',
              skipReason: null,
              scheduledMessageId: newId(),
            },
          ],
        });
        expect(await store.billingCycles.create(created)).toEqual(created);
        expect(await store.billingCycles.get(tenantId, created.id)).toEqual(created);
        expect((await store.billingCycles.findActiveByExternalId(tenantId, created.externalBillingId))?.id).toBe(created.id);
        const other = (await newTenant()).id;
        expect(await store.billingCycles.get(other, created.id)).toBeNull();
        expect(await store.billingCycles.findActiveByExternalId(other, created.externalBillingId)).toBeNull();
        expect((await store.billingCycles.list(other)).items).toEqual([]);
        await expectSdrError(store.billingCycles.update({ ...created, tenantId: other, status: 'paid' }), NotFoundError);
      },
      options.timeoutMs,
    );

    it(
      'one active cycle per externalBillingId: a second active one is a DuplicateError; paid or cancelled ones do not block a new active one',
      async () => {
        const { store, tenantId, cycle } = await withContact();
        const first = await store.billingCycles.create(cycle());
        await expectSdrError(store.billingCycles.create(cycle({ externalBillingId: first.externalBillingId })), DuplicateError);
        await store.billingCycles.create(cycle({ externalBillingId: first.externalBillingId, status: 'cancelled' }));
        const paid = await store.billingCycles.update({ ...first, status: 'paid' });
        expect(paid.version).toBe(first.version + 1);
        const second = await store.billingCycles.create(cycle({ externalBillingId: first.externalBillingId }));
        expect((await store.billingCycles.findActiveByExternalId(tenantId, first.externalBillingId))?.id).toBe(second.id);
        await expectSdrError(store.billingCycles.update({ ...paid, status: 'active' }), DuplicateError);
        await expectSdrError(store.billingCycles.update({ ...first, status: 'cancelled' }), VersionConflictError);
        expect(await store.billingCycles.findActiveByExternalId(tenantId, `charge-${newId()}`)).toBeNull();
      },
      options.timeoutMs,
    );

    it(
      'list filters by status and contact and pages through every cycle exactly once; a garbage cursor is a ValidationError',
      async () => {
        const { store, tenantId, contact, cycle } = await withContact();
        const active: string[] = [];
        for (let index = 0; index < 5; index += 1) active.push((await store.billingCycles.create(cycle())).id);
        const paid = await store.billingCycles.create(cycle({ status: 'paid' }));
        const otherContact = await store.contacts.create(buildContact({ tenantId }));
        const foreign = await store.billingCycles.create(buildBillingCycle({ tenantId, contactId: otherContact.id }));
        const all = await collectPages((page) => store.billingCycles.list(tenantId, page), 2);
        expectEachOnce(all.items, [...active, paid.id, foreign.id]);
        const activeOfContact = await collectPages(
          (page) => store.billingCycles.list(tenantId, { ...page, status: 'active', contactId: contact.id }),
          2,
        );
        expect(activeOfContact.items.map((item) => item.id).sort()).toEqual([...active].sort());
        await expectSdrError(store.billingCycles.list(tenantId, { cursor: garbageCursor }), ValidationError);
      },
      options.timeoutMs,
    );

    it(
      'concurrent creates of one active externalBillingId: exactly one wins, the others get DuplicateError',
      async () => {
        const { store, tenantId, cycle } = await withContact();
        const externalBillingId = `charge-${newId()}`;
        const { values, errors } = await settleAll(
          Array.from({ length: 10 }, () => () => store.billingCycles.create(cycle({ externalBillingId }))),
        );
        expect(values).toHaveLength(1);
        expect(errors.filter((error) => !DuplicateError.isInstance(error))).toEqual([]);
        expect((await store.billingCycles.findActiveByExternalId(tenantId, externalBillingId))?.id).toBe(values[0]?.id);
      },
      options.timeoutMs,
    );
  });
}
