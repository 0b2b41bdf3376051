import {
  AbortedError,
  PhoneNumber,
  ProviderUnavailableError,
  VirtualClock,
  classifyError,
  createDomainEvents,
  SlotUnavailableError,
  type MessagingPort,
} from '@sdr/core';
import { createInMemoryMessaging, createInMemoryStore } from '@sdr/core/testing';
import { describe, expect, it } from 'vitest';
import { createTestWorld } from '../http/__fixtures__/test-context.js';
import { seedLead, testStart } from './__fixtures__/observability-database.js';
import { sample } from './__fixtures__/prometheus-text.js';
import { instrumentBookingService } from './instrument-booking.js';
import { instrumentPort } from './instrument-port.js';
import { createMetrics } from './metrics.js';

function metricsOnMemory() {
  const clock = new VirtualClock(testStart);
  return createMetrics({ store: createInMemoryStore({ clock }), clock, events: createDomainEvents(), defaultMetrics: false });
}

/** A monotonic time source that moves `stepMs` per reading. */
function ticking(stepMs: number): () => number {
  let now = 0;
  return () => (now += stepMs);
}

describe('instrumentPort', () => {
  it('keeps the port’s properties and type, and times each call by provider, operation and outcome', async () => {
    const clock = new VirtualClock(testStart);
    const messaging = createInMemoryMessaging({ clock });
    const metrics = metricsOnMemory();
    const port: MessagingPort = instrumentPort(messaging, { kind: 'messaging', metrics, now: ticking(250) });

    expect(port.contractVersion).toBe('v1');
    expect(port.provider).toBe(messaging.provider);
    expect(port.channel).toBe(messaging.channel);
    expect(port.capabilities).toBe(messaging.capabilities);
    // The same wrapper each time a method is read (it is created once per method).
    const { proxiedOnce, proxiedTwice } = {
      proxiedOnce: Reflect.get(port, 'sendText') as unknown,
      proxiedTwice: Reflect.get(port, 'sendText') as unknown,
    };
    expect(proxiedOnce).toBe(proxiedTwice);

    const result = await port.sendText({ instance: 'main', to: PhoneNumber.fromE164('+5511999990000'), text: 'hi', idempotencyKey: 'k1' });
    expect(result.providerMessageId).toBe(messaging.sent[0]?.providerMessageId);
    await port.health({ instance: 'main' });

    const text = await metrics.render();
    const labels = { provider: messaging.provider, operation: 'sendText', outcome: 'success' };
    expect(sample(text, 'sdr_provider_request_duration_seconds_count', labels)).toBe(1);
    expect(sample(text, 'sdr_provider_request_duration_seconds_sum', labels)).toBe(0.25);
    expect(sample(text, 'sdr_provider_request_duration_seconds_count', { ...labels, operation: 'health' })).toBe(1);
  });

  it('re-throws the port’s error untouched and counts it by code', async () => {
    const clock = new VirtualClock(testStart);
    const messaging = createInMemoryMessaging({ clock });
    messaging.setInstanceHealth('main', 'down');
    const metrics = metricsOnMemory();
    const port = instrumentPort(messaging, { kind: 'messaging', metrics, now: ticking(100) });
    const phone = PhoneNumber.fromE164('+5511999990000');

    let direct: unknown;
    await messaging.sendText({ instance: 'main', to: phone, text: 'hi', idempotencyKey: 'k1' }).catch((error: unknown) => (direct = error));
    let wrapped: unknown;
    await port.sendText({ instance: 'main', to: phone, text: 'hi', idempotencyKey: 'k2' }).catch((error: unknown) => (wrapped = error));
    expect(ProviderUnavailableError.isInstance(wrapped)).toBe(true);
    expect(Object.getPrototypeOf(wrapped)).toBe(Object.getPrototypeOf(direct));
    expect((wrapped as Error).message).toBe((direct as Error).message);

    const thrown = new TypeError('boom');
    const failing = {
      contractVersion: 'v1' as const,
      provider: 'kommo',
      capabilities: { batchUpdate: false },
      getLead: () => Promise.reject(thrown),
    };
    const crm = instrumentPort(failing, { kind: 'crm', metrics, now: ticking(100) });
    await expect(crm.getLead()).rejects.toBe(thrown);
    expect(crm.capabilities).toBe(failing.capabilities);

    const text = await metrics.render();
    expect(
      sample(text, 'sdr_provider_errors_total', {
        provider: messaging.provider,
        operation: 'sendText',
        code: (wrapped as ProviderUnavailableError).code,
      }),
    ).toBe(1);
    expect(sample(text, 'sdr_provider_errors_total', { provider: 'kommo', operation: 'getLead', code: classifyError(thrown).code })).toBe(
      1,
    );
    expect(sample(text, 'sdr_provider_request_duration_seconds_count', { provider: 'kommo', operation: 'getLead', outcome: 'error' })).toBe(
      1,
    );
  });

  it('passes the call options through; a call its caller aborted is timed as aborted, not counted as a provider error', async () => {
    const clock = new VirtualClock(testStart);
    const messaging = createInMemoryMessaging({ clock });
    const metrics = metricsOnMemory();
    const port = instrumentPort(messaging, { kind: 'messaging', metrics, now: ticking(100) });
    const controller = new AbortController();
    controller.abort();
    const input = { instance: 'main', to: PhoneNumber.fromE164('+5511999990000'), text: 'hi', idempotencyKey: 'k1' };

    const error = await port.sendText(input, { signal: controller.signal }).catch((caught: unknown) => caught);
    expect(AbortedError.isInstance(error)).toBe(true);
    expect(messaging.sent).toEqual([]);

    const text = await metrics.render();
    const labels = { provider: messaging.provider, operation: 'sendText' };
    expect(sample(text, 'sdr_provider_request_duration_seconds_count', { ...labels, outcome: 'aborted' })).toBe(1);
    expect(sample(text, 'sdr_provider_errors_total', { ...labels, code: 'aborted' })).toBeUndefined();
  });
});

describe('instrumentBookingService', () => {
  it('counts a slot refused to a second lead, and passes every result and error through', async () => {
    const world = await createTestWorld();
    const metrics = metricsOnMemory();
    const booking = instrumentBookingService(world.context.services.booking, { metrics });
    const tenantId = world.acme.tenant.id;
    const [first, second] = [
      await seedLead(world.store, tenantId, world.clock.now()),
      await seedLead(world.store, tenantId, world.clock.now()),
    ];
    const [slot] = await booking.findSlots({ tenantId, actor: { kind: 'operator' } });
    if (slot === undefined) throw new Error('the test tenant has no free slot');

    const booked = await booking.book({ tenantId, leadId: first.id, actor: { kind: 'operator' }, start: slot.start });
    expect(booked.created).toBe(true);
    const refused = await booking
      .book({ tenantId, leadId: second.id, actor: { kind: 'operator' }, start: slot.start })
      .catch((error: unknown) => error);
    expect(SlotUnavailableError.isInstance(refused)).toBe(true);
    await expect(booking.cancel({ tenantId, appointmentId: crypto.randomUUID(), actor: { kind: 'operator' } })).rejects.toThrow();

    expect(sample(await metrics.render(), 'sdr_booking_conflicts_total')).toBe(1);
  });
});
