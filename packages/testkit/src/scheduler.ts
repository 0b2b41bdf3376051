/**
 * `runSchedulerStoreConformance`: proves a `SchedulerStore` keeps one row per dedupe key and runs
 * the claim protocol safely (packages/core/src/ports/scheduler/scheduler-store.ts).
 */
import { ValidationError, type NewScheduledMessageInput, type ScheduledMessage } from '@sdr/core';
import { describe, expect, it } from 'vitest';
import { buildScheduledMessageInput, newId } from './fixtures.js';
import { expectSdrError, sideDoorCheck } from './harness.js';
import {
  T0,
  at,
  idsOf,
  leaseMs,
  minute,
  newWorkerId,
  only,
  schedulerSetup,
  type SchedulerConformanceOptions,
  type SchedulerSetup,
  type SchedulerSubject,
} from './scheduler-context.js';
import { registerSchedulerOutcomeTests } from './scheduler-outcomes.js';
import { registerSchedulerReleaseTests } from './scheduler-release.js';

export type { SchedulerConformanceOptions, SchedulerInspector, SchedulerSubject } from './scheduler-context.js';

/**
 * Registers the `SchedulerStore` conformance tests: idempotent scheduling, claims that never
 * hand one row to two workers, leases, stuck recovery, the release of a dead worker's claims,
 * outcomes, cancellation and stats.
 *
 * Claims and stuck recovery span tenants, so `create` must return an empty store (or `reset`
 * must empty it).
 */
export function runSchedulerStoreConformance<Subject extends SchedulerSubject>(options: SchedulerConformanceOptions<Subject>): void {
  const setup = schedulerSetup(options);
  describe(`SchedulerStore conformance: ${options.name}`, () => {
    it(
      'declares contractVersion v1',
      async () => {
        const { scheduler } = await setup();
        expect(scheduler.contractVersion).toBe('v1');
      },
      options.timeoutMs,
    );
    describe('schedule', () => registerScheduleTests(setup, options));
    describe('claimDue', () => registerClaimTests(setup, options));
    registerSchedulerOutcomeTests(setup, options);
    registerSchedulerReleaseTests(setup, options);
  });
}

function registerScheduleTests<Subject extends SchedulerSubject>(
  setup: SchedulerSetup<Subject>,
  options: SchedulerConformanceOptions<Subject>,
): void {
  it(
    'creates a pending row that echoes the input (instants to the millisecond); get reads it, another tenant cannot',
    async () => {
      const world = await setup();
      const leadId = await world.newLead();
      const input = buildScheduledMessageInput({
        id: newId(),
        tenantId: world.tenantId,
        leadId,
        kind: 'reminder_24h',
        dueAt: new Date('2031-03-04T12:34:56.789Z'),
        templateKey: 'reminder_24h',
        payload: { step: 'D-3', variables: { leadName: 'Ana' } },
        explanation: { rule: 'reminder.first' },
      });
      const { message, created } = await world.scheduler.schedule(input);
      expect(created).toBe(true);
      expect(message).toMatchObject({
        id: input.id,
        tenantId: world.tenantId,
        leadId,
        contactId: null,
        kind: 'reminder_24h',
        channel: 'whatsapp',
        dedupeKey: input.dedupeKey,
        status: 'pending',
        attempts: 0,
        lastError: null,
        lockedBy: null,
        sentAt: null,
        providerMessageId: null,
        skipReason: null,
        templateKey: 'reminder_24h',
        payload: { step: 'D-3', variables: { leadName: 'Ana' } },
        explanation: { rule: 'reminder.first' },
      });
      expect(message.dueAt.toISOString()).toBe('2031-03-04T12:34:56.789Z');
      expect(await world.scheduler.get(world.tenantId, message.id)).toEqual(message);
      expect(await world.scheduler.get(await world.newTenant(), message.id)).toBeNull();
      expect(await world.scheduler.get(world.tenantId, newId())).toBeNull();
    },
    options.timeoutMs,
  );

  it(
    'assigns a UUID when the input has no id',
    async () => {
      const world = await setup();
      const message = await world.schedule();
      expect(message.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);
    },
    options.timeoutMs,
  );

  it(
    'scheduling one dedupeKey twice keeps one row: the second call returns the first row untouched with created false',
    async (context) => {
      const world = await setup();
      const first = await world.schedule({ dueAt: at(30 * minute), payload: { round: 1 } });
      const again = await world.scheduler.schedule({
        tenantId: world.tenantId,
        leadId: first.leadId,
        kind: first.kind,
        dedupeKey: first.dedupeKey,
        dueAt: at(90 * minute),
        payload: { round: 2 },
      });
      expect(again.created).toBe(false);
      expect(again.message.id).toBe(first.id);
      expect(again.message.dueAt.getTime()).toBe(first.dueAt.getTime());
      expect(again.message.payload).toEqual({ round: 1 });
      expect(await world.scheduler.list({ tenantId: world.tenantId, dedupeKeys: [first.dedupeKey] })).toHaveLength(1);
      await sideDoorCheck(context, options.inspect, 'one stored row with that key', async (inspect) => {
        const rows = await inspect.rows(world.subject, world.tenantId);
        expect(rows.filter((row) => row.dedupeKey === first.dedupeKey)).toHaveLength(1);
      });
    },
    options.timeoutMs,
  );

  it(
    'the dedupeKey stays taken whatever the first row became (cancelled, sent)',
    async () => {
      const world = await setup();
      const cancelled = await world.schedule();
      await world.scheduler.cancel({ tenantId: world.tenantId, ids: [cancelled.id] }, { reason: 'test', now: T0 });
      const sent = await world.schedule({ dueAt: at(-minute) });
      const workerId = newWorkerId();
      expect(idsOf(only(await world.claim({ now: T0, workerId }), [sent.id]))).toEqual([sent.id]);
      expect(await world.scheduler.markSent({ id: sent.id, workerId, now: T0, providerMessageId: 'provider-1' })).toBe(true);
      for (const row of [cancelled, sent]) {
        const again = await world.scheduler.schedule(repeatOf(row));
        expect(again.created).toBe(false);
        expect(again.message.id).toBe(row.id);
        expect(again.message.status).toBe(row.id === sent.id ? 'sent' : 'cancelled');
      }
    },
    options.timeoutMs,
  );

  it(
    'one dedupeKey in two tenants is two rows (keys are unique per tenant)',
    async () => {
      const world = await setup();
      const first = await world.schedule();
      const otherTenant = await world.newTenant();
      const other = await world.scheduler.schedule({ ...repeatOf(first), tenantId: otherTenant, leadId: await world.newLead(otherTenant) });
      expect(other.created).toBe(true);
      expect(other.message.id).not.toBe(first.id);
    },
    options.timeoutMs,
  );

  it(
    'concurrent schedules of one dedupeKey: exactly one reports created, all return the same row',
    async () => {
      const world = await setup();
      const input = buildScheduledMessageInput({ tenantId: world.tenantId, leadId: await world.newLead(), dueAt: T0 });
      const results = await Promise.all(Array.from({ length: 10 }, () => world.scheduler.schedule(input)));
      expect(results.filter((result) => result.created)).toHaveLength(1);
      expect(new Set(results.map((result) => result.message.id)).size).toBe(1);
      expect(await world.scheduler.list({ tenantId: world.tenantId, dedupeKeys: [input.dedupeKey] })).toHaveLength(1);
    },
    options.timeoutMs,
  );

  it(
    'rejects an input with neither leadId nor contactId with a ValidationError',
    async () => {
      const world = await setup();
      const input: NewScheduledMessageInput = {
        tenantId: world.tenantId,
        kind: 'reengage_1',
        dedupeKey: `conformance:${newId()}`,
        dueAt: T0,
      };
      await expectSdrError(world.scheduler.schedule(input), ValidationError);
      expect(await world.scheduler.list({ tenantId: world.tenantId })).toEqual([]);
    },
    options.timeoutMs,
  );
}

function registerClaimTests<Subject extends SchedulerSubject>(
  setup: SchedulerSetup<Subject>,
  options: SchedulerConformanceOptions<Subject>,
): void {
  it(
    'moves due pending rows to sending with lockedBy = workerId, lockedAt = now, leaseExpiresAt = now + leaseMs',
    async () => {
      const world = await setup();
      const row = await world.schedule({ dueAt: at(-5 * minute) });
      const workerId = newWorkerId();
      const [claimed] = only(await world.claim({ now: T0, workerId, leaseMs }), [row.id]);
      expect(claimed).toMatchObject({ id: row.id, status: 'sending', lockedBy: workerId });
      expect(claimed?.lockedAt?.getTime()).toBe(T0.getTime());
      expect(claimed?.leaseExpiresAt?.getTime()).toBe(T0.getTime() + leaseMs);
      expect(await world.read(row.id)).toMatchObject({ status: 'sending', lockedBy: workerId });
    },
    options.timeoutMs,
  );

  it(
    'selects the oldest dueAt first and claims at most limit rows',
    async () => {
      const world = await setup();
      const offsets = [-3, -5, -1, -4, -2];
      const rows: ScheduledMessage[] = [];
      for (const offset of offsets) rows.push(await world.schedule({ dueAt: at(offset * minute) }));
      const claimed = await world.claim({ now: T0, workerId: newWorkerId(), limit: 3 });
      const oldest = [...rows].sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime()).slice(0, 3);
      expect(idsOf(claimed)).toEqual(idsOf(oldest));
    },
    options.timeoutMs,
  );

  it(
    'claims only the kinds asked for, leaving the others pending',
    async () => {
      const world = await setup();
      const reminder = await world.schedule({ dueAt: at(-minute), kind: 'reminder_2h' });
      const billing = await world.schedule({ dueAt: at(-minute), kind: 'billing_step' });
      const claimed = only(await world.claim({ now: T0, workerId: newWorkerId(), kinds: ['reminder_2h'] }), [reminder.id, billing.id]);
      expect(idsOf(claimed)).toEqual([reminder.id]);
      expect((await world.read(billing.id)).status).toBe('pending');
    },
    options.timeoutMs,
  );

  it(
    'claims a row due exactly now, never one due a millisecond later',
    async () => {
      const world = await setup();
      const dueNow = await world.schedule({ dueAt: T0 });
      const dueLater = await world.schedule({ dueAt: at(1) });
      const claimed = await world.claim({ now: T0, workerId: newWorkerId() });
      expect(idsOf(only(claimed, [dueNow.id, dueLater.id]))).toEqual([dueNow.id]);
      expect((await world.read(dueLater.id)).status).toBe('pending');
    },
    options.timeoutMs,
  );

  it(
    'claims span tenants; every claimed row carries its tenantId',
    async () => {
      const world = await setup();
      const otherTenant = await world.newTenant();
      const mine = await world.schedule({ dueAt: at(-minute) });
      const theirs = await world.schedule({ tenantId: otherTenant, dueAt: at(-minute) });
      const claimed = only(await world.claim({ now: T0, workerId: newWorkerId() }), [mine.id, theirs.id]);
      expect(idsOf(claimed)).toEqual(idsOf([mine, theirs]));
      expect(claimed.find((row) => row.id === theirs.id)?.tenantId).toBe(otherTenant);
    },
    options.timeoutMs,
  );

  it(
    'a row in sending is not claimed again while its lease lasts',
    async () => {
      const world = await setup();
      const row = await world.schedule({ dueAt: at(-minute) });
      await world.claim({ now: T0, workerId: newWorkerId() });
      expect(only(await world.claim({ now: at(leaseMs - 1), workerId: newWorkerId() }), [row.id])).toEqual([]);
    },
    options.timeoutMs,
  );

  it(
    'concurrent claimers never receive the same row and together claim every due row exactly once',
    async () => {
      const world = await setup();
      const otherTenant = await world.newTenant();
      const due: ScheduledMessage[] = [];
      for (let index = 0; index < 40; index += 1) {
        due.push(await world.schedule({ tenantId: index % 2 === 0 ? world.tenantId : otherTenant, dueAt: at(-index * 1000) }));
      }
      const notDue = await world.schedule({ dueAt: at(minute) });
      const workers = Array.from({ length: 10 }, newWorkerId);
      const claimedBy = new Map<string, string[]>();
      for (let round = 0; round < 50; round += 1) {
        const batches = await Promise.all(workers.map((workerId) => world.claim({ now: T0, workerId, limit: 3 })));
        batches.forEach((batch, index) => {
          for (const row of batch) claimedBy.set(row.id, [...(claimedBy.get(row.id) ?? []), workers[index] ?? '']);
        });
        if (batches.every((batch) => batch.length === 0)) break;
      }
      expect([...claimedBy.values()].filter((claimers) => claimers.length > 1)).toEqual([]);
      const ours = new Set([...idsOf(due), notDue.id]);
      expect([...claimedBy.keys()].filter((id) => ours.has(id)).sort()).toEqual(idsOf(due));
      for (const row of due) {
        const stored = await world.read(row.id, row.tenantId);
        expect(stored.status).toBe('sending');
        expect(stored.lockedBy).toBe(claimedBy.get(row.id)?.[0]);
      }
    },
    options.timeoutMs,
  );

  it(
    'cancelled, sent, failed and skipped rows are never claimed',
    async () => {
      const world = await setup();
      const cancelled = await world.schedule({ dueAt: at(-minute) });
      await world.scheduler.cancel({ tenantId: world.tenantId, ids: [cancelled.id] }, { reason: 'test', now: at(-2 * minute) });
      const rows = [
        await world.schedule({ dueAt: at(-minute) }),
        await world.schedule({ dueAt: at(-minute) }),
        await world.schedule({ dueAt: at(-minute) }),
      ];
      const workerId = newWorkerId();
      const claimed = only(await world.claim({ now: T0, workerId }), [cancelled.id, ...idsOf(rows)]);
      expect(idsOf(claimed)).toEqual(idsOf(rows));
      const [sent, failed, skipped] = rows;
      if (!sent || !failed || !skipped) throw new TypeError('three rows were scheduled');
      expect(await world.scheduler.markSent({ id: sent.id, workerId, now: T0, providerMessageId: null })).toBe(true);
      const error = { code: 'invalid_number', message: 'not on WhatsApp', transient: false, at: T0 };
      expect(await world.scheduler.markFailed({ id: failed.id, workerId, now: T0, error, retryAt: null })).toBe(true);
      expect(await world.scheduler.markSkipped({ id: skipped.id, workerId, now: T0, reason: 'opted_out' })).toBe(true);
      const later = at(7 * 24 * 60 * minute);
      expect(only(await world.scheduler.recoverStuck({ now: later }), [cancelled.id, ...idsOf(rows)])).toEqual([]);
      expect(only(await world.claim({ now: later, workerId: newWorkerId() }), [cancelled.id, ...idsOf(rows)])).toEqual([]);
    },
    options.timeoutMs,
  );
}

/** The same logical message again, for dedupe checks. */
function repeatOf(row: ScheduledMessage): NewScheduledMessageInput {
  return {
    tenantId: row.tenantId,
    leadId: row.leadId,
    contactId: row.contactId,
    kind: row.kind,
    dedupeKey: row.dedupeKey,
    dueAt: row.dueAt,
  };
}
