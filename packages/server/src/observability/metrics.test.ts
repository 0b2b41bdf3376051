import { createDomainEvents, type Logger, type Store } from '@sdr/core';
import { describe, expect, it } from 'vitest';
import {
  appendCrmChange,
  describeEachDriver,
  hour,
  minute,
  schedule,
  seedLead,
  seedTenant,
  testStart,
} from './__fixtures__/observability-database.js';
import { sample } from './__fixtures__/prometheus-text.js';
import { createHeartbeats } from './heartbeats.js';
import { createMetrics } from './metrics.js';

const at = (ms: number) => new Date(testStart.getTime() + ms);

function recordingLogger(): Logger & { readonly warnings: Record<string, unknown>[] } {
  const warnings: Record<string, unknown>[] = [];
  return { debug() {}, info() {}, warn: (context) => warnings.push(context), error() {}, warnings };
}

describeEachDriver('createMetrics', (database) => {
  it('counts message outcomes by kind, channel and outcome from the domain events', async () => {
    const { clock, store } = await database().fresh();
    const events = createDomainEvents();
    const metrics = createMetrics({ store, clock, events, defaultMetrics: false });
    const tenant = await seedTenant(store, clock.now());
    const lead = await seedLead(store, tenant.id, clock.now());
    const sms = await schedule(store, { lead, dueAt: at(0), kind: 'reminder_2h', channel: 'sms' });
    const whatsapp = await schedule(store, { lead, dueAt: at(0), kind: 'reengage_1' });
    const base = { tenantId: tenant.id, at: clock.now() };

    events.emit('scheduled.sent', { ...base, scheduledMessageId: sms.id, kind: 'reminder_2h', providerMessageId: 'p-1' });
    events.emit('scheduled.sent', { ...base, scheduledMessageId: sms.id, kind: 'reminder_2h', providerMessageId: 'p-2' });
    events.emit('scheduled.skipped', { ...base, scheduledMessageId: whatsapp.id, kind: 'reengage_1', reason: 'replied' });
    events.emit('scheduled.cancelled', { ...base, scheduledMessageId: whatsapp.id, kind: 'reengage_1', reason: 'inbound' });
    events.emit('scheduled.failed', { ...base, scheduledMessageId: whatsapp.id, kind: 'reengage_1', error: 'x', final: false });
    events.emit('scheduled.failed', { ...base, scheduledMessageId: whatsapp.id, kind: 'reengage_1', error: 'x', final: true });
    // A row the store does not have (deleted, another tenant's id): counted, its channel unknown.
    events.emit('scheduled.sent', { ...base, scheduledMessageId: crypto.randomUUID(), kind: 'billing_step', providerMessageId: null });
    await metrics.settled();

    const text = await metrics.render();
    expect(sample(text, 'sdr_messages_total', { kind: 'reminder_2h', channel: 'sms', outcome: 'sent' })).toBe(2);
    expect(sample(text, 'sdr_messages_total', { kind: 'reengage_1', channel: 'whatsapp', outcome: 'skipped' })).toBe(1);
    expect(sample(text, 'sdr_messages_total', { kind: 'reengage_1', channel: 'whatsapp', outcome: 'cancelled' })).toBe(1);
    // Only the final failure is a message's outcome; the retried attempt is not counted here.
    expect(sample(text, 'sdr_messages_total', { kind: 'reengage_1', channel: 'whatsapp', outcome: 'failed' })).toBe(1);
    expect(sample(text, 'sdr_messages_total', { kind: 'billing_step', channel: 'unknown', outcome: 'sent' })).toBe(1);
    expect(text).not.toContain(tenant.id);

    metrics.close();
    events.emit('scheduled.sent', { ...base, scheduledMessageId: sms.id, kind: 'reminder_2h', providerMessageId: 'p-3' });
    await metrics.settled();
    expect(sample(await metrics.render(), 'sdr_messages_total', { kind: 'reminder_2h', channel: 'sms', outcome: 'sent' })).toBe(2);
  });

  it('reads the scheduler, outbox, alert and heartbeat gauges from the store at scrape time, across tenants', async () => {
    const { clock, store } = await database().fresh();
    const heartbeats = createHeartbeats({ db: database().database, clock, processId: 'host-a:1' });
    const metrics = createMetrics({ store, clock, events: createDomainEvents(), heartbeats, defaultMetrics: false });

    let text = await metrics.render();
    expect(sample(text, 'sdr_scheduler_lag_seconds')).toBe(0);
    expect(sample(text, 'sdr_scheduler_pending_messages')).toBe(0);
    expect(sample(text, 'sdr_crm_sync_lag_seconds')).toBe(0);
    expect(sample(text, 'sdr_outbox_depth', { topic: 'crm' })).toBe(0);

    const acme = await seedLead(store, (await seedTenant(store, clock.now())).id, clock.now());
    const globex = await seedLead(store, (await seedTenant(store, clock.now())).id, clock.now());
    await schedule(store, { lead: acme, dueAt: at(-10 * minute) });
    await schedule(store, { lead: globex, dueAt: at(-30 * minute) });
    await schedule(store, { lead: globex, dueAt: at(hour) });
    await appendCrmChange(store, acme);
    await appendCrmChange(store, globex);
    await heartbeats.beat('dispatcher-1', 'dispatcher');
    await store.alerts.raise({
      tenantId: acme.tenantId,
      kind: 'messages_stuck',
      key: 'k',
      severity: 'critical',
      message: 'm',
      details: {},
      now: clock.now(),
    });
    await store.alerts.raise({
      tenantId: globex.tenantId,
      kind: 'messages_stuck',
      key: 'k',
      severity: 'critical',
      message: 'm',
      details: {},
      now: clock.now(),
    });
    await store.alerts.raise({
      tenantId: null,
      kind: 'dispatcher_heartbeat',
      key: 'k',
      severity: 'critical',
      message: 'm',
      details: {},
      now: clock.now(),
    });
    await clock.advance(5 * minute);

    text = await metrics.render();
    expect(sample(text, 'sdr_scheduler_lag_seconds')).toBe(35 * 60);
    expect(sample(text, 'sdr_scheduler_pending_messages')).toBe(3);
    expect(sample(text, 'sdr_scheduler_stuck_messages')).toBe(0);
    expect(sample(text, 'sdr_outbox_depth', { topic: 'crm' })).toBe(2);
    expect(sample(text, 'sdr_outbox_depth', { topic: 'calendar' })).toBe(0);
    expect(sample(text, 'sdr_crm_sync_lag_seconds')).toBe(5 * 60);
    expect(sample(text, 'sdr_alerts_open', { kind: 'messages_stuck', severity: 'critical' })).toBe(2);
    expect(sample(text, 'sdr_alerts_open', { kind: 'dispatcher_heartbeat', severity: 'critical' })).toBe(1);
    expect(sample(text, 'sdr_worker_last_heartbeat_seconds', { component: 'dispatcher' })).toBe(5 * 60);

    // A claimed row whose lease runs out is stuck; a resolved alert leaves the gauge.
    await store.scheduledMessages.claimDue({ now: clock.now(), limit: 1, workerId: 'w', leaseMs: minute });
    await clock.advance(2 * minute);
    await store.alerts.resolve({ tenantId: null, kind: 'dispatcher_heartbeat', key: 'k', now: clock.now() });
    text = await metrics.render();
    expect(sample(text, 'sdr_scheduler_stuck_messages')).toBe(1);
    expect(sample(text, 'sdr_scheduler_pending_messages')).toBe(2);
    expect(sample(text, 'sdr_alerts_open', { kind: 'dispatcher_heartbeat', severity: 'critical' })).toBeUndefined();
  });

  it('keeps serving the last values when a store read fails during a scrape', async () => {
    const { clock, store } = await database().fresh();
    const lead = await seedLead(store, (await seedTenant(store, clock.now())).id, clock.now());
    await schedule(store, { lead, dueAt: at(-minute) });
    let broken = false;
    const flaky: Store = {
      ...store,
      scheduledMessages: {
        ...store.scheduledMessages,
        stats: (input) => (broken ? Promise.reject(new Error('connection terminated')) : store.scheduledMessages.stats(input)),
      },
    };
    const logger = recordingLogger();
    const metrics = createMetrics({ store: flaky, clock, events: createDomainEvents(), logger, defaultMetrics: false });
    expect(sample(await metrics.render(), 'sdr_scheduler_pending_messages')).toBe(1);

    broken = true;
    await appendCrmChange(store, lead);
    const text = await metrics.render();
    expect(sample(text, 'sdr_scheduler_pending_messages')).toBe(1);
    expect(sample(text, 'sdr_scheduler_lag_seconds')).toBe(60);
    expect(sample(text, 'sdr_outbox_depth', { topic: 'crm' })).toBe(1);
    expect(sample(text, 'sdr_metrics_scrape_errors_total', { source: 'scheduler' })).toBe(1);
    expect(logger.warnings).toEqual([expect.objectContaining({ source: 'scheduler' })]);
  });
});

describe('createMetrics defaults', () => {
  it('registers the process metrics unless told not to', async () => {
    const { createInMemoryStore } = await import('@sdr/core/testing');
    const { VirtualClock } = await import('@sdr/core');
    const clock = new VirtualClock(testStart);
    const store = createInMemoryStore({ clock });
    const withDefaults = createMetrics({ store, clock, events: createDomainEvents() });
    expect(await withDefaults.render()).toContain('process_cpu_user_seconds_total');
    expect(withDefaults.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    const without = createMetrics({ store, clock, events: createDomainEvents(), defaultMetrics: false });
    expect(await without.render()).not.toContain('process_cpu_user_seconds_total');
  });
});
