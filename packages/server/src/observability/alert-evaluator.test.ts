import { ValidationError, createDomainEvents, type DomainEventMap, type Store } from '@sdr/core';
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
import { createAlertEvaluator } from './alert-evaluator.js';
import { resolveAlertThresholds } from './alert-thresholds.js';
import { createHeartbeats } from './heartbeats.js';

const at = (ms: number) => new Date(testStart.getTime() + ms);

/** The alert events a bus carried, as `raised:<kind>:<tenant>` / `resolved:<kind>:<tenant>`. */
function recordAlertEvents(events: ReturnType<typeof createDomainEvents>): string[] {
  const seen: string[] = [];
  const name = (event: { readonly kind: string; readonly tenantId: string | null }) => `${event.kind}:${event.tenantId ?? 'global'}`;
  events.on('alert.raised', (event: DomainEventMap['alert.raised']) => seen.push(`raised:${name(event)}`));
  events.on('alert.resolved', (event: DomainEventMap['alert.resolved']) => seen.push(`resolved:${name(event)}`));
  return seen;
}

describeEachDriver('createAlertEvaluator', (database) => {
  const setUp = async () => {
    const { clock, store } = await database().fresh();
    const events = createDomainEvents();
    const seen = recordAlertEvents(events);
    const heartbeats = createHeartbeats({ db: database().database, clock, processId: 'host-a:1' });
    // A dispatcher that beats keeps the heartbeat rule quiet in the tests of the other rules.
    await heartbeats.beat('dispatcher-1', 'dispatcher');
    const evaluator = createAlertEvaluator({ store, clock, heartbeats, events });
    return { clock, store, events, seen, heartbeats, evaluator };
  };
  const openKinds = async (store: Store, tenantId: string | null) => (await store.alerts.listOpen({ tenantId })).map((alert) => alert.kind);

  it('raises messages_stuck for the tenant with a message due over 2 h ago, once, and resolves it when sent', async () => {
    const { clock, store, seen, heartbeats, evaluator } = await setUp();
    const acme = await seedLead(store, (await seedTenant(store, clock.now())).id, clock.now());
    const globex = await seedLead(store, (await seedTenant(store, clock.now())).id, clock.now());
    const late = await schedule(store, { lead: acme, dueAt: at(0) });
    await schedule(store, { lead: globex, dueAt: at(hour) });

    await clock.advance(2 * hour);
    await heartbeats.beat('dispatcher-1', 'dispatcher');
    expect((await evaluator.evaluate()).firing).toEqual([]);
    await clock.advance(1);
    const report = await evaluator.evaluate();
    expect(report.raised).toEqual([{ tenantId: acme.tenantId, kind: 'messages_stuck', key: 'scheduled_messages' }]);
    expect(await openKinds(store, acme.tenantId)).toEqual(['messages_stuck']);
    expect(await openKinds(store, globex.tenantId)).toEqual([]);
    const [alert] = await store.alerts.listOpen({ tenantId: acme.tenantId });
    expect(alert).toMatchObject({ severity: 'critical', details: { duePending: 1, stuckSending: 0 } });

    const again = await evaluator.evaluate();
    expect(again).toMatchObject({ raised: [], resolved: [], firing: report.firing });

    await store.scheduledMessages.claimDue({ now: clock.now(), limit: 10, workerId: 'w', leaseMs: minute });
    await store.scheduledMessages.markSent({ id: late.id, workerId: 'w', now: clock.now(), providerMessageId: 'p' });
    expect((await evaluator.evaluate()).resolved).toEqual([{ tenantId: acme.tenantId, kind: 'messages_stuck', key: 'scheduled_messages' }]);
    expect(await openKinds(store, acme.tenantId)).toEqual([]);
    expect(seen).toEqual([`raised:messages_stuck:${acme.tenantId}`, `resolved:messages_stuck:${acme.tenantId}`]);
  });

  it('raises messages_stuck for a message left in sending past its lease', async () => {
    const { clock, store, seen, evaluator } = await setUp();
    const lead = await seedLead(store, (await seedTenant(store, clock.now())).id, clock.now());
    await schedule(store, { lead, dueAt: at(0) });
    await store.scheduledMessages.claimDue({ now: clock.now(), limit: 10, workerId: 'w', leaseMs: minute });
    expect((await evaluator.evaluate()).firing).toEqual([]);
    await clock.advance(minute);
    expect((await evaluator.evaluate()).raised).toEqual([{ tenantId: lead.tenantId, kind: 'messages_stuck', key: 'scheduled_messages' }]);
    await store.scheduledMessages.recoverStuck({ now: clock.now() });
    expect((await evaluator.evaluate()).resolved).toHaveLength(1);
    expect(seen).toEqual([`raised:messages_stuck:${lead.tenantId}`, `resolved:messages_stuck:${lead.tenantId}`]);
  });

  it('raises send_error_rate above 10 % of at least 20 attempts in 15 min, and resolves it as the window moves on', async () => {
    const { clock, store, events, seen, heartbeats, evaluator } = await setUp();
    const base = { tenantId: crypto.randomUUID(), scheduledMessageId: crypto.randomUUID(), kind: 'reengage_1' as const };
    const send = (count: number) => {
      for (let index = 0; index < count; index += 1) events.emit('scheduled.sent', { ...base, at: clock.now(), providerMessageId: null });
    };
    const fail = (count: number) => {
      for (let index = 0; index < count; index += 1)
        events.emit('scheduled.failed', { ...base, at: clock.now(), error: 'e', final: false });
    };
    send(10);
    fail(9);
    // 19 attempts: too few to judge, however many failed.
    expect((await evaluator.evaluate()).firing).toEqual([]);
    send(9);
    expect((await evaluator.evaluate()).firing).toEqual([{ tenantId: null, kind: 'send_error_rate', key: 'scheduled_messages' }]);
    expect(await openKinds(store, null)).toEqual(['send_error_rate']);
    const [alert] = await store.alerts.listOpen({ tenantId: null });
    expect(alert).toMatchObject({ severity: 'warning', details: { sent: 19, failed: 9 } });

    await clock.advance(15 * minute + 1);
    await heartbeats.beat('dispatcher-1', 'dispatcher');
    // 2 of 20 is 10 %: not above the threshold.
    send(18);
    fail(2);
    expect((await evaluator.evaluate()).resolved).toEqual([{ tenantId: null, kind: 'send_error_rate', key: 'scheduled_messages' }]);
    expect(seen).toEqual(['raised:send_error_rate:global', 'resolved:send_error_rate:global']);
    evaluator.close();
    fail(50);
    expect((await evaluator.evaluate()).firing).toEqual([]);
  });

  it('raises dispatcher_heartbeat after 24 h without a beat, and after 24 h of uptime when none ever beat', async () => {
    const { clock, store } = await database().fresh();
    const events = createDomainEvents();
    const seen = recordAlertEvents(events);
    const heartbeats = createHeartbeats({ db: database().database, clock, processId: 'host-a:1' });
    const evaluator = createAlertEvaluator({ store, clock, heartbeats, events });
    const heartbeatAlert = [{ tenantId: null, kind: 'dispatcher_heartbeat', key: 'dispatcher' }];

    await clock.advance(24 * hour);
    expect((await evaluator.evaluate()).firing).toEqual([]);
    await clock.advance(1);
    expect((await evaluator.evaluate()).raised).toEqual(heartbeatAlert);
    await heartbeats.beat('dispatcher-1', 'dispatcher');
    expect((await evaluator.evaluate()).resolved).toEqual(heartbeatAlert);

    await clock.advance(24 * hour + 1);
    expect((await evaluator.evaluate()).raised).toEqual(heartbeatAlert);
    const [alert] = await store.alerts.listOpen({ tenantId: null });
    expect(alert?.message).toContain('the last dispatcher heartbeat is from');
    expect(seen).toEqual([
      'raised:dispatcher_heartbeat:global',
      'resolved:dispatcher_heartbeat:global',
      'raised:dispatcher_heartbeat:global',
    ]);
  });

  it('raises crm_sync_lag when the oldest pending CRM change is older than 15 min, and resolves it once applied', async () => {
    const { clock, store, seen, heartbeats, evaluator } = await setUp();
    const lead = await seedLead(store, (await seedTenant(store, clock.now())).id, clock.now());
    await appendCrmChange(store, lead);
    await clock.advance(15 * minute);
    expect((await evaluator.evaluate()).firing).toEqual([]);
    await clock.advance(1);
    expect((await evaluator.evaluate()).raised).toEqual([{ tenantId: lead.tenantId, kind: 'crm_sync_lag', key: 'crm' }]);
    const [alert] = await store.alerts.listOpen({ tenantId: lead.tenantId });
    expect(alert).toMatchObject({ severity: 'warning', details: { pending: 1 } });

    const claimed = await store.outbox.claim({ topic: 'crm', now: clock.now(), workerId: 'sync', leaseMs: minute, maxAggregates: 10 });
    await store.outbox.complete({ ids: claimed.map((entry) => entry.id), workerId: 'sync', now: clock.now() });
    await heartbeats.beat('dispatcher-1', 'dispatcher');
    expect((await evaluator.evaluate()).resolved).toEqual([{ tenantId: lead.tenantId, kind: 'crm_sync_lag', key: 'crm' }]);
    expect(seen).toEqual([`raised:crm_sync_lag:${lead.tenantId}`, `resolved:crm_sync_lag:${lead.tenantId}`]);
  });

  it('raises crm_sync_lag at once for a dead-lettered CRM change, and keeps it open: a dead change is never applied', async () => {
    const { clock, store, seen, heartbeats, evaluator } = await setUp();
    const lead = await seedLead(store, (await seedTenant(store, clock.now())).id, clock.now());
    await appendCrmChange(store, lead);
    await clock.advance(10 * minute);
    expect((await evaluator.evaluate()).firing).toEqual([]);
    const claimed = await store.outbox.claim({ topic: 'crm', now: clock.now(), workerId: 'sync', leaseMs: minute, maxAggregates: 10 });
    const error = { code: 'validation_failed', message: 'tagsToAdd.0: too long', transient: false, at: clock.now() };
    await store.outbox.fail({ ids: claimed.map((entry) => entry.id), workerId: 'sync', now: clock.now(), error, retryAt: null });

    expect((await evaluator.evaluate()).raised).toEqual([{ tenantId: lead.tenantId, kind: 'crm_sync_lag', key: 'crm' }]);
    const [alert] = await store.alerts.listOpen({ tenantId: lead.tenantId });
    expect(alert).toMatchObject({ severity: 'critical', details: { pending: 0, dead: 1 } });
    expect(alert?.message).toContain('1 change(s) dead-lettered');
    await clock.advance(hour);
    await heartbeats.beat('dispatcher-1', 'dispatcher');
    const later = await evaluator.evaluate();
    expect(later.firing).toEqual([{ tenantId: lead.tenantId, kind: 'crm_sync_lag', key: 'crm' }]);
    expect(later.resolved).toEqual([]);
    expect(seen).toEqual([`raised:crm_sync_lag:${lead.tenantId}`]);
  });

  it('leaves an alert as it is when its rule cannot read, and reports the failure', async () => {
    const { clock, store, heartbeats } = await setUp();
    const lead = await seedLead(store, (await seedTenant(store, clock.now())).id, clock.now());
    await appendCrmChange(store, lead);
    await clock.advance(hour);
    await heartbeats.beat('dispatcher-1', 'dispatcher');
    let broken = false;
    const flaky: Store = {
      ...store,
      outbox: {
        ...store.outbox,
        stats: (input) => (broken ? Promise.reject(new Error('connection terminated')) : store.outbox.stats(input)),
      },
    };
    const evaluator = createAlertEvaluator({ store: flaky, clock, heartbeats });
    expect((await evaluator.evaluate()).raised).toHaveLength(1);
    broken = true;
    const report = await evaluator.evaluate();
    expect(report).toMatchObject({
      raised: [],
      resolved: [],
      failures: [{ rule: 'crm_sync_lag', tenantId: lead.tenantId, error: 'connection terminated' }],
    });
    expect(await openKinds(store, lead.tenantId)).toEqual(['crm_sync_lag']);
  });
});

describe('alert thresholds', () => {
  it('default to the values of SPEC §8 and refuse bad values, naming the field', () => {
    expect(resolveAlertThresholds()).toEqual({
      stuckAfterMs: 2 * hour,
      errorRateWindowMs: 15 * minute,
      errorRateThreshold: 0.1,
      errorRateMinSamples: 20,
      heartbeatMissingAfterMs: 24 * hour,
      crmSyncLagMs: 15 * minute,
    });
    expect(resolveAlertThresholds({ heartbeatMissingAfterMs: hour }).heartbeatMissingAfterMs).toBe(hour);
    for (const [overrides, field] of [
      [{ stuckAfterMs: 0 }, 'thresholds.stuckAfterMs'],
      [{ crmSyncLagMs: Number.NaN }, 'thresholds.crmSyncLagMs'],
      [{ errorRateThreshold: 1.5 }, 'thresholds.errorRateThreshold'],
      [{ errorRateMinSamples: 0.5 }, 'thresholds.errorRateMinSamples'],
    ] as const) {
      let thrown: unknown;
      try {
        resolveAlertThresholds(overrides);
      } catch (error) {
        thrown = error;
      }
      expect(ValidationError.isInstance(thrown)).toBe(true);
      expect((thrown as ValidationError).fieldErrors[0]?.field).toBe(field);
    }
  });
});
