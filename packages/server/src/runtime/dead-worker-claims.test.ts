import { noopLogger } from '@sdr/core';
import { expect, it } from 'vitest';
import { describeEachDriver, minute, schedule, seedLead, seedTenant } from '../observability/__fixtures__/observability-database.js';
import { createHeartbeats } from '../observability/heartbeats.js';
import { createDeadWorkerClaims, processComponent } from './dead-worker-claims.js';

const second = 1000;
const leaseMs = 15 * minute;

describeEachDriver('createDeadWorkerClaims', (database) => {
  const world = async () => {
    const { clock, store } = await database().fresh();
    const db = database().database;
    const tenant = await seedTenant(store, clock.now());
    const lead = await seedLead(store, tenant.id, clock.now());
    const rows = [await schedule(store, { lead, dueAt: clock.now() }), await schedule(store, { lead, dueAt: clock.now() })];
    const live = createHeartbeats({ db, clock, processId: 'worker-live' });
    const doomed = createHeartbeats({ db, clock, processId: 'worker-doomed' });
    const [doomedClaim] = await store.scheduledMessages.claimDue({
      now: clock.now(),
      limit: 1,
      workerId: 'dispatcher-worker-doomed',
      leaseMs,
    });
    const [liveClaim] = await store.scheduledMessages.claimDue({ now: clock.now(), limit: 1, workerId: 'dispatcher-worker-live', leaseMs });
    if (doomedClaim === undefined || liveClaim === undefined) throw new Error('both rows should have been claimed');
    const checker = createDeadWorkerClaims({
      heartbeats: live,
      scheduler: store.scheduledMessages,
      clock,
      logger: noopLogger,
      processId: 'worker-live',
      claimantsOf: (process) => [`dispatcher-${process}`],
      intervalMs: 5 * second,
      silenceMs: 30 * second,
    });
    return { clock, store, rows, live, doomed, doomedClaim, liveClaim, checker };
  };

  it("releases a silent process's claims after the silence, and only its claims; its beat row is forgotten", async () => {
    const { clock, store, live, doomed, doomedClaim, liveClaim, checker } = await world();
    await doomed.beat('process-worker-doomed', processComponent);
    const found: (readonly string[])[] = [];
    // Seven checks 5 s apart see the doomed beat unchanged: 30 s of silence.
    for (let check = 0; check < 7; check += 1) {
      await live.beat('process-worker-live', processComponent);
      found.push(await checker.check());
      await clock.advance(5 * second);
    }
    expect(found).toEqual([[], [], [], [], [], [], ['worker-doomed']]);
    expect(await store.scheduledMessages.get(doomedClaim.tenantId, doomedClaim.id)).toMatchObject({
      status: 'pending',
      attempts: 1,
      lastError: { code: 'worker_lost' },
    });
    expect(await store.scheduledMessages.get(liveClaim.tenantId, liveClaim.id)).toMatchObject({
      status: 'sending',
      lockedBy: 'dispatcher-worker-live',
    });
    expect((await live.list()).map((beat) => beat.workerId)).toEqual(['process-worker-live']);
    expect(await checker.check()).toEqual([]);
  });

  it('never takes a process that keeps beating for dead, even when the shared clock jumps ahead', async () => {
    const { clock, store, doomed, doomedClaim, checker } = await world();
    const found: (readonly string[])[] = [];
    for (let check = 0; check < 12; check += 1) {
      await doomed.beat('process-worker-doomed', processComponent);
      found.push(await checker.check());
      // A sandbox clock advance: hours pass on the clock between two beats.
      await clock.advance(check === 5 ? 3 * 60 * minute : 5 * second);
    }
    expect(found.flat()).toEqual([]);
    expect(await store.scheduledMessages.get(doomedClaim.tenantId, doomedClaim.id)).toMatchObject({ status: 'sending' });
  });

  it('waits for the silence from its own first look, not from the instant of the last beat', async () => {
    const { clock, doomed, checker } = await world();
    await doomed.beat('process-worker-doomed', processComponent);
    // The beat is hours old when this process first looks: it still counts the silence itself.
    await clock.advance(2 * 60 * minute);
    const found: (readonly string[])[] = [];
    for (let check = 0; check < 7; check += 1) {
      found.push(await checker.check());
      await clock.advance(5 * second);
    }
    expect(found.map((dead) => dead.length)).toEqual([0, 0, 0, 0, 0, 0, 1]);
  });
});
