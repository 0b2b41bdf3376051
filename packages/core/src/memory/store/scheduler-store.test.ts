import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../errors/index.js';
import type { NewScheduledMessageInput } from '../../domain/model/scheduled-message.js';
import { VirtualClock } from '../../ports/clock/clock.js';
import { T0, at, hour, minute, newId } from '../../testing/__fixtures__/entities.js';
import { createInMemoryStore } from './in-memory-store.js';

const leaseMs = 15 * minute;
const error = { code: 'provider_unavailable', message: 'timeout', transient: true, at: T0 };

function setup() {
  const store = createInMemoryStore({ clock: new VirtualClock(T0) });
  const scheduler = store.scheduledMessages;
  const tenantId = newId();
  const leadId = newId();
  const schedule = async (overrides: Partial<NewScheduledMessageInput> = {}) =>
    (await scheduler.schedule({ tenantId, leadId, kind: 'reengage_1', dedupeKey: `key-${newId()}`, dueAt: at(-minute), ...overrides }))
      .message;
  return { store, scheduler, tenantId, leadId, schedule };
}

describe('in-memory SchedulerStore', () => {
  it('schedule dedupes on (tenant, dedupeKey) whatever the status, and stamps createdAt from the clock', async () => {
    const { scheduler, tenantId, leadId, schedule } = setup();
    const first = await schedule({ dedupeKey: 'k' });
    expect(first).toMatchObject({ status: 'pending', attempts: 0, channel: 'whatsapp' });
    expect(first.createdAt.getTime()).toBe(T0.getTime());
    await scheduler.cancel({ tenantId, ids: [first.id] }, { reason: 'inbound', now: T0 });
    const again = await scheduler.schedule({ tenantId, leadId, kind: 'reengage_2', dedupeKey: 'k', dueAt: at(hour) });
    expect(again).toMatchObject({ created: false, message: { id: first.id, status: 'cancelled', kind: 'reengage_1' } });
    const concurrent = await Promise.all(
      Array.from({ length: 5 }, () => scheduler.schedule({ tenantId, leadId, kind: 'reengage_1', dedupeKey: 'c', dueAt: T0 })),
    );
    expect(concurrent.filter((result) => result.created)).toHaveLength(1);
  });

  it('concurrent claimers never receive the same row; together they claim every due row exactly once, oldest dueAt first', async () => {
    const { scheduler, schedule } = setup();
    const due = [];
    for (let index = 0; index < 30; index += 1) due.push(await schedule({ dueAt: at(-index * 1000) }));
    await schedule({ dueAt: at(1) });
    const batches = await Promise.all(
      Array.from({ length: 8 }, (_, index) => scheduler.claimDue({ now: T0, limit: 5, workerId: `w${index}`, leaseMs })),
    );
    const claimed = batches.flat();
    expect(claimed).toHaveLength(30);
    expect(new Set(claimed.map((row) => row.id)).size).toBe(30);
    // The first claimer got the five oldest rows.
    expect(batches[0]?.map((row) => row.id)).toEqual(
      due
        .slice(-5)
        .reverse()
        .map((row) => row.id),
    );
    expect(claimed.every((row) => row.status === 'sending' && row.leaseExpiresAt?.getTime() === T0.getTime() + leaseMs)).toBe(true);
  });

  it('only the holder may mark a row; markFailed counts attempts and retries or fails; defer counts none', async () => {
    const { scheduler, tenantId, schedule } = setup();
    const row = await schedule();
    await scheduler.claimDue({ now: T0, limit: 10, workerId: 'a', leaseMs });
    expect(await scheduler.markSent({ id: row.id, workerId: 'b', now: T0, providerMessageId: 'x' })).toBe(false);
    expect(await scheduler.markFailed({ id: row.id, workerId: 'a', now: T0, error, retryAt: at(minute) })).toBe(true);
    expect(await scheduler.get(tenantId, row.id)).toMatchObject({
      status: 'pending',
      attempts: 1,
      lockedBy: null,
      lastError: { code: 'provider_unavailable' },
    });
    expect(await scheduler.claimDue({ now: at(minute - 1), limit: 10, workerId: 'a', leaseMs })).toEqual([]);
    await scheduler.claimDue({ now: at(minute), limit: 10, workerId: 'a', leaseMs });
    expect(await scheduler.defer({ id: row.id, workerId: 'a', now: at(minute), dueAt: at(10 * minute) })).toBe(true);
    expect((await scheduler.get(tenantId, row.id))?.attempts).toBe(1);
    await scheduler.claimDue({ now: at(10 * minute), limit: 10, workerId: 'c', leaseMs });
    expect(await scheduler.markFailed({ id: row.id, workerId: 'c', now: at(10 * minute), error, retryAt: null })).toBe(true);
    expect(await scheduler.get(tenantId, row.id)).toMatchObject({ status: 'failed', attempts: 2 });
    expect(await scheduler.markSent({ id: row.id, workerId: 'c', now: at(10 * minute), providerMessageId: 'x' })).toBe(false);
  });

  it('recoverStuck returns expired leases to pending with a lost attempt; the stale worker is locked out', async () => {
    const { scheduler, tenantId, schedule } = setup();
    const row = await schedule();
    await scheduler.claimDue({ now: T0, limit: 10, workerId: 'stale', leaseMs });
    expect(await scheduler.recoverStuck({ now: at(leaseMs - 1) })).toEqual([]);
    expect(await scheduler.stats({ now: at(leaseMs), tenantId })).toMatchObject({ sending: 1, stuck: 1 });
    const [recovered] = await scheduler.recoverStuck({ now: at(leaseMs) });
    expect(recovered).toMatchObject({
      id: row.id,
      status: 'pending',
      attempts: 1,
      lockedBy: null,
      lastError: { code: 'lease_expired', transient: true },
    });
    expect(await scheduler.heartbeat({ ids: [row.id], workerId: 'stale', now: at(leaseMs), leaseMs })).toBe(0);
    expect(await scheduler.markSkipped({ id: row.id, workerId: 'stale', now: at(leaseMs), reason: 'stale' })).toBe(false);
  });

  it('cancel touches only pending rows matching every criterion; an empty criterion list matches nothing', async () => {
    const { scheduler, tenantId, leadId, schedule } = setup();
    const first = await schedule({ kind: 'reengage_1' });
    const reminder = await schedule({ kind: 'reminder_24h', dueAt: at(minute) });
    const otherLead = await schedule({ leadId: newId(), kind: 'reengage_1' });
    expect(await scheduler.cancel({ tenantId, leadId, kinds: [] }, { reason: 'x', now: T0 })).toEqual([]);
    await scheduler.claimDue({ now: T0, limit: 1, workerId: 'w', leaseMs });
    const inFlight = await scheduler.get(tenantId, first.id);
    expect(inFlight?.status).toBe('sending');
    const cancelled = await scheduler.cancel({ tenantId, leadId }, { reason: 'inbound', now: T0 });
    expect(cancelled.map((row) => row.id)).toEqual([reminder.id]);
    expect(cancelled[0]).toMatchObject({ status: 'cancelled', cancelReason: 'inbound' });
    expect((await scheduler.get(tenantId, otherLead.id))?.status).toBe('pending');
    expect((await scheduler.get(tenantId, first.id))?.status).toBe('sending');
  });

  it('validates input: a claim limit below 0 or an over-long reason is a ValidationError', async () => {
    const { scheduler, tenantId } = setup();
    await expect(scheduler.claimDue({ now: T0, limit: -1, workerId: 'w', leaseMs })).rejects.toSatisfy(
      ValidationError.isInstance.bind(ValidationError),
    );
    await expect(scheduler.cancel({ tenantId }, { reason: 'x'.repeat(201), now: T0 })).rejects.toSatisfy(
      ValidationError.isInstance.bind(ValidationError),
    );
  });

  it('stats: pending, due pending, the oldest due dueAt, sending and stuck', async () => {
    const { scheduler, tenantId, schedule } = setup();
    await schedule({ dueAt: at(-3 * minute) });
    await schedule({ dueAt: at(-2 * minute) });
    await schedule({ dueAt: at(5 * minute) });
    await scheduler.claimDue({ now: T0, limit: 1, workerId: 'w', leaseMs });
    const stats = await scheduler.stats({ now: T0, tenantId });
    expect(stats).toMatchObject({ pending: 2, duePending: 1, sending: 1, stuck: 0 });
    expect(stats.oldestDueAt?.getTime()).toBe(at(-2 * minute).getTime());
  });
});
