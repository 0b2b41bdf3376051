import { describe, expect, it } from 'vitest';
import { ConflictError, LockNotAcquiredError, NotFoundError } from '../../errors/index.js';
import { billingHarness, billingItem } from './__fixtures__/billing-harness.js';
import { billingCycleLockKey, cancelBillingCycle } from './billing-lifecycle.js';

async function importedCycle() {
  const h = await billingHarness();
  const result = await h.billing.importBatch({ tenantId: h.tenant.id, items: [billingItem()] });
  const billingCycleId = result.items[0]!.billingCycleId!;
  h.recorded.length = 0;
  return { ...h, billingCycleId };
}

describe('billing cycle lifecycle', () => {
  it('marks a cycle paid and cancels its remaining steps in the same unit, then emits the events', async () => {
    const h = await importedCycle();
    await h.clock.set('2026-03-07T13:00:00Z');
    expect(await h.dispatchDue()).toMatchObject({ sent: 1 });
    const paid = await h.billing.markPaid({ tenantId: h.tenant.id, billingCycleId: h.billingCycleId });
    expect(paid).toMatchObject({ status: 'paid', version: 1 });
    expect(h.store.dump().scheduledMessages.map((message) => [message.status, message.cancelReason])).toEqual([
      ['sent', null],
      ['cancelled', 'paid'],
      ['cancelled', 'paid'],
    ]);
    expect(h.recorded.map((entry) => entry.name)).toEqual(['billing.cycle_paid', 'scheduled.cancelled', 'scheduled.cancelled']);
  });

  it('treats a repeated payment as done, accepts a payment after completion, and refuses one after cancellation', async () => {
    const h = await importedCycle();
    await h.billing.markPaid({ tenantId: h.tenant.id, billingCycleId: h.billingCycleId });
    const again = await h.billing.markPaid({ tenantId: h.tenant.id, billingCycleId: h.billingCycleId });
    expect(again).toMatchObject({ status: 'paid', version: 1 });
    expect(h.recorded.filter((entry) => entry.name === 'billing.cycle_paid')).toHaveLength(1);

    const completed = await importedCycle();
    await completed.clock.set('2026-03-20T00:00:00Z');
    await completed.dispatchDue();
    expect((await completed.store.billingCycles.get(completed.tenant.id, completed.billingCycleId))?.status).toBe('completed');
    expect(await completed.billing.markPaid({ tenantId: completed.tenant.id, billingCycleId: completed.billingCycleId })).toMatchObject({
      status: 'paid',
    });

    const cancelled = await importedCycle();
    await cancelled.billing.cancel({ tenantId: cancelled.tenant.id, billingCycleId: cancelled.billingCycleId });
    await expect(cancelled.billing.markPaid({ tenantId: cancelled.tenant.id, billingCycleId: cancelled.billingCycleId })).rejects.toSatisfy(
      (error) => ConflictError.isInstance(error),
    );
  });

  it('cancels only an active cycle', async () => {
    const h = await importedCycle();
    const cancelled = await h.billing.cancel({ tenantId: h.tenant.id, billingCycleId: h.billingCycleId });
    expect(cancelled.status).toBe('cancelled');
    expect(h.store.dump().scheduledMessages.every((message) => message.status === 'cancelled')).toBe(true);
    expect(h.recorded[0]).toMatchObject({ name: 'billing.cycle_cancelled', event: { billingCycleId: h.billingCycleId } });
    await expect(h.billing.cancel({ tenantId: h.tenant.id, billingCycleId: h.billingCycleId })).rejects.toThrow(
      /is cancelled: only a cycle that is active can become cancelled/,
    );
  });

  it('cancels under the cycle lock: while another holder has it, nothing changes', async () => {
    const h = await importedCycle();
    const lease = await h.lock.acquire(billingCycleLockKey(h.billingCycleId), { ttlMs: 60_000 });
    const attempt = cancelBillingCycle(
      { store: h.store, clock: h.clock, lock: h.lock, lockWaitMs: 0 },
      { tenantId: h.tenant.id, billingCycleId: h.billingCycleId },
    );
    await expect(attempt).rejects.toSatisfy((error) => LockNotAcquiredError.isInstance(error));
    expect((await h.store.billingCycles.get(h.tenant.id, h.billingCycleId))?.status).toBe('active');
    await h.lock.release(lease!);
    expect((await h.billing.cancel({ tenantId: h.tenant.id, billingCycleId: h.billingCycleId })).status).toBe('cancelled');
  });

  it("does not find another tenant's cycle", async () => {
    const h = await importedCycle();
    const other = await billingHarness();
    await expect(other.billing.cancel({ tenantId: other.tenant.id, billingCycleId: h.billingCycleId })).rejects.toSatisfy((error) =>
      NotFoundError.isInstance(error),
    );
  });
});
