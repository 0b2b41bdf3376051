/**
 * The follow-up engine on this store, not only on the in-memory double: a whole silence under
 * the real dispatcher (re-engagement #1, #2, then give-up moving the lead and writing its CRM
 * outbox entry in the same unit), an inbound reply cancelling what is pending, a booking
 * scheduling reminders inside the booking's transaction — on PGlite and PostgreSQL; and on
 * PostgreSQL, events racing on one lead from two pools.
 */
import { randomUUID } from 'node:crypto';
import {
  PhoneNumber,
  VirtualClock,
  createDispatcher,
  createDomainEvents,
  createFollowUpDispatchHandler,
  createFollowUpService,
  parseOrThrow,
  tenantSchema,
  type Store,
} from '@sdr/core';
import { createInMemoryMessaging } from '@sdr/core/testing';
import { buildAppointment, buildLead } from '@sdr/testkit';
import { beforeEach, expect, it } from 'vitest';
import { createPostgresStore } from '../store/postgres-store.js';
import { describeEachDriver, type TestDatabase } from '../test-support/test-database.js';

const hour = 3_600_000;

async function followUpWorld(database: TestDatabase, db = database.db) {
  const clock = new VirtualClock('2026-03-02T13:00:00Z');
  const store: Store = createPostgresStore({ db, clock });
  const now = clock.now();
  const tenant = await store.tenants.create(
    parseOrThrow(tenantSchema, {
      id: randomUUID(),
      name: 'Acme',
      timeZone: 'America/Sao_Paulo',
      createdAt: now,
      updatedAt: now,
      version: 0,
    }),
  );
  const lead = await store.leads.create(
    buildLead({
      tenantId: tenant.id,
      phone: PhoneNumber.parse('+55 11 98765-4321'),
      name: 'Ana Souza',
      stage: 'qualifying',
      createdAt: now,
      updatedAt: now,
    }),
  );
  const events = createDomainEvents();
  const followUp = createFollowUpService({ store, clock, events });
  const messaging = createInMemoryMessaging({ clock });
  const dispatcher = createDispatcher({
    store,
    messaging,
    clock,
    handlers: [createFollowUpDispatchHandler({ followUp, events })],
    pacing: false,
  });
  const rows = async () =>
    (await store.scheduledMessages.list({ tenantId: tenant.id, leadId: lead.id })).map((row) => [row.kind, row.status]);
  return { clock, store, tenant, lead, followUp, messaging, dispatcher, rows };
}

describeEachDriver('follow-up engine on the PostgreSQL store', (database, driver) => {
  beforeEach(async () => {
    await database().reset();
  });

  it('a whole silence: #1 after 30 min, #2 24 h after it was sent, then give-up moves the lead and writes its CRM outbox entry', async () => {
    const w = await followUpWorld(database());
    await w.followUp.handle({ tenant: w.tenant, leadId: w.lead.id, event: { type: 'outbound_sent', at: w.clock.now() } });
    expect(await w.rows()).toEqual([['reengage_1', 'pending']]);
    await w.clock.advance(30 * 60_000);
    await w.dispatcher.runOnce();
    expect(w.messaging.sent.map((sent) => sent.text.slice(0, 6))).toEqual(['Oi Ana']);
    await w.clock.advance(24 * hour);
    await w.dispatcher.runOnce();
    expect(w.messaging.sent).toHaveLength(2);
    await w.clock.advance(24 * hour);
    await w.dispatcher.runOnce();
    expect(w.messaging.sent).toHaveLength(2);
    expect(await w.rows()).toEqual([
      ['reengage_1', 'sent'],
      ['reengage_2', 'sent'],
      ['give_up', 'sent'],
    ]);
    expect(await w.store.leads.get(w.tenant.id, w.lead.id)).toMatchObject({ stage: 'not_interested', automation: 'stopped' });
    expect(await w.store.outbox.list({ tenantId: w.tenant.id, aggregateId: w.lead.id })).toEqual([
      expect.objectContaining({
        topic: 'crm',
        aggregateType: 'lead',
        aggregateId: w.lead.id,
        type: 'lead.stage_changed',
        payload: { from: 'qualifying', to: 'not_interested', source: 'automation' },
        status: 'pending',
      }),
    ]);
  });

  it('an inbound reply cancels the pending re-engagement; nothing is sent', async () => {
    const w = await followUpWorld(database());
    await w.followUp.handle({ tenant: w.tenant, leadId: w.lead.id, event: { type: 'outbound_sent', at: w.clock.now() } });
    await w.clock.advance(10 * 60_000);
    const result = await w.followUp.handle({ tenant: w.tenant, leadId: w.lead.id, event: { type: 'inbound_received', at: w.clock.now() } });
    expect(result.cancelled.map((row) => row.kind)).toEqual(['reengage_1']);
    await w.clock.advance(hour);
    expect((await w.dispatcher.runOnce()).claimed).toBe(0);
    expect(await w.rows()).toEqual([['reengage_1', 'cancelled']]);
  });

  it("a booking schedules the 24 h and 2 h reminders inside the booking's own transaction", async () => {
    const w = await followUpWorld(database());
    const appointment = buildAppointment({ tenantId: w.tenant.id, leadId: w.lead.id, start: new Date('2026-03-05T14:00:00Z') });
    await w.store.transaction(async (tx) => {
      await tx.appointments.create(appointment);
      await w.followUp.onAppointmentChange({ type: 'booked', appointment }, { tx, tenant: w.tenant, now: w.clock.now() });
    });
    const reminders = await w.store.scheduledMessages.list({ tenantId: w.tenant.id, appointmentId: appointment.id });
    expect(reminders.map((row) => [row.kind, row.dueAt.toISOString()])).toEqual([
      ['reminder_24h', '2026-03-04T14:00:00.000Z'],
      ['reminder_2h', '2026-03-05T12:00:00.000Z'],
    ]);
    expect((await w.store.leads.get(w.tenant.id, w.lead.id))?.stage).toBe('meeting_scheduled');
  });

  // Found here, not on the in-memory store (which runs transactions one at a time): an
  // `outbound_sent` racing a handoff can leave its re-engagement pending for a lead now in
  // handoff, because only events that change the lead take its version. What must hold — and
  // does — is that the dispatcher's re-validation never sends it.
  it.skipIf(driver === 'pglite')('events racing on one lead from two pools: a lead in handoff is never re-engaged', async () => {
    const w = await followUpWorld(database(), database().newPool(4));
    const other = createFollowUpService({ store: createPostgresStore({ db: database().newPool(4), clock: w.clock }), clock: w.clock });
    const at = w.clock.now();
    await Promise.all([
      w.followUp.handle({ tenant: w.tenant, leadId: w.lead.id, event: { type: 'outbound_sent', at } }),
      other.handle({ tenant: w.tenant, leadId: w.lead.id, event: { type: 'outbound_sent', at } }),
      w.followUp.handle({
        tenant: w.tenant,
        leadId: w.lead.id,
        event: { type: 'handoff', reason: 'asked for a human', requestedBy: 'lead' },
      }),
    ]);
    expect((await w.store.leads.get(w.tenant.id, w.lead.id))?.automation).toBe('paused_handoff');
    const reengagements = await w.store.scheduledMessages.list({ tenantId: w.tenant.id, leadId: w.lead.id, kinds: ['reengage_1'] });
    expect(reengagements.length).toBeLessThanOrEqual(1);
    await w.clock.advance(48 * hour);
    await w.dispatcher.runOnce();
    expect(w.messaging.sent).toEqual([]);
  });
});
