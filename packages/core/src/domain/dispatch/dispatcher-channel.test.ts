import { describe, expect, it } from 'vitest';
import { ProviderUnavailableError } from '../../errors/index.js';
import { PhoneNumber } from '../identity/phone-number.js';
import { VirtualClock } from '../../ports/clock/clock.js';
import { createInstancePacer } from './instance-pacer.js';
import { T0, dispatchHarness, driveUntilSettled, minute, second, stubHandler } from './__fixtures__/dispatch-harness.js';

describe('dispatcher: channel health', () => {
  it('makes no send attempt through an instance that is down, alerts after 30 min and resolves on recovery', async () => {
    const h = await dispatchHarness();
    const dispatcher = h.make();
    h.channel.setInstanceHealth('default', 'down');
    const rows = [await h.schedule(), await h.schedule(), await h.schedule()];

    expect(await dispatcher.runOnce()).toMatchObject({ claimed: 3, deferred: 3 });
    for (const row of rows) {
      expect(await h.row(row.id)).toMatchObject({ status: 'pending', attempts: 0, dueAt: new Date(T0.getTime() + minute) });
    }
    // One health check answers the whole batch.
    expect(h.messaging.faults.calls('health')).toHaveLength(1);

    for (let elapsed = 1; elapsed < 30; elapsed += 1) {
      await h.clock.advance(minute);
      expect(await dispatcher.runOnce()).toMatchObject({ claimed: 3, deferred: 3 });
    }
    expect(await h.rawStore.alerts.listOpen({ tenantId: h.tenant.id })).toEqual([]);
    await h.clock.advance(minute);
    await dispatcher.runOnce();
    await h.clock.advance(minute);
    await dispatcher.runOnce();

    expect(h.messaging.faults.calls('sendText')).toEqual([]);
    const [alert] = await h.rawStore.alerts.listOpen({ tenantId: h.tenant.id });
    expect(alert).toMatchObject({
      kind: 'channel_down',
      key: 'default',
      severity: 'critical',
      raisedAt: new Date(T0.getTime() + 30 * minute),
    });
    expect(h.eventsNamed('alert.raised')).toEqual([
      expect.objectContaining({ tenantId: h.tenant.id, kind: 'channel_down', key: 'default' }),
    ]);
    for (const row of rows) expect(await h.row(row.id)).toMatchObject({ status: 'pending', attempts: 0 });

    h.channel.setInstanceHealth('default', 'up');
    await h.clock.advance(minute);
    expect(await dispatcher.runOnce()).toMatchObject({ claimed: 3, sent: 3 });
    expect(await h.rawStore.alerts.listOpen({ tenantId: h.tenant.id })).toEqual([]);
    expect(h.eventsNamed('alert.resolved')).toEqual([
      expect.objectContaining({ tenantId: h.tenant.id, kind: 'channel_down', key: 'default' }),
    ]);
  });

  it('treats a failing health check as down', async () => {
    const h = await dispatchHarness();
    const message = await h.schedule();
    h.messaging.faults.failNext('health', 1, () => new ProviderUnavailableError({ provider: 'evolution', operation: 'health' }));

    expect(await h.make().runOnce()).toMatchObject({ deferred: 1 });
    expect(h.messaging.faults.calls('sendText')).toEqual([]);
    expect(await h.row(message.id)).toMatchObject({ status: 'pending', attempts: 0 });
  });

  it('sends through a degraded instance, and a down one holds back only its own messages', async () => {
    const h = await dispatchHarness();
    h.channel.setInstanceHealth('slow', 'degraded');
    h.channel.setInstanceHealth('broken', 'down');
    const slow = await h.schedule({ payload: { instance: 'slow' } });
    const broken = await h.schedule({ payload: { instance: 'broken' } });

    expect(await h.make().runOnce()).toMatchObject({ sent: 1, deferred: 1 });
    expect(await h.row(slow.id)).toMatchObject({ status: 'sent' });
    expect(await h.row(broken.id)).toMatchObject({ status: 'pending', attempts: 0 });
  });

  it('trusts a health answer for cacheMs, and asks again after a send failed', async () => {
    const h = await dispatchHarness({
      dispatcher: { channelHealth: { cacheMs: 30 * second, retryAfterMs: minute, alertAfterMs: 30 * minute } },
    });
    const dispatcher = h.make();
    await h.schedule();
    await dispatcher.runOnce();
    await h.clock.advance(10 * second);
    await h.schedule();
    await dispatcher.runOnce();
    expect(h.messaging.faults.calls('health')).toHaveLength(1);

    h.messaging.faults.failNext('sendText', 1, () => new ProviderUnavailableError({ provider: 'evolution', operation: 'sendText' }));
    await h.schedule();
    expect(await dispatcher.runOnce()).toMatchObject({ retried: 1 });
    await h.schedule();
    await dispatcher.runOnce();
    expect(h.messaging.faults.calls('health')).toHaveLength(2);
  });
});

describe('dispatcher: pacing', () => {
  it('spaces sends on one instance by minIntervalMs + jitter, while other instances do not wait', async () => {
    const h = await dispatchHarness({ dispatcher: { pacing: { minIntervalMs: 1000, jitterMs: 250 }, random: () => 1 } });
    await h.schedule({ payload: { instance: 'a' } });
    await h.schedule({ payload: { instance: 'a' } });
    await h.schedule({ payload: { instance: 'a' } });
    await h.schedule({ payload: { instance: 'b' } });

    const pass = h.make().runOnce();
    expect(await driveUntilSettled(h.clock, pass)).toMatchObject({ claimed: 4, sent: 4 });

    const offsets = (instance: string) =>
      h.channel.sent.filter((sent) => sent.instance === instance).map((sent) => sent.at.getTime() - T0.getTime());
    expect(offsets('a')).toEqual([0, 1250, 2500]);
    expect(offsets('b')).toEqual([0]);
  });

  it('keeps a paced pass pending until the virtual clock is advanced', async () => {
    const h = await dispatchHarness({ dispatcher: { pacing: { minIntervalMs: 1000, jitterMs: 0 } } });
    await h.schedule();
    await h.schedule();
    let settled = false;
    const pass = h.make().runOnce();
    void pass.then(() => (settled = true));

    await h.clock.advance(0);
    expect(h.channel.sent).toHaveLength(1);
    expect(settled).toBe(false);
    await h.clock.advance(999);
    expect(h.channel.sent).toHaveLength(1);
    await h.clock.advance(1);
    expect(await pass).toMatchObject({ sent: 2 });
    expect(h.channel.sent.map((sent) => sent.at.getTime() - T0.getTime())).toEqual([0, 1000]);
  });

  it('keeps the pace across passes', async () => {
    const h = await dispatchHarness({ dispatcher: { pacing: { minIntervalMs: 1000, jitterMs: 0 } } });
    const dispatcher = h.make();
    await h.schedule();
    await dispatcher.runOnce();
    await h.clock.advance(200);
    await h.schedule();

    await driveUntilSettled(h.clock, dispatcher.runOnce());
    expect(h.channel.sent.map((sent) => sent.at.getTime() - T0.getTime())).toEqual([0, 1000]);
  });

  it('re-validates a message after its pacing wait: a reply meanwhile skips it', async () => {
    const preparations = new Map<string, number>();
    const handler = stubHandler(['reengage_1'], {
      prepare: (message) => {
        const count = (preparations.get(message.id) ?? 0) + 1;
        preparations.set(message.id, count);
        // The lead replied while this message waited for its slot.
        if (count > 1) return { action: 'skip', reason: 'replied' };
        return { action: 'send', to: PhoneNumber.parse('+5511987654321'), text: 'hi', instance: 'a', businessHours: 'ignore' };
      },
    });
    const h = await dispatchHarness({ handlers: [handler], dispatcher: { pacing: { minIntervalMs: 1000, jitterMs: 0 } } });
    await h.schedule();
    await h.schedule();

    expect(await driveUntilSettled(h.clock, h.make().runOnce())).toMatchObject({ sent: 1, skipped: 1 });
    expect(h.messaging.faults.calls('sendText')).toHaveLength(1);
    expect([...preparations.values()].sort()).toEqual([1, 2]);
  });

  it('with pacing off, a pass never waits on the clock', async () => {
    const h = await dispatchHarness({ dispatcher: { pacing: false } });
    for (let index = 0; index < 5; index += 1) await h.schedule();
    expect(await h.make().runOnce()).toMatchObject({ sent: 5 });
    expect(h.channel.sent.every((sent) => sent.at.getTime() === T0.getTime())).toBe(true);
  });
});

describe('createInstancePacer', () => {
  it('hands out slots per instance, immediate after a quiet period', async () => {
    const clock = new VirtualClock(T0);
    const pacer = createInstancePacer({ clock, pacing: { minIntervalMs: 1000, jitterMs: 500 }, random: () => 0.5 });
    expect([pacer.reserve('a'), pacer.reserve('a'), pacer.reserve('b'), pacer.reserve('a')]).toEqual([0, 1250, 0, 2500]);
    await clock.advance(10_000);
    expect(pacer.reserve('a')).toBe(0);
    expect(createInstancePacer({ clock, pacing: false, random: () => 1 }).reserve('a')).toBe(0);
  });
});
