/**
 * The life of a billing cycle after its import: `active` ⇒ `paid` (its remaining steps are
 * cancelled), `active` ⇒ `cancelled` (likewise), `active` ⇒ `completed` once its last step was
 * settled. Paying and cancelling run under a lock on the cycle and its optimistic `version`, in
 * one transaction with the cancellation of the pending messages; events follow the commit.
 */
import { ConflictError, NotFoundError, VersionConflictError } from '../../errors/index.js';
import type { BillingCycle, BillingCycleStatus, Contact } from '../model/billing.js';
import { deferred, emitCommitted, writeEventsWithin } from '../events/after-commit.js';
import type { DomainEvents } from '../events/domain-events.js';
import type { Logger } from '../../ports/logger/logger.js';
import { PhoneNumber } from '../identity/phone-number.js';
import type { Clock } from '../../ports/clock/clock.js';
import { withLock, type LockPort } from '../../ports/lock/lock-port.js';
import type { Repositories, Store } from '../../ports/repositories/repositories.js';
import { upsertContact } from './billing-contacts.js';

/** What the lifecycle operations need. */
export interface BillingLifecycleDependencies {
  readonly store: Store;
  readonly clock: Clock;
  readonly lock: LockPort;
  readonly events?: DomainEvents | undefined;
  /** Where a throwing event listener is reported. */
  readonly logger?: Logger | undefined;
  /** Lease of the cycle lock (default 30 s). */
  readonly lockTtlMs?: number | undefined;
  /** How long to wait for the cycle lock (default 5 s); then `LockNotAcquiredError`. */
  readonly lockWaitMs?: number | undefined;
}

/** The lock key of a cycle. */
export function billingCycleLockKey(billingCycleId: string): string {
  return `billing-cycle:${billingCycleId}`;
}

const pendingStatuses = new Set(['pending', 'sending']);

/**
 * Marks a cycle paid and cancels its pending steps. Allowed from `active` and `completed` (a
 * payment may arrive after the last reminder); a cycle already `paid` is returned unchanged, so
 * a redelivered payment webhook is harmless; a `cancelled` one is a `ConflictError`.
 */
export function markBillingCyclePaid(
  dependencies: BillingLifecycleDependencies,
  input: { readonly tenantId: string; readonly billingCycleId: string },
): Promise<BillingCycle> {
  return transition(dependencies, { ...input, to: 'paid', from: ['active', 'completed'], unchangedWhen: 'paid' });
}

/** Cancels an `active` cycle and its pending steps; any other status is a `ConflictError`. */
export function cancelBillingCycle(
  dependencies: BillingLifecycleDependencies,
  input: { readonly tenantId: string; readonly billingCycleId: string },
): Promise<BillingCycle> {
  return transition(dependencies, { ...input, to: 'cancelled', from: ['active'] });
}

async function transition(
  dependencies: BillingLifecycleDependencies,
  input: {
    readonly tenantId: string;
    readonly billingCycleId: string;
    readonly to: 'paid' | 'cancelled';
    readonly from: readonly BillingCycleStatus[];
    readonly unchangedWhen?: BillingCycleStatus;
  },
): Promise<BillingCycle> {
  const { store, clock } = dependencies;
  const lockOptions = { ttlMs: dependencies.lockTtlMs ?? 30_000, waitMs: dependencies.lockWaitMs ?? 5_000 };
  // An unknown id takes no lock: a lock key per id anyone can invent would be a growth path.
  if (!(await store.billingCycles.get(input.tenantId, input.billingCycleId)))
    throw new NotFoundError('billing cycle', input.billingCycleId);
  const outcome = await withLock(dependencies.lock, billingCycleLockKey(input.billingCycleId), lockOptions, () =>
    store.transaction(async (tx) => {
      const cycle = await tx.billingCycles.get(input.tenantId, input.billingCycleId);
      if (!cycle) throw new NotFoundError('billing cycle', input.billingCycleId);
      if (cycle.status === input.unchangedWhen) return { cycle, changed: false, events: [] };
      if (!input.from.includes(cycle.status)) {
        throw new ConflictError(
          `billing cycle ${cycle.id} is ${cycle.status}: only a cycle that is ${input.from.join(' or ')} can become ${input.to}`,
          { details: { billingCycleId: cycle.id, status: cycle.status } },
        );
      }
      const now = clock.now();
      const updated = await tx.billingCycles.update({ ...cycle, status: input.to, updatedAt: now });
      const cancelled = await tx.scheduledMessages.cancel(
        { tenantId: input.tenantId, billingCycleId: cycle.id, kinds: ['billing_step'] },
        { reason: input.to, now },
      );
      const base = { tenantId: input.tenantId, at: now, billingCycleId: cycle.id };
      const events = [
        deferred(input.to === 'paid' ? 'billing.cycle_paid' : 'billing.cycle_cancelled', base),
        ...cancelled.map((message) =>
          deferred('scheduled.cancelled', { ...base, scheduledMessageId: message.id, kind: message.kind, reason: input.to }),
        ),
      ];
      await writeEventsWithin(dependencies.events, tx, events);
      return { cycle: updated, changed: true, cancelled, now, events };
    }),
  );
  if (outcome.changed) emitCommitted(dependencies, outcome.events);
  return outcome.cycle;
}

/**
 * Completes an `active` cycle when none of its messages is still pending or being sent; returns
 * the completed cycle, or `null` when there is nothing to complete. Optimistic: a concurrent
 * payment or cancellation wins, and the cycle is then left as it is.
 */
export async function completeBillingCycleIfSettled(
  dependencies: { readonly store: Store; readonly events?: DomainEvents | undefined; readonly logger?: Logger | undefined },
  input: { readonly tenantId: string; readonly billingCycleId: string; readonly now: Date },
): Promise<BillingCycle | null> {
  const { store } = dependencies;
  for (let attempt = 1; ; attempt += 1) {
    const messages = await store.scheduledMessages.list({ tenantId: input.tenantId, billingCycleId: input.billingCycleId });
    if (messages.some((message) => pendingStatuses.has(message.status))) return null;
    const cycle = await store.billingCycles.get(input.tenantId, input.billingCycleId);
    if (!cycle || cycle.status !== 'active') return null;
    const events = [deferred('billing.cycle_completed', { tenantId: input.tenantId, at: input.now, billingCycleId: cycle.id })];
    try {
      const completed = await store.transaction(async (tx) => {
        const updated = await tx.billingCycles.update({ ...cycle, status: 'completed', updatedAt: input.now });
        await writeEventsWithin(dependencies.events, tx, events);
        return updated;
      });
      emitCommitted(dependencies, events);
      return completed;
    } catch (error) {
      if (!VersionConflictError.isInstance(error) || attempt >= 3) throw error;
    }
  }
}

/**
 * Opts a contact out of billing messages: the dispatcher then skips its steps (`opted_out`) and
 * no import ever clears the flag. A phone not known yet becomes an opted-out contact, so that a
 * later import of that customer plans nothing for them. Idempotent.
 */
export async function optOutBillingContact(
  dependencies: { readonly store: Store; readonly clock: Clock },
  input: { readonly tenantId: string } & ({ readonly contactId: string } | { readonly phone: string }),
): Promise<Contact> {
  const { store, clock } = dependencies;
  return store.transaction(async (tx) => {
    const now = clock.now();
    if ('contactId' in input) {
      const contact = await tx.contacts.get(input.tenantId, input.contactId);
      if (!contact) throw new NotFoundError('contact', input.contactId);
      return contact.optedOut ? contact : tx.contacts.update({ ...contact, optedOut: true, optedOutAt: now, updatedAt: now });
    }
    const phone = await parseTenantPhone(tx, input.tenantId, input.phone);
    const contact = await tx.contacts.findByPhone(input.tenantId, phone);
    if (contact) return contact.optedOut ? contact : tx.contacts.update({ ...contact, optedOut: true, optedOutAt: now, updatedAt: now });
    const created = upsertContact(null, { tenantId: input.tenantId, phone, name: null, email: null }, now).contact;
    return tx.contacts.create({ ...created, optedOut: true, optedOutAt: now });
  });
}

async function parseTenantPhone(tx: Repositories, tenantId: string, phone: string): Promise<PhoneNumber> {
  const tenant = await tx.tenants.get(tenantId);
  if (!tenant) throw new NotFoundError('tenant', tenantId);
  return PhoneNumber.parse(phone, { defaultCountry: tenant.defaultCountry, field: 'phone' });
}
