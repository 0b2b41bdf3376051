/**
 * Scheduler-store tests past the claim: leases and stuck recovery, outcomes, cancel, list, stats.
 */
import type { StoredError } from '@sdr/core';
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

const transientError: StoredError = { code: 'provider_unavailable', message: 'timeout', transient: true, at: T0 };
const permanentError: StoredError = { code: 'invalid_number', message: 'not on WhatsApp', transient: false, at: T0 };

export function registerSchedulerOutcomeTests<Subject extends SchedulerSubject>(
  setup: SchedulerSetup<Subject>,
  options: SchedulerConformanceOptions<Subject>,
): void {
  describe('leases and stuck recovery', () => {
    it(
      'recoverStuck leaves sending rows whose lease has not expired',
      async () => {
        const world = await setup();
        const row = await world.schedule({ dueAt: at(-minute) });
        await world.claim({ now: T0, workerId: newWorkerId() });
        expect(only(await world.scheduler.recoverStuck({ now: at(leaseMs - 1) }), [row.id])).toEqual([]);
        expect((await world.read(row.id)).status).toBe('sending');
      },
      options.timeoutMs,
    );

    it(
      'recoverStuck returns rows stuck in sending past their lease to pending, counting the lost attempt; the stale worker then can no longer mark them',
      async () => {
        const world = await setup();
        const row = await world.schedule({ dueAt: at(-minute) });
        const stale = newWorkerId();
        await world.claim({ now: T0, workerId: stale });
        const recovered = only(await world.scheduler.recoverStuck({ now: at(leaseMs + 1) }), [row.id]);
        expect(recovered).toHaveLength(1);
        expect(recovered[0]).toMatchObject({ id: row.id, status: 'pending', attempts: 1 });
        expect(await world.read(row.id)).toMatchObject({ status: 'pending', attempts: 1 });
        expect(await world.scheduler.markSent({ id: row.id, workerId: stale, now: at(leaseMs + 2), providerMessageId: 'late' })).toBe(
          false,
        );

        const fresh = newWorkerId();
        expect(idsOf(only(await world.claim({ now: at(leaseMs + 3), workerId: fresh }), [row.id]))).toEqual([row.id]);
        const later = at(leaseMs + 4);
        expect(await world.scheduler.markSent({ id: row.id, workerId: stale, now: later, providerMessageId: 'late' })).toBe(false);
        expect(await world.scheduler.markSkipped({ id: row.id, workerId: stale, now: later, reason: 'stale' })).toBe(false);
        expect(await world.scheduler.markFailed({ id: row.id, workerId: stale, now: later, error: permanentError, retryAt: null })).toBe(
          false,
        );
        expect(await world.scheduler.defer({ id: row.id, workerId: stale, now: later, dueAt: at(60 * minute) })).toBe(false);
        expect(await world.scheduler.heartbeat({ ids: [row.id], workerId: stale, now: later, leaseMs })).toBe(0);
        expect(await world.read(row.id)).toMatchObject({ status: 'sending', lockedBy: fresh });
        expect(await world.scheduler.markSent({ id: row.id, workerId: fresh, now: later, providerMessageId: 'wamid-1' })).toBe(true);
        expect(await world.read(row.id)).toMatchObject({ status: 'sent', providerMessageId: 'wamid-1' });
      },
      options.timeoutMs,
    );

    it(
      'recoverStuck spans tenants',
      async () => {
        const world = await setup();
        const otherTenant = await world.newTenant();
        const rows = [await world.schedule({ dueAt: at(-minute) }), await world.schedule({ tenantId: otherTenant, dueAt: at(-minute) })];
        await world.claim({ now: T0, workerId: newWorkerId() });
        expect(idsOf(only(await world.scheduler.recoverStuck({ now: at(leaseMs + 1) }), idsOf(rows)))).toEqual(idsOf(rows));
      },
      options.timeoutMs,
    );

    it(
      "heartbeat extends the lease of the worker's own sending rows only, and counts them",
      async () => {
        const world = await setup();
        const mine = await world.schedule({ dueAt: at(-2 * minute) });
        const theirs = await world.schedule({ dueAt: at(-minute) });
        const pending = await world.schedule({ dueAt: at(60 * minute) });
        const me = newWorkerId();
        const them = newWorkerId();
        expect(idsOf(only(await world.claim({ now: T0, workerId: me, limit: 1 }), [mine.id, theirs.id]))).toEqual([mine.id]);
        expect(idsOf(only(await world.claim({ now: T0, workerId: them, limit: 1 }), [mine.id, theirs.id]))).toEqual([theirs.id]);
        const beat = at(10 * minute);
        expect(await world.scheduler.heartbeat({ ids: [mine.id, theirs.id, pending.id], workerId: me, now: beat, leaseMs })).toBe(1);
        expect((await world.read(mine.id)).leaseExpiresAt?.getTime()).toBe(beat.getTime() + leaseMs);
        expect((await world.read(theirs.id)).leaseExpiresAt?.getTime()).toBe(T0.getTime() + leaseMs);
        expect((await world.read(pending.id)).status).toBe('pending');
        expect(idsOf(only(await world.scheduler.recoverStuck({ now: at(leaseMs + 1) }), [mine.id, theirs.id]))).toEqual([theirs.id]);
      },
      options.timeoutMs,
    );
  });

  describe('outcomes', () => {
    it(
      'markSent by the claiming worker: sent, sentAt = now, providerMessageId stored; a second markSent returns false',
      async () => {
        const world = await setup();
        const row = await world.schedule({ dueAt: at(-minute) });
        const workerId = newWorkerId();
        await world.claim({ now: T0, workerId });
        expect(await world.scheduler.markSent({ id: row.id, workerId, now: at(1000), providerMessageId: 'wamid-42' })).toBe(true);
        const sent = await world.read(row.id);
        expect(sent).toMatchObject({ status: 'sent', providerMessageId: 'wamid-42' });
        expect(sent.sentAt?.getTime()).toBe(at(1000).getTime());
        expect(await world.scheduler.markSent({ id: row.id, workerId, now: at(2000), providerMessageId: 'wamid-43' })).toBe(false);
        expect((await world.read(row.id)).providerMessageId).toBe('wamid-42');
      },
      options.timeoutMs,
    );

    it(
      'markSent, markSkipped, markFailed and defer on a pending row or by another worker return false and change nothing',
      async () => {
        const world = await setup();
        const pending = await world.schedule({ dueAt: at(60 * minute) });
        const claimed = await world.schedule({ dueAt: at(-minute) });
        const owner = newWorkerId();
        await world.claim({ now: T0, workerId: owner });
        for (const [id, workerId] of [
          [pending.id, owner],
          [claimed.id, newWorkerId()],
        ] as const) {
          const before = await world.read(id);
          expect(await world.scheduler.markSent({ id, workerId, now: T0, providerMessageId: 'x' })).toBe(false);
          expect(await world.scheduler.markSkipped({ id, workerId, now: T0, reason: 'opted_out' })).toBe(false);
          expect(await world.scheduler.markFailed({ id, workerId, now: T0, error: transientError, retryAt: at(minute) })).toBe(false);
          expect(await world.scheduler.defer({ id, workerId, now: T0, dueAt: at(minute) })).toBe(false);
          expect(await world.read(id)).toEqual(before);
        }
      },
      options.timeoutMs,
    );

    it(
      'markSkipped stores the reason and the row is final',
      async () => {
        const world = await setup();
        const row = await world.schedule({ dueAt: at(-minute) });
        const workerId = newWorkerId();
        await world.claim({ now: T0, workerId });
        expect(await world.scheduler.markSkipped({ id: row.id, workerId, now: T0, reason: 'replied' })).toBe(true);
        expect(await world.read(row.id)).toMatchObject({ status: 'skipped', skipReason: 'replied' });
      },
      options.timeoutMs,
    );

    it(
      'markFailed with retryAt: back to pending at retryAt with one more attempt and the error stored; claimed again only from retryAt',
      async () => {
        const world = await setup();
        const row = await world.schedule({ dueAt: at(-minute) });
        const workerId = newWorkerId();
        await world.claim({ now: T0, workerId });
        const retryAt = at(10 * minute);
        expect(await world.scheduler.markFailed({ id: row.id, workerId, now: T0, error: transientError, retryAt })).toBe(true);
        const failed = await world.read(row.id);
        expect(failed).toMatchObject({
          status: 'pending',
          attempts: 1,
          lastError: { code: 'provider_unavailable', message: 'timeout', transient: true },
        });
        expect(failed.dueAt.getTime()).toBe(retryAt.getTime());
        expect(only(await world.claim({ now: at(10 * minute - 1), workerId: newWorkerId() }), [row.id])).toEqual([]);
        expect(idsOf(only(await world.claim({ now: retryAt, workerId: newWorkerId() }), [row.id]))).toEqual([row.id]);
      },
      options.timeoutMs,
    );

    it(
      'markFailed with retryAt null: failed for good, with one more attempt',
      async () => {
        const world = await setup();
        const row = await world.schedule({ dueAt: at(-minute) });
        const workerId = newWorkerId();
        await world.claim({ now: T0, workerId });
        expect(await world.scheduler.markFailed({ id: row.id, workerId, now: T0, error: permanentError, retryAt: null })).toBe(true);
        expect(await world.read(row.id)).toMatchObject({
          status: 'failed',
          attempts: 1,
          lastError: { code: 'invalid_number', transient: false },
        });
      },
      options.timeoutMs,
    );

    it(
      'attempts count failures and lost leases across cycles; defer returns to pending at dueAt without counting one',
      async () => {
        const world = await setup();
        const row = await world.schedule({ dueAt: at(-minute) });
        let now = T0;
        const cycle = async (): Promise<string> => {
          const workerId = newWorkerId();
          expect(idsOf(only(await world.claim({ now, workerId }), [row.id]))).toEqual([row.id]);
          return workerId;
        };
        let workerId = await cycle();
        expect(await world.scheduler.markFailed({ id: row.id, workerId, now, error: transientError, retryAt: now })).toBe(true);
        expect((await world.read(row.id)).attempts).toBe(1);

        await cycle();
        now = at(leaseMs + 1);
        await world.scheduler.recoverStuck({ now });
        expect((await world.read(row.id)).attempts).toBe(2);

        workerId = await cycle();
        const deferredTo = at(3 * leaseMs);
        expect(await world.scheduler.defer({ id: row.id, workerId, now, dueAt: deferredTo })).toBe(true);
        const deferred = await world.read(row.id);
        expect(deferred).toMatchObject({ status: 'pending', attempts: 2 });
        expect(deferred.dueAt.getTime()).toBe(deferredTo.getTime());
        expect(only(await world.claim({ now, workerId: newWorkerId() }), [row.id])).toEqual([]);

        now = deferredTo;
        workerId = await cycle();
        expect(await world.scheduler.markFailed({ id: row.id, workerId, now, error: permanentError, retryAt: null })).toBe(true);
        expect(await world.read(row.id)).toMatchObject({ status: 'failed', attempts: 3 });
      },
      options.timeoutMs,
    );
  });

  describe('cancel', () => {
    it(
      'cancels the pending rows of a lead with the given kinds, returning them cancelled with the reason; other kinds, leads and tenants are untouched',
      async () => {
        const world = await setup();
        const leadId = await world.newLead();
        const first = await world.schedule({ leadId, kind: 'reengage_1' });
        const second = await world.schedule({ leadId, kind: 'reengage_2' });
        const reminder = await world.schedule({ leadId, kind: 'reminder_24h' });
        const otherLead = await world.schedule({ kind: 'reengage_1' });
        const otherTenant = await world.newTenant();
        const foreign = await world.schedule({ tenantId: otherTenant, kind: 'reengage_1' });
        const cancelled = await world.scheduler.cancel(
          { tenantId: world.tenantId, leadId, kinds: ['reengage_1', 'reengage_2'] },
          { reason: 'inbound', now: T0 },
        );
        expect(idsOf(cancelled)).toEqual(idsOf([first, second]));
        for (const row of cancelled) expect(row).toMatchObject({ status: 'cancelled', cancelReason: 'inbound' });
        expect((await world.read(first.id)).status).toBe('cancelled');
        for (const row of [reminder, otherLead]) expect((await world.read(row.id)).status).toBe('pending');
        expect((await world.read(foreign.id, otherTenant)).status).toBe('pending');
        expect(
          await world.scheduler.cancel({ tenantId: world.tenantId, leadId, kinds: ['reengage_1'] }, { reason: 'again', now: T0 }),
        ).toEqual([]);
      },
      options.timeoutMs,
    );

    it(
      'cancels by dedupeKeys, by ids, by contactId, by appointmentId and by billingCycleId',
      async () => {
        const world = await setup();
        const byKey = await world.schedule();
        const byId = await world.schedule();
        const contactId = await world.newContact();
        const byContact = await world.schedule({ contactId, kind: 'billing_step' });
        const leadId = await world.newLead();
        const appointmentId = await world.newAppointment(leadId);
        const byAppointment = await world.schedule({ leadId, kind: 'reminder_2h', appointmentId });
        const billingCycleId = await world.newBillingCycle(contactId);
        const byCycle = await world.schedule({ contactId, kind: 'billing_step', billingCycleId });
        const bystander = await world.schedule();
        const cancel = (criteria: Parameters<typeof world.scheduler.cancel>[0]) =>
          world.scheduler.cancel(criteria, { reason: 'test', now: T0 });
        expect(idsOf(await cancel({ tenantId: world.tenantId, dedupeKeys: [byKey.dedupeKey] }))).toEqual([byKey.id]);
        expect(idsOf(await cancel({ tenantId: world.tenantId, ids: [byId.id] }))).toEqual([byId.id]);
        expect(idsOf(await cancel({ tenantId: world.tenantId, appointmentId }))).toEqual([byAppointment.id]);
        expect(idsOf(await cancel({ tenantId: world.tenantId, billingCycleId }))).toEqual([byCycle.id]);
        expect(idsOf(await cancel({ tenantId: world.tenantId, contactId }))).toEqual([byContact.id]);
        expect((await world.read(bystander.id)).status).toBe('pending');
      },
      options.timeoutMs,
    );

    it(
      'cancels only rows matching all given criteria, and only within the tenant given',
      async () => {
        const world = await setup();
        const leadId = await world.newLead();
        const reminder = await world.schedule({ leadId, kind: 'reminder_24h' });
        expect(
          await world.scheduler.cancel({ tenantId: world.tenantId, leadId, kinds: ['reengage_1'] }, { reason: 'test', now: T0 }),
        ).toEqual([]);
        expect(await world.scheduler.cancel({ tenantId: await world.newTenant(), leadId }, { reason: 'test', now: T0 })).toEqual([]);
        expect(
          await world.scheduler.cancel({ tenantId: await world.newTenant(), ids: [reminder.id] }, { reason: 'test', now: T0 }),
        ).toEqual([]);
        expect((await world.read(reminder.id)).status).toBe('pending');
      },
      options.timeoutMs,
    );

    it(
      'leaves rows in sending to the dispatcher, and never touches final rows',
      async () => {
        const world = await setup();
        const leadId = await world.newLead();
        const inFlight = await world.schedule({ leadId, dueAt: at(-2 * minute) });
        const sent = await world.schedule({ leadId, dueAt: at(-minute) });
        const workerId = newWorkerId();
        await world.claim({ now: T0, workerId });
        expect(await world.scheduler.markSent({ id: sent.id, workerId, now: T0, providerMessageId: null })).toBe(true);
        expect(await world.scheduler.cancel({ tenantId: world.tenantId, leadId }, { reason: 'inbound', now: T0 })).toEqual([]);
        expect(await world.read(inFlight.id)).toMatchObject({ status: 'sending', lockedBy: workerId });
        expect((await world.read(sent.id)).status).toBe('sent');
        expect(await world.scheduler.markSent({ id: inFlight.id, workerId, now: T0, providerMessageId: null })).toBe(true);
      },
      options.timeoutMs,
    );
  });

  describe('list and stats', () => {
    it(
      'list filters by every criterion it is given and orders by dueAt',
      async () => {
        const world = await setup();
        const leadId = await world.newLead();
        const late = await world.schedule({ leadId, kind: 'reengage_2', dueAt: at(20 * minute) });
        const early = await world.schedule({ leadId, kind: 'reengage_1', dueAt: at(10 * minute) });
        const reminder = await world.schedule({ leadId, kind: 'reminder_24h', dueAt: at(5 * minute) });
        await world.scheduler.cancel({ tenantId: world.tenantId, ids: [reminder.id] }, { reason: 'test', now: T0 });
        await world.schedule({ dueAt: at(minute) });
        const list = (filter: Omit<Parameters<typeof world.scheduler.list>[0], 'tenantId'>) =>
          world.scheduler.list({ tenantId: world.tenantId, ...filter });
        expect((await list({ leadId })).map((row) => row.id)).toEqual([reminder.id, early.id, late.id]);
        expect((await list({ leadId, statuses: ['pending'] })).map((row) => row.id)).toEqual([early.id, late.id]);
        expect((await list({ leadId, kinds: ['reengage_2', 'reminder_24h'] })).map((row) => row.id)).toEqual([reminder.id, late.id]);
        expect((await list({ leadId, limit: 2 })).map((row) => row.id)).toEqual([reminder.id, early.id]);
        expect(await world.scheduler.list({ tenantId: await world.newTenant(), leadId })).toEqual([]);
      },
      options.timeoutMs,
    );

    it(
      'stats of a tenant: pending, due pending, the oldest due pending dueAt, sending, and stuck (sending past the lease)',
      async () => {
        const world = await setup();
        const stuck = await world.schedule({ dueAt: at(-20 * minute) });
        const live = await world.schedule({ dueAt: at(-10 * minute) });
        const due = await world.schedule({ dueAt: at(-5 * minute) });
        await world.schedule({ dueAt: at(60 * minute) });
        expect(idsOf(await world.claim({ now: at(-20 * minute), workerId: newWorkerId(), leaseMs: 5 * minute }))).toEqual([stuck.id]);
        expect(idsOf(await world.claim({ now: at(-10 * minute), workerId: newWorkerId(), limit: 1, leaseMs: 60 * minute }))).toEqual([
          live.id,
        ]);
        const stats = await world.scheduler.stats({ now: T0, tenantId: world.tenantId });
        expect(stats).toMatchObject({ pending: 2, duePending: 1, sending: 2, stuck: 1 });
        expect(stats.oldestDueAt?.getTime()).toBe(due.dueAt.getTime());

        const global = await world.scheduler.stats({ now: T0 });
        expect(global.pending).toBeGreaterThanOrEqual(2);
        expect(global.sending).toBeGreaterThanOrEqual(2);
      },
      options.timeoutMs,
    );

    it(
      'stats reads oldestDueAt as null when no pending row is due yet',
      async () => {
        const world = await setup();
        await world.schedule({ dueAt: at(60 * minute) });
        const stats = await world.scheduler.stats({ now: T0, tenantId: world.tenantId });
        expect(stats).toMatchObject({ pending: 1, duePending: 0, oldestDueAt: null, sending: 0, stuck: 0 });
      },
      options.timeoutMs,
    );
  });
}
