/**
 * The store beyond the testkit, on both drivers:
 * - a cross-tenant query is impossible through the repositories: tenant B, knowing every id of
 *   tenant A, reads nothing and changes nothing of A's through any repository — and the database
 *   itself refuses a row of B that points at a row of A;
 * - the unit of work: a constraint error caught inside a transaction leaves it usable (each
 *   write runs under a savepoint), writes that would escape the unit and nested transactions are
 *   refused, and a PGlite read through the store inside its own transaction does not wait for itself.
 */
import { randomUUID } from 'node:crypto';
import { DuplicateError, NotFoundError, SdrError, SlotUnavailableError, ValidationError, VirtualClock, type Store } from '@sdr/core';
import {
  buildAlertInput,
  buildApiKey,
  buildAppointment,
  buildBillingCycle,
  buildContact,
  buildLead,
  buildMessage,
  buildOAuthToken,
  buildOutboxEntryInput,
  buildScheduledMessageInput,
  buildSyncState,
  buildTemplate,
  buildTenant,
  expectSdrError,
} from '@sdr/testkit';
import { beforeEach, describe, expect, it } from 'vitest';
import { describeEachDriver } from '../test-support/test-database.js';
import { createPostgresStore } from './postgres-store.js';

const now = new Date('2031-09-01T12:00:00.000Z');

/** Tenant A with one row in every repository, and tenant B. */
async function twoTenants(store: Store) {
  const a = (await store.tenants.create(buildTenant())).id;
  const b = (await store.tenants.create(buildTenant())).id;
  const lead = await store.leads.create(buildLead({ tenantId: a, whatsappLid: `${randomUUID()}@lid`, crmLeadId: `crm-${randomUUID()}` }));
  const message = (await store.messages.append(buildMessage({ tenantId: a, leadId: lead.id, providerMessageId: `wamid-${randomUUID()}` })))
    .message;
  const appointment = await store.appointments.create(buildAppointment({ tenantId: a, leadId: lead.id, calendarId: 'sales' }));
  const contact = await store.contacts.create(buildContact({ tenantId: a }));
  const cycle = await store.billingCycles.create(buildBillingCycle({ tenantId: a, contactId: contact.id }));
  const template = await store.templates.save(buildTemplate({ tenantId: a }));
  const scheduled = (await store.scheduledMessages.schedule(buildScheduledMessageInput({ tenantId: a, leadId: lead.id, dueAt: now })))
    .message;
  const entry = await store.outbox.append(buildOutboxEntryInput({ tenantId: a, aggregateId: lead.id }));
  const syncState = await store.syncStates.save(buildSyncState({ tenantId: a, leadId: lead.id }));
  const alert = (await store.alerts.raise({ ...buildAlertInput({ tenantId: a }), now })).alert;
  const apiKey = await store.apiKeys.create(buildApiKey({ tenantId: a }));
  const token = await store.oauthTokens.put(buildOAuthToken({ tenantId: a }));
  await store.idempotencyKeys.save({
    tenantId: a,
    key: 'k-1',
    requestHash: 'h',
    response: { status: 200, body: {}, headers: {} },
    now,
    ttlMs: 60_000,
  });
  return { a, b, lead, message, appointment, contact, cycle, template, scheduled, entry, syncState, alert, apiKey, token };
}

describeEachDriver('postgres store', (database) => {
  describe('tenant isolation', () => {
    let store: Store;
    beforeEach(async () => {
      await database().reset();
      store = createPostgresStore({ db: database().db, clock: new VirtualClock(now) });
    });

    describe('tenant B reads nothing of tenant A', () => {
      it('through every read of every repository', async () => {
        const w = await twoTenants(store);
        const { b } = w;
        expect(await store.leads.get(b, w.lead.id)).toBeNull();
        expect(await store.leads.findByPhone(b, w.lead.phone)).toBeNull();
        expect(await store.leads.findByWhatsappLid(b, w.lead.whatsappLid ?? '')).toBeNull();
        expect(await store.leads.findByCrmLeadId(b, w.lead.crmLeadId ?? '')).toBeNull();
        expect((await store.leads.list(b)).items).toEqual([]);
        expect((await store.leads.listUpdatedBetween(b, new Date(0), new Date(Date.UTC(2100, 0)))).items).toEqual([]);
        expect(await store.messages.get(b, w.message.id)).toBeNull();
        expect(await store.messages.findByProviderMessageId(b, 'whatsapp', w.message.providerMessageId ?? '')).toBeNull();
        expect(await store.messages.listByLead(b, w.lead.id)).toEqual([]);
        expect(await store.appointments.get(b, w.appointment.id)).toBeNull();
        expect(await store.appointments.listByLead(b, w.lead.id)).toEqual([]);
        expect(await store.appointments.listInRange(b, 'sales', new Date(0), new Date(Date.UTC(2100, 0)))).toEqual([]);
        expect(await store.contacts.get(b, w.contact.id)).toBeNull();
        expect(await store.contacts.findByPhone(b, w.contact.phone)).toBeNull();
        expect(await store.billingCycles.get(b, w.cycle.id)).toBeNull();
        expect(await store.billingCycles.findActiveByExternalId(b, w.cycle.externalBillingId)).toBeNull();
        expect((await store.billingCycles.list(b, { contactId: w.contact.id })).items).toEqual([]);
        expect(await store.templates.get(b, w.template.key, w.template.locale)).toBeNull();
        expect(await store.templates.list(b)).toEqual([]);
        expect(await store.scheduledMessages.get(b, w.scheduled.id)).toBeNull();
        expect(await store.scheduledMessages.list({ tenantId: b, ids: [w.scheduled.id], leadId: w.lead.id })).toEqual([]);
        expect(await store.scheduledMessages.stats({ now, tenantId: b })).toMatchObject({ pending: 0, duePending: 0 });
        expect(await store.outbox.list({ tenantId: b, aggregateId: w.lead.id })).toEqual([]);
        expect(await store.outbox.stats({ topic: 'crm', tenantId: b })).toMatchObject({ pending: 0 });
        expect(await store.syncStates.get(b, w.lead.id)).toBeNull();
        expect(await store.alerts.listOpen({ tenantId: b })).toEqual([]);
        expect(await store.apiKeys.list(b)).toEqual([]);
        expect(await store.oauthTokens.get(b, w.token.provider)).toBeNull();
        expect(await store.idempotencyKeys.lookup({ tenantId: b, key: 'k-1', requestHash: 'h', now })).toBeNull();
      });
    });

    describe('tenant B changes nothing of tenant A', () => {
      it('through every write of every repository', async () => {
        const w = await twoTenants(store);
        const { b } = w;
        await expectSdrError(store.leads.update({ ...w.lead, tenantId: b, stage: 'lost' }), NotFoundError);
        await expectSdrError(store.appointments.update({ ...w.appointment, tenantId: b, status: 'cancelled' }), NotFoundError);
        await expectSdrError(store.contacts.update({ ...w.contact, tenantId: b, optedOut: true }), NotFoundError);
        await expectSdrError(store.billingCycles.update({ ...w.cycle, tenantId: b, status: 'paid' }), NotFoundError);
        expect(await store.templates.delete(b, w.template.key, w.template.locale)).toBe(false);
        expect(await store.scheduledMessages.cancel({ tenantId: b, ids: [w.scheduled.id] }, { reason: 'hijack', now })).toEqual([]);
        expect(await store.scheduledMessages.cancel({ tenantId: b, leadId: w.lead.id }, { reason: 'hijack', now })).toEqual([]);
        expect(await store.alerts.resolve({ tenantId: b, kind: w.alert.kind, key: w.alert.key, now })).toBeNull();
        expect(await store.apiKeys.revoke({ tenantId: b, id: w.apiKey.id, now })).toBe(false);
        expect(await store.apiKeys.touch({ tenantId: b, id: w.apiKey.id, now })).toBe(false);

        expect(await store.leads.get(w.a, w.lead.id)).toEqual(w.lead);
        expect(await store.appointments.get(w.a, w.appointment.id)).toEqual(w.appointment);
        expect(await store.contacts.get(w.a, w.contact.id)).toEqual(w.contact);
        expect(await store.billingCycles.get(w.a, w.cycle.id)).toEqual(w.cycle);
        expect(await store.templates.get(w.a, w.template.key, w.template.locale)).toEqual(w.template);
        expect((await store.scheduledMessages.get(w.a, w.scheduled.id))?.status).toBe('pending');
        expect((await store.alerts.listOpen({ tenantId: w.a })).map((alert) => alert.id)).toEqual([w.alert.id]);
        expect((await store.apiKeys.findByPrefix(w.apiKey.prefix))?.revokedAt).toBeNull();
      });

      it('the database refuses a row of tenant B that points at a row of tenant A', async () => {
        const w = await twoTenants(store);
        const { b } = w;
        await expectSdrError(store.messages.append(buildMessage({ tenantId: b, leadId: w.lead.id })), ValidationError);
        await expectSdrError(store.appointments.create(buildAppointment({ tenantId: b, leadId: w.lead.id })), ValidationError);
        await expectSdrError(store.billingCycles.create(buildBillingCycle({ tenantId: b, contactId: w.contact.id })), ValidationError);
        await expectSdrError(
          store.scheduledMessages.schedule(buildScheduledMessageInput({ tenantId: b, leadId: w.lead.id })),
          ValidationError,
        );
        const otherLead = await store.leads.create(buildLead({ tenantId: b }));
        await expectSdrError(
          store.scheduledMessages.schedule(
            buildScheduledMessageInput({ tenantId: b, leadId: otherLead.id, appointmentId: w.appointment.id }),
          ),
          ValidationError,
        );
        const error = await expectSdrError(store.leads.create(buildLead({ tenantId: randomUUID() })), ValidationError);
        expect(error.fieldErrors[0]?.field).toBe('tenantId');
      });
    });
  });

  describe('transactions', () => {
    let store: Store;
    let tenantId: string;
    beforeEach(async () => {
      await database().reset();
      store = createPostgresStore({ db: database().db, clock: new VirtualClock('2031-11-01T00:00:00.000Z') });
      tenantId = (await store.tenants.create(buildTenant())).id;
    });

    it('a DuplicateError or SlotUnavailableError caught inside the unit undoes that write alone; the rest commits', async () => {
      const taken = await store.leads.create(buildLead({ tenantId }));
      const booked = await store.appointments.create(buildAppointment({ tenantId, leadId: taken.id, calendarId: 'sales' }));
      const fresh = buildLead({ tenantId });
      const outcome = await store.transaction(async (tx) => {
        await tx.leads.create(fresh);
        const duplicate = await tx.leads.create(buildLead({ tenantId, phone: taken.phone })).catch((error: unknown) => error);
        const overlap = await tx.appointments
          .create(buildAppointment({ tenantId, leadId: fresh.id, calendarId: 'sales', start: booked.start }))
          .catch((error: unknown) => error);
        await tx.outbox.append(buildOutboxEntryInput({ tenantId, aggregateId: fresh.id }));
        return { duplicate, overlap };
      });
      expect(DuplicateError.isInstance(outcome.duplicate)).toBe(true);
      expect(SlotUnavailableError.isInstance(outcome.overlap)).toBe(true);
      expect(await store.leads.get(tenantId, fresh.id)).toEqual(fresh);
      expect(await store.outbox.list({ tenantId, aggregateId: fresh.id })).toHaveLength(1);
    });

    it('a write through the store itself inside its transaction is refused (it would escape the unit); reads are served', async () => {
      const lead = await store.leads.create(buildLead({ tenantId }));
      await store.transaction(async (tx) => {
        await tx.leads.update({ ...lead, stage: 'qualifying' });
        const error = await expectSdrError(store.leads.create(buildLead({ tenantId })), SdrError);
        expect(error.message).toMatch(/inside store.transaction/);
        expect((await store.leads.get(tenantId, lead.id))?.id).toBe(lead.id);
      });
      expect((await store.leads.get(tenantId, lead.id))?.stage).toBe('qualifying');
    });

    it('a nested transaction is refused; a repository used after its transaction ended is refused', async () => {
      let escaped: Parameters<Parameters<Store['transaction']>[0]>[0] | undefined;
      await store.transaction(async (tx) => {
        escaped = tx;
        await expectSdrError(
          store.transaction(() => Promise.resolve()),
          SdrError,
        );
      });
      const error = await expectSdrError(escaped?.leads.get(tenantId, tenantId) ?? Promise.resolve(), SdrError);
      expect(error.message).toMatch(/after its transaction ended/);
    });

    it("rethrows fn's own error untouched and keeps nothing of the unit", async () => {
      const failure = new Error('not an SdrError');
      const lead = buildLead({ tenantId });
      await expect(
        store.transaction(async (tx) => {
          await tx.leads.create(lead);
          throw failure;
        }),
      ).rejects.toBe(failure);
      expect(await store.leads.get(tenantId, lead.id)).toBeNull();
    });
  });
});
