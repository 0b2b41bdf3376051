/**
 * The dispatcher the simulator runs.
 *
 * INTERIM: the dispatcher of SPEC §4.6 (`createDispatcher`) is being built separately. Until it
 * is available this file holds a minimal stand-in that follows the `DispatchHandler` protocol the
 * same way — claim due rows of the handlers' kinds, `prepare`, business hours for `respect`,
 * `perform` or send with the row id as idempotency key, mark the row, `onSettled` — without
 * pacing, channel health, retries or leases, none of which a simulated journey exercises. Replace
 * the body of `createJourneyDispatcher` with `createDispatcher({ …options, pacing: false })` once
 * it exists; the simulator uses nothing else of it.
 */
import type { Clock } from '../../ports/clock/clock.js';
import type { MessagingPort } from '../../ports/messaging/messaging-port.js';
import type { Store } from '../../ports/repositories/repositories.js';
import type { DispatchContext, DispatchHandler, DispatchOutcome } from '../dispatch/dispatch-handler.js';
import type { DomainEvents } from '../events/domain-events.js';
import type { ScheduledMessage } from '../model/scheduled-message.js';
import { BusinessCalendar } from '../time/business-calendar.js';

/** What the simulator needs of a dispatcher: one pass over the due messages. */
export interface JourneyDispatcher {
  runOnce(): Promise<{ readonly claimed: number }>;
}

/** Options of `createJourneyDispatcher` (a subset of the dispatcher's). */
export interface JourneyDispatcherOptions {
  readonly store: Store;
  readonly messaging: MessagingPort;
  readonly clock: Clock;
  readonly handlers: readonly DispatchHandler[];
  readonly events?: DomainEvents;
}

const workerId = 'journey-simulator';

/** The simulator's dispatcher (see the module comment: interim until `createDispatcher` exists). */
export function createJourneyDispatcher(options: JourneyDispatcherOptions): JourneyDispatcher {
  const { store, messaging, clock } = options;
  const handlers = new Map(options.handlers.flatMap((handler) => handler.kinds.map((kind) => [kind, handler] as const)));

  const settle = async (row: ScheduledMessage, handler: DispatchHandler, context: DispatchContext, outcome: DispatchOutcome) => {
    await handler.onSettled?.(row, outcome, context);
  };

  const process = async (row: ScheduledMessage): Promise<void> => {
    const handler = handlers.get(row.kind);
    const tenant = await store.tenants.get(row.tenantId);
    const now = clock.now();
    if (!handler || !tenant) {
      await store.scheduledMessages.markFailed({
        id: row.id,
        workerId,
        now,
        retryAt: null,
        error: { code: 'unhandled', message: `no handler or tenant for ${row.kind}`, transient: false, at: now },
      });
      return;
    }
    const context: DispatchContext = { now, tenant, store };
    const decision = await handler.prepare(row, context);
    if (decision.action === 'skip') {
      await store.scheduledMessages.markSkipped({ id: row.id, workerId, now, reason: decision.reason });
      await settle(row, handler, context, { status: 'skipped', reason: decision.reason, at: now });
      return;
    }
    if (decision.action === 'defer') {
      await store.scheduledMessages.defer({ id: row.id, workerId, now, dueAt: decision.until });
      return;
    }
    const calendar = BusinessCalendar.fromTenant(tenant);
    if (decision.businessHours === 'respect' && !calendar.isOpen(now)) {
      await store.scheduledMessages.defer({ id: row.id, workerId, now, dueAt: calendar.nextOpening(now) });
      return;
    }
    if (decision.action === 'perform') {
      await handler.perform?.(row, context);
      await store.scheduledMessages.markSent({ id: row.id, workerId, now, providerMessageId: null });
      await settle(row, handler, context, { status: 'performed', at: now });
      return;
    }
    const result = await messaging.sendText({ instance: decision.instance, to: decision.to, text: decision.text, idempotencyKey: row.id });
    await store.scheduledMessages.markSent({ id: row.id, workerId, now, providerMessageId: result.providerMessageId });
    options.events?.emit('scheduled.sent', {
      tenantId: row.tenantId,
      at: now,
      scheduledMessageId: row.id,
      kind: row.kind,
      providerMessageId: result.providerMessageId,
    });
    await settle(row, handler, context, { status: 'sent', providerMessageId: result.providerMessageId, text: decision.text, at: now });
  };

  return {
    async runOnce() {
      const claimed = await store.scheduledMessages.claimDue({
        now: clock.now(),
        limit: 100,
        workerId,
        leaseMs: 15 * 60_000,
        kinds: [...handlers.keys()],
      });
      for (const row of claimed) await process(row);
      return { claimed: claimed.length };
    },
  };
}
