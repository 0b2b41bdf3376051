/**
 * One tenant's data created through the API — a lead with messages, a booked appointment, a
 * billing cycle, a template — so that tests can act on it (and try it with another tenant's key).
 */
import { expect } from 'vitest';
import { call, type IdJson, type ItemsJson, type TestTenant, type TestWorld } from './test-context.js';

/** Ids of what `seedThroughApi` created. */
export interface SeededIds {
  readonly leadId: string;
  readonly appointmentId: string;
  readonly billingCycleId: string;
  readonly scheduledMessageId: string;
  readonly planHash: string;
}

/** A billing item due a week after the test start. */
export function billingItem(externalBillingId: string, phone = '+55 11 91234-5678') {
  return { externalBillingId, customer: { name: 'Bruno Lima', phone }, amount: 12_345, currency: 'BRL', dueDate: '2026-03-09' };
}

/** Tuesday 3 March 2026, 10:00 in São Paulo: a bookable slot of the test tenants. */
export const bookableStart = '2026-03-03T13:00:00.000Z';

/** Creates a lead, its conversation, an appointment and a billing cycle for `tenant`. */
export async function seedThroughApi(world: TestWorld, tenant: TestTenant): Promise<SeededIds> {
  const key = tenant.key;
  const lead = await call<IdJson>(world.app, { method: 'POST', url: '/v1/leads', key, body: { phone: '+55 11 98765-4321', name: 'Ana' } });
  expect(lead.status).toBe(201);
  const leadId = lead.body.id;
  const outbound = await call(world.app, {
    method: 'POST',
    url: `/v1/leads/${leadId}/messages`,
    key,
    body: { direction: 'outbound', body: 'Oi Ana! Podemos conversar?' },
  });
  expect(outbound.status).toBe(201);
  const booked = await call<{ appointment: IdJson }>(world.app, {
    method: 'POST',
    url: `/v1/leads/${leadId}/appointments`,
    key,
    body: { start: bookableStart },
  });
  expect(booked.status).toBe(201);
  const scheduled = await call<ItemsJson>(world.app, { method: 'GET', url: `/v1/leads/${leadId}/scheduled-messages`, key });
  const scheduledMessageId = scheduled.body.items[0]?.id ?? '';
  const imported = await call<{ planHash: string; items: { billingCycleId: string }[] }>(world.app, {
    method: 'POST',
    url: '/v1/billing/imports',
    key,
    body: { items: [billingItem('INV-1')] },
  });
  expect(imported.status).toBe(201);
  return {
    leadId,
    appointmentId: booked.body.appointment.id,
    billingCycleId: imported.body.items[0]?.billingCycleId ?? '',
    scheduledMessageId,
    planHash: imported.body.planHash,
  };
}
