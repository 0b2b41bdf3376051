/**
 * Scheduler-store tests of `releaseClaimsOf`: the claims of a worker known to be dead go back to
 * `pending` at once, whatever their lease, and nothing else moves.
 */
import { describe, expect, it } from 'vitest';
import {
  T0,
  at,
  idsOf,
  leaseMs,
  minute,
  newWorkerId,
  only,
  type SchedulerConformanceOptions,
  type SchedulerSetup,
  type SchedulerSubject,
} from './scheduler-context.js';

export function registerSchedulerReleaseTests<Subject extends SchedulerSubject>(
  setup: SchedulerSetup<Subject>,
  options: SchedulerConformanceOptions<Subject>,
): void {
  describe('releaseClaimsOf', () => {
    it(
      "returns the dead worker's sending rows to pending before their lease ends, counting the lost attempt; its late writes are refused",
      async () => {
        const world = await setup();
        const first = await world.schedule({ dueAt: at(-2 * minute) });
        const rows = [first, await world.schedule({ dueAt: at(-minute) })];
        const dead = newWorkerId();
        await world.claim({ now: T0, workerId: dead });
        const now = at(minute);

        const released = only(await world.scheduler.releaseClaimsOf({ workerIds: [dead], now }), idsOf(rows));
        expect(idsOf(released)).toEqual(idsOf(rows));
        for (const row of released) {
          expect(row).toMatchObject({ status: 'pending', attempts: 1, lockedBy: null, leaseExpiresAt: null });
          expect(row.lastError).toMatchObject({ code: 'worker_lost', transient: true });
          expect(row.lastError?.message).toContain(dead);
          expect(row.lastError?.at.getTime()).toBe(now.getTime());
        }
        expect(await world.read(first.id)).toMatchObject({ status: 'pending', attempts: 1, lastError: { code: 'worker_lost' } });
        expect(await world.scheduler.markSent({ id: first.id, workerId: dead, now: at(2 * minute), providerMessageId: 'late' })).toBe(
          false,
        );
        const survivor = newWorkerId();
        expect(idsOf(only(await world.claim({ now: at(2 * minute), workerId: survivor }), idsOf(rows)))).toEqual(idsOf(rows));
      },
      options.timeoutMs,
    );

    it(
      'leaves the rows of other workers, and rows not in sending, untouched; spans tenants; an empty list releases nothing',
      async () => {
        const world = await setup();
        const otherTenant = await world.newTenant();
        const [deadA, deadB, alive] = [newWorkerId(), newWorkerId(), newWorkerId()];
        const dead = [deadA, deadB];
        const mineHere = await world.schedule({ dueAt: at(-3 * minute) });
        const mineThere = await world.schedule({ tenantId: otherTenant, dueAt: at(-2 * minute) });
        const mine = [mineHere, mineThere];
        const theirs = await world.schedule({ dueAt: at(-minute) });
        const sent = await world.schedule({ dueAt: at(-4 * minute) });
        const pending = await world.schedule({ dueAt: at(60 * minute) });
        const all = [...idsOf(mine), theirs.id, sent.id, pending.id];
        expect(idsOf(only(await world.claim({ now: T0, workerId: deadA, limit: 2 }), all))).toEqual(idsOf([sent, mineHere]));
        expect(await world.scheduler.markSent({ id: sent.id, workerId: deadA, now: T0, providerMessageId: 'wamid-1' })).toBe(true);
        expect(idsOf(only(await world.claim({ now: T0, workerId: deadB, limit: 1 }), all))).toEqual([mineThere.id]);
        expect(idsOf(only(await world.claim({ now: T0, workerId: alive, limit: 1 }), all))).toEqual([theirs.id]);

        expect(only(await world.scheduler.releaseClaimsOf({ workerIds: [], now: at(minute) }), all)).toEqual([]);
        const released = only(await world.scheduler.releaseClaimsOf({ workerIds: [...dead, deadA], now: at(minute) }), all);
        expect(idsOf(released)).toEqual(idsOf(mine));
        expect(await world.read(theirs.id)).toMatchObject({ status: 'sending', lockedBy: alive, attempts: 0 });
        expect(await world.read(sent.id)).toMatchObject({ status: 'sent', providerMessageId: 'wamid-1' });
        expect(await world.read(pending.id)).toMatchObject({ status: 'pending', attempts: 0 });
        expect(await world.read(mineThere.id, otherTenant)).toMatchObject({ status: 'pending', attempts: 1 });
        // Released already: a second call finds nothing, and stuck recovery later finds nothing either.
        expect(only(await world.scheduler.releaseClaimsOf({ workerIds: dead, now: at(2 * minute) }), all)).toEqual([]);
        expect(idsOf(only(await world.scheduler.recoverStuck({ now: at(leaseMs + 1) }), all))).toEqual([theirs.id]);
      },
      options.timeoutMs,
    );
  });
}
