import { describe, expect, it } from 'vitest';
import { ProviderUnavailableError } from '../../errors/index.js';
import { T0, dispatchHarness, driveUntilSettled, minute } from './__fixtures__/dispatch-harness.js';

const leaseMs = 15 * minute;
const storeDown = () => new ProviderUnavailableError({ provider: 'in-memory', operation: 'heartbeat', message: 'connection reset' });

describe('dispatcher: leases and recovery', () => {
  it('recovers a crashed claim once its lease expired and sends it exactly once', async () => {
    const h = await dispatchHarness();
    const message = await h.schedule();
    const [crashed] = await h.rawStore.scheduledMessages.claimDue({ now: h.clock.now(), limit: 10, workerId: 'crashed', leaseMs });
    expect(crashed?.id).toBe(message.id);
    const dispatcher = h.make({ leaseMs });

    expect(await dispatcher.runOnce()).toMatchObject({ recovered: 0, claimed: 0 });
    await h.clock.advance(leaseMs);
    expect(await dispatcher.runOnce()).toMatchObject({ recovered: 1, claimed: 1, sent: 1 });

    expect(await h.row(message.id)).toMatchObject({ status: 'sent', lockedBy: dispatcher.workerId, attempts: 1 });
    expect(h.messaging.faults.calls('sendText')).toHaveLength(1);
    expect(h.channel.sent).toHaveLength(1);
    // The crashed worker comes back: its late writes are refused.
    const now = h.clock.now();
    expect(await h.store.scheduledMessages.markSent({ id: message.id, workerId: 'crashed', now, providerMessageId: 'late' })).toBe(false);
    expect(await dispatcher.runOnce()).toMatchObject({ claimed: 0 });
  });

  it('runs stuck recovery on the first pass, then every stuckRecoveryIntervalMs', async () => {
    const h = await dispatchHarness();
    const dispatcher = h.make({ leaseMs, stuckRecoveryIntervalMs: 10 * minute });
    await dispatcher.runOnce();
    await h.clock.advance(9 * minute);
    await dispatcher.runOnce();
    await h.clock.advance(minute);
    await dispatcher.runOnce();
    expect(h.scheduler.faults.calls('recoverStuck').map((call) => call.at.getTime() - T0.getTime())).toEqual([0, 10 * minute]);
  });

  it('extends the leases of a slow batch so that nobody recovers it', async () => {
    const h = await dispatchHarness();
    const first = await h.schedule({ payload: { instance: 'a' } });
    const second = await h.schedule({ payload: { instance: 'b' } });
    h.messaging.faults.delay('sendText', 25 * minute);
    const dispatcher = h.make({ leaseMs });
    const other = h.make({ leaseMs, workerId: 'other' });

    const pass = dispatcher.runOnce();
    await h.clock.advance(leaseMs + minute);
    expect(await other.recoverStuck()).toBe(0);
    const held = await h.row(first.id);
    expect(held).toMatchObject({ status: 'sending', lockedBy: dispatcher.workerId });
    expect(held.leaseExpiresAt!.getTime()).toBeGreaterThan(h.clock.now().getTime());
    expect(h.scheduler.faults.calls('heartbeat').length).toBeGreaterThanOrEqual(3);

    expect(await driveUntilSettled(h.clock, pass)).toMatchObject({ claimed: 2, sent: 2 });
    expect(await h.row(first.id)).toMatchObject({ status: 'sent', attempts: 0 });
    expect(await h.row(second.id)).toMatchObject({ status: 'sent', attempts: 0 });
    expect(h.messaging.faults.calls('sendText')).toHaveLength(2);
    // The pass left no timer behind (heartbeats stopped).
    expect(h.clock.pendingTimers).toBe(0);
  });

  it('does not send a row whose lease was lost while it waited, and leaves it to its new holder', async () => {
    const h = await dispatchHarness();
    const ids = [(await h.schedule({ payload: { instance: 'a' } })).id, (await h.schedule({ payload: { instance: 'a' } })).id];
    const dispatcher = h.make({ leaseMs, pacing: { minIntervalMs: 20 * minute, jitterMs: 0 }, claimHorizonMs: 40 * minute });
    const other = h.make({ leaseMs, workerId: 'other' });
    h.scheduler.faults.failNext('heartbeat', 3, storeDown);

    const pass = dispatcher.runOnce();
    await h.clock.advance(leaseMs + minute);
    expect(await other.recoverStuck()).toBe(1);
    const report = await driveUntilSettled(h.clock, pass);

    expect(report).toMatchObject({ claimed: 2, sent: 1 });
    const keys = h.messaging.faults.calls('sendText').map((call) => (call.args[0] as { idempotencyKey: string }).idempotencyKey);
    // One row got the first pacing slot and was sent; the other waited 20 minutes for its slot.
    expect(keys).toHaveLength(1);
    const waited = ids.find((id) => id !== keys[0])!;
    expect(await h.row(waited)).toMatchObject({ status: 'pending', attempts: 1, lastError: { code: 'lease_expired' } });
    expect(await other.runOnce()).toMatchObject({ claimed: 1, sent: 1 });
    expect(h.channel.sent.map((sent) => sent.idempotencyKey).sort()).toEqual([...ids].sort());
  });

  it('logs and moves on when the row was taken back during a send', async () => {
    const h = await dispatchHarness();
    const message = await h.schedule();
    const delays = [20 * minute];
    h.messaging.faults.delay('sendText', () => delays.shift() ?? 0);
    h.scheduler.faults.failNext('heartbeat', 3, storeDown);
    const dispatcher = h.make({ leaseMs });
    const other = h.make({ leaseMs, workerId: 'other' });

    const pass = dispatcher.runOnce();
    await h.clock.advance(leaseMs + minute);
    expect(await driveUntilSettled(h.clock, other.runOnce())).toMatchObject({ recovered: 1, sent: 1 });
    expect(await driveUntilSettled(h.clock, pass)).toMatchObject({ claimed: 1, sent: 0, failed: 0 });

    expect(await h.row(message.id)).toMatchObject({ status: 'sent', lockedBy: 'other' });
    // Same idempotency key: the deduplicating channel accepted it once.
    expect(h.channel.sent).toHaveLength(1);
    expect(h.logger.lines).toContainEqual(expect.objectContaining({ level: 'error', message: expect.stringContaining('lease was lost') }));
  });

  it('claims no more than its pacing lets it send within the claim horizon, so a crash strands few rows', async () => {
    const h = await dispatchHarness();
    for (let index = 0; index < 200; index += 1) await h.schedule({ payload: { instance: 'a' } });
    const paced = h.make({ leaseMs, pacing: { minIntervalMs: 1000, jitterMs: 250 } });

    // One send a second over the default 10-second horizon: 10 rows, not the batch of 100.
    expect(await driveUntilSettled(h.clock, paced.runOnce())).toMatchObject({ claimed: 10, sent: 10 });
    const slow = h.make({ leaseMs, pacing: { minIntervalMs: 30_000, jitterMs: 0 }, claimHorizonMs: 10_000 });
    // A horizon shorter than one interval still claims one row.
    expect(await driveUntilSettled(h.clock, slow.runOnce())).toMatchObject({ claimed: 1, sent: 1 });
    const unpaced = h.make({ leaseMs, batchSize: 50 });
    expect(await unpaced.runOnce()).toMatchObject({ claimed: 50, sent: 50 });
    expect(h.scheduler.faults.calls('claimDue').map((call) => (call.args[0] as { limit: number }).limit)).toEqual([10, 1, 50]);
  });

  it('a pair of dispatchers over one store never sends a row twice', async () => {
    const h = await dispatchHarness();
    const ids = new Set<string>();
    for (let index = 0; index < 60; index += 1) ids.add((await h.schedule({ payload: { instance: `instance-${index % 4}` } })).id);
    const a = h.make({ workerId: 'a', batchSize: 7, pacing: { minIntervalMs: 1000, jitterMs: 250 }, random: Math.random });
    const b = h.make({ workerId: 'b', batchSize: 5, pacing: { minIntervalMs: 1000, jitterMs: 250 }, random: Math.random });

    for (let round = 0; round < 30; round += 1) {
      const reports = await driveUntilSettled(h.clock, Promise.all([a.runOnce(), b.runOnce(), round % 3 === 0 ? a.recoverStuck() : 0]));
      if (reports[0].claimed + reports[1].claimed === 0) break;
    }

    const keys = h.messaging.faults.calls('sendText').map((call) => (call.args[0] as { idempotencyKey: string }).idempotencyKey);
    expect(keys).toHaveLength(60);
    expect(new Set(keys)).toEqual(ids);
    const rows = h.rawStore.dump().scheduledMessages;
    expect(rows.every((row) => row.status === 'sent')).toBe(true);
    expect(new Set(rows.map((row) => row.lockedBy))).toEqual(new Set(['a', 'b']));
  });
});
