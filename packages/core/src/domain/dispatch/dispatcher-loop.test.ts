import { describe, expect, it } from 'vitest';
import { ConflictError, ProviderUnavailableError } from '../../errors/index.js';
import { T0, dispatchHarness, driveUntilSettled, minute, second } from './__fixtures__/dispatch-harness.js';

const storeDown = () => new ProviderUnavailableError({ provider: 'postgres', operation: 'claimDue', message: 'connection refused' });

describe('dispatcher: the loop', () => {
  it('recovers stuck rows at start, sends what is due, polls when idle, and stops cleanly', async () => {
    const h = await dispatchHarness();
    const stuck = await h.schedule();
    await h.rawStore.scheduledMessages.claimDue({ now: h.clock.now(), limit: 1, workerId: 'crashed', leaseMs: minute });
    await h.clock.advance(2 * minute);
    const dispatcher = h.make({ pollIntervalMs: second });

    dispatcher.start();
    dispatcher.start(); // already running: no second loop
    await h.clock.advance(0);
    expect(await h.row(stuck.id)).toMatchObject({ status: 'sent', attempts: 1 });
    expect(dispatcher.lastHeartbeatAt).toEqual(h.clock.now());

    const later = await h.schedule({ dueAt: new Date(h.clock.now().getTime() + 500) });
    await h.clock.advance(second);
    expect(await h.row(later.id)).toMatchObject({ status: 'sent' });
    expect(dispatcher.lastHeartbeatAt).toEqual(h.clock.now());
    expect(h.scheduler.faults.calls('claimDue')).toHaveLength(2);

    await dispatcher.stop();
    expect(h.clock.pendingTimers).toBe(0);
    await h.clock.advance(10 * second);
    expect(h.scheduler.faults.calls('claimDue')).toHaveLength(2);
  });

  it('does not sleep after a full batch', async () => {
    const h = await dispatchHarness();
    for (let index = 0; index < 5; index += 1) await h.schedule();
    const dispatcher = h.make({ batchSize: 2 });

    dispatcher.start();
    await h.clock.advance(0);
    expect(h.channel.sent).toHaveLength(5);
    expect(h.scheduler.faults.calls('claimDue').map((call) => call.at)).toEqual([T0, T0, T0]);
    await dispatcher.stop();
  });

  it('adds no listener per pass to the signals that outlive it: a loop running for hours holds none extra', async () => {
    const h = await dispatchHarness();
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.name);
    process.on('warning', onWarning);
    try {
      const dispatcher = h.make({ pollIntervalMs: second });
      dispatcher.start();
      // 30 passes, each sending one message: Node warns once 11 listeners wait on one signal.
      for (let pass = 0; pass < 30; pass += 1) {
        await h.schedule();
        await h.clock.advance(second);
      }
      await dispatcher.stop();
      await new Promise((resolve) => setImmediate(resolve));
      expect(h.channel.sent).toHaveLength(30);
      expect(warnings).not.toContain('MaxListenersExceededWarning');
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('never throws out of the loop: a failed pass is logged and the loop goes on', async () => {
    const h = await dispatchHarness();
    const message = await h.schedule();
    h.scheduler.faults.failNext('claimDue', 2, storeDown);
    const dispatcher = h.make({ pollIntervalMs: second });

    dispatcher.start();
    await h.clock.advance(0);
    expect(dispatcher.lastHeartbeatAt).toBeNull();
    await h.clock.advance(2 * second);
    expect(await h.row(message.id)).toMatchObject({ status: 'sent' });
    expect(dispatcher.lastHeartbeatAt).toEqual(new Date(T0.getTime() + 2 * second));
    expect(h.logger.lines.filter((line) => line.level === 'error' && line.message.includes('pass failed'))).toHaveLength(2);
    await dispatcher.stop();
  });

  it('stops gracefully: sends in flight finish, rows not yet sent go back to pending without an attempt', async () => {
    const h = await dispatchHarness({ dispatcher: { pacing: { minIntervalMs: second, jitterMs: 0 } } });
    const onA = [await h.schedule({ payload: { instance: 'a' } }), await h.schedule({ payload: { instance: 'a' } })];
    const onB = await h.schedule({ payload: { instance: 'b' } });
    h.messaging.faults.delay('sendText', 10 * second);
    const dispatcher = h.make();

    dispatcher.start();
    await h.clock.advance(500);
    const stopped = driveUntilSettled(h.clock, dispatcher.stop({ deadlineMs: 30 * second }));
    await stopped;

    expect(h.clock.now()).toEqual(new Date(T0.getTime() + 10 * second));
    expect(h.messaging.faults.calls('sendText')).toHaveLength(2);
    const statuses = await Promise.all([...onA, onB].map((row) => h.row(row.id)));
    expect(
      statuses
        .filter((row) => row.status === 'sent')
        .map((row) => row.payload['instance'])
        .sort(),
    ).toEqual(['a', 'b']);
    const released = statuses.filter((row) => row.status === 'pending');
    expect(released).toEqual([
      expect.objectContaining({ attempts: 0, lockedBy: null, dueAt: new Date(T0.getTime() + 500), payload: { instance: 'a' } }),
    ]);
    expect(h.clock.pendingTimers).toBe(0);
  });

  it('aborts a send still in flight at the deadline and abandons it: the row stays sending for stuck recovery, the channel stays up', async () => {
    const h = await dispatchHarness();
    const message = await h.schedule();
    h.messaging.faults.delay('sendText', minute);
    const dispatcher = h.make();

    dispatcher.start();
    await h.clock.advance(0);
    await driveUntilSettled(h.clock, dispatcher.stop({ deadlineMs: 5 * second }));

    expect(h.clock.now()).toEqual(new Date(T0.getTime() + 5 * second));
    expect(h.messaging.faults.calls('sendText').map((call) => call.outcome)).toEqual(['rejected']);
    expect(h.channel.sent).toEqual([]);
    expect(h.logger.lines).toContainEqual(expect.objectContaining({ level: 'warn', message: expect.stringContaining('deadline') }));
    await h.clock.advance(minute);
    expect(await h.row(message.id)).toMatchObject({ status: 'sending', attempts: 0, lockedBy: dispatcher.workerId });
    expect(h.clock.pendingTimers).toBe(0);
    // Once the lease expired, stuck recovery returns the row and it is sent through the same channel.
    h.messaging.faults.clear();
    await h.clock.advance(15 * minute);
    await driveUntilSettled(h.clock, dispatcher.runOnce());
    expect(await h.row(message.id)).toMatchObject({ status: 'sent' });
  });

  it('claims nothing while stopping, refuses start() until stopped, and can run again after', async () => {
    const h = await dispatchHarness();
    h.messaging.faults.delay('sendText', second);
    await h.schedule();
    const dispatcher = h.make();

    const pass = dispatcher.runOnce();
    await h.clock.advance(0);
    const stopping = Promise.all([dispatcher.stop(), dispatcher.stop()]);
    expect(await dispatcher.runOnce()).toMatchObject({ claimed: 0 });
    expect(() => dispatcher.start()).toThrow(ConflictError);
    await driveUntilSettled(h.clock, stopping);
    expect(await pass).toMatchObject({ claimed: 1, sent: 1 });

    h.messaging.faults.clear();
    await h.schedule();
    expect(await dispatcher.runOnce()).toMatchObject({ claimed: 1, sent: 1 });
    await dispatcher.stop();
  });

  it('does not claim after a stop that arrived during stuck recovery', async () => {
    const h = await dispatchHarness();
    await h.schedule();
    h.scheduler.faults.delay('recoverStuck', second);
    const dispatcher = h.make();

    const pass = dispatcher.runOnce();
    const stopping = dispatcher.stop();
    await driveUntilSettled(h.clock, Promise.all([pass, stopping]));
    expect(await pass).toMatchObject({ claimed: 0 });
    expect(h.scheduler.faults.calls('claimDue')).toEqual([]);
  });

  it('refuses a negative stop deadline', async () => {
    const h = await dispatchHarness();
    await expect(h.make().stop({ deadlineMs: -1 })).rejects.toThrow(/deadlineMs/);
  });
});
