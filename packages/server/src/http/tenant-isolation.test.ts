/**
 * Every tenant route, tried with another tenant's key and the first tenant's ids: a 404 problem
 * (never a 403, which would confirm the id exists), and nothing written anywhere.
 */
import { describe, expect, it } from 'vitest';
import { billingItem, bookableStart, seedThroughApi, type SeededIds } from './__fixtures__/api-scenario.js';
import { call, createTestWorld, type CallInput, type ItemsJson, type ProblemJson, type TestWorld } from './__fixtures__/test-context.js';

type Attempt = Omit<CallInput, 'key'>;

function attempts(ids: SeededIds, contactId: string): [string, Attempt][] {
  const lead = `/v1/leads/${ids.leadId}`;
  const appointment = `/v1/appointments/${ids.appointmentId}`;
  const cycle = `/v1/billing/cycles/${ids.billingCycleId}`;
  return [
    ['get lead', { method: 'GET', url: lead }],
    ['patch lead', { method: 'PATCH', url: lead, body: { name: 'Mallory' } }],
    ['inbound message', { method: 'POST', url: `${lead}/messages`, body: { direction: 'inbound', body: 'hi', providerMessageId: 'x-1' } }],
    ['outbound message', { method: 'POST', url: `${lead}/messages`, body: { direction: 'outbound', body: 'hi' } }],
    ['list messages', { method: 'GET', url: `${lead}/messages` }],
    ['set stage', { method: 'POST', url: `${lead}/stage`, body: { stage: 'lost' } }],
    ['handoff', { method: 'POST', url: `${lead}/handoff`, body: { reason: 'take over' } }],
    ['resume', { method: 'POST', url: `${lead}/resume` }],
    ['opt out', { method: 'POST', url: `${lead}/opt-out` }],
    ['scheduled messages of a lead', { method: 'GET', url: `${lead}/scheduled-messages` }],
    ['explain', { method: 'GET', url: `/v1/scheduled-messages/${ids.scheduledMessageId}/explain` }],
    ['slots for a lead', { method: 'GET', url: `/v1/slots?leadId=${ids.leadId}` }],
    ['slots for moving an appointment', { method: 'GET', url: `/v1/slots?reschedulingAppointmentId=${ids.appointmentId}` }],
    ['book', { method: 'POST', url: `${lead}/appointments`, body: { start: '2026-03-04T13:00:00Z' } }],
    ['book as operator', { method: 'POST', url: `${lead}/appointments`, body: { start: '2026-03-04T13:00:00Z', actor: 'operator' } }],
    ['list appointments', { method: 'GET', url: `${lead}/appointments` }],
    ['get appointment', { method: 'GET', url: appointment }],
    ['reschedule', { method: 'POST', url: `${appointment}/reschedule`, body: { start: '2026-03-04T13:00:00Z' } }],
    ['cancel appointment', { method: 'POST', url: `${appointment}/cancel` }],
    ['get cycle', { method: 'GET', url: cycle }],
    ['pay cycle', { method: 'POST', url: `${cycle}/pay` }],
    ['cancel cycle', { method: 'POST', url: `${cycle}/cancel` }],
    ['opt a contact out', { method: 'POST', url: '/v1/billing/contacts/opt-out', body: { contactId } }],
  ];
}

/** Every table but the ones a request of the intruder legitimately writes (its key's last use, its idempotency records). */
function domainRows(world: TestWorld): unknown {
  const { apiKeys: _apiKeys, idempotencyKeys: _idempotencyKeys, ...rest } = world.store.dump();
  return JSON.parse(JSON.stringify(rest));
}

describe('tenant isolation', async () => {
  const world = await createTestWorld();
  const ids = await seedThroughApi(world, world.acme);
  const contactId = world.store.dump().contacts[0]?.id ?? '';

  it.each(attempts(ids, contactId))('%s with another tenant’s key ⇒ 404, nothing written', async (_label, attempt) => {
    const before = domainRows(world);
    const response = await call<ProblemJson>(world.app, {
      ...attempt,
      key: world.globex.key,
      headers: { 'idempotency-key': crypto.randomUUID() },
    });
    expect(response.status).toBe(404);
    expect(response.body.code).toBe('not_found');
    expect(response.text).not.toContain('Ana');
    expect(domainRows(world)).toEqual(before);
  });

  it('applying the first tenant’s plan hash computes the intruder’s own plan, which does not match: 409, nothing written', async () => {
    const before = domainRows(world);
    const response = await call(world.app, {
      method: 'POST',
      url: `/v1/billing/plans/${ids.planHash}/apply`,
      key: world.globex.key,
      body: { items: [billingItem('INV-1')] },
    });
    expect(response.status).toBe(409);
    expect(domainRows(world)).toEqual(before);
  });

  it.each(['/v1/leads', '/v1/billing/cycles', `/v1/billing/cycles?contactId=${contactId}`, '/v1/alerts', '/v1/templates'])(
    'the list %s shows the intruder nothing of the first tenant',
    async (url) => {
      const response = await call<ItemsJson>(world.app, { method: 'GET', url, key: world.globex.key });
      expect(response.status).toBe(200);
      expect(response.body.items).toEqual([]);
    },
  );

  it('the owner still sees and changes its data (the 404s were isolation, not breakage)', async () => {
    expect((await call(world.app, { method: 'GET', url: `/v1/leads/${ids.leadId}`, key: world.acme.key })).status).toBe(200);
    const moved = await call(world.app, {
      method: 'POST',
      url: `/v1/appointments/${ids.appointmentId}/reschedule`,
      key: world.acme.key,
      body: { start: bookableStart.replace('13:00', '16:00') },
    });
    expect(moved.status).toBe(200);
  });

  it('an appointment id the first tenant used is free for the intruder: booked as new, revealing nothing, each tenant keeping its own', async () => {
    // Each tenant books on the calendar it connected (the tests share one calendar service).
    const globex = await world.store.tenants.get(world.globex.tenant.id);
    if (globex === null) throw new Error('the second tenant is gone');
    await world.store.tenants.update({ ...globex, booking: { ...globex.booking, calendarId: 'globex-calendar' } });
    const lead = await call<{ id: string }>(world.app, {
      method: 'POST',
      url: '/v1/leads',
      key: world.globex.key,
      body: { phone: '+55 11 98765-1111', name: 'Bia' },
    });
    expect(lead.status).toBe(201);
    const start = bookableStart.replace('13:00', '17:00');
    const book = () =>
      call<{ appointment: { id: string; leadId: string; start: string } }>(world.app, {
        method: 'POST',
        url: `/v1/leads/${lead.body.id}/appointments`,
        key: world.globex.key,
        body: { start, appointmentId: ids.appointmentId },
      });
    const booked = await book();
    expect(booked.status, booked.text).toBe(201);
    expect(booked.body.appointment).toMatchObject({ id: ids.appointmentId, leadId: lead.body.id, start });
    // The id is the intruder's idempotency key now: the same request again is the same booking.
    const again = await book();
    expect(again.status).toBe(200);
    expect(again.body.appointment).toMatchObject({ id: ids.appointmentId, leadId: lead.body.id });
    const owners = await Promise.all(
      [world.acme, world.globex].map(
        async (tenant) =>
          (await call<{ leadId: string }>(world.app, { method: 'GET', url: `/v1/appointments/${ids.appointmentId}`, key: tenant.key })).body
            .leadId,
      ),
    );
    expect(owners).toEqual([ids.leadId, lead.body.id]);
  });
});
