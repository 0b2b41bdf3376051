/**
 * The feed of a tenant's domain events that the console's live stream (`GET /v1/events/stream`)
 * sends. The stream depends on this interface only, so that where the events come from can change
 * without touching it.
 *
 * `createDomainEventFeed` feeds it from this process's `DomainEvents` bus. That is complete for a
 * single `all` process (the embedded default), but in a deployment split into `api` and `worker`
 * processes the events emitted by the workers (a follow-up sent, a stage moved by the sync) never
 * reach the API process that serves the stream. A feed read from a persisted event outbox will
 * implement the same interface — and can then honour `Last-Event-ID` by replaying what a
 * reconnecting browser missed, which this in-process feed cannot (it keeps no history).
 */
import type { DomainEvent, DomainEventName, DomainEvents } from '@sdr/core';

/** One event as the stream sends it. */
export interface TenantEvent {
  /** Unique and increasing within the feed (the SSE `id`). */
  readonly id: string;
  readonly name: DomainEventName;
  /** The event's payload (instants become ISO-8601 strings on the wire). */
  readonly data: DomainEvent;
}

/** The events of one tenant, as they happen. */
export interface TenantEventFeed {
  /**
   * Calls `listener` with every event of `tenantId` from now on — never another tenant's, nor a
   * process-wide event without a tenant. Returns the unsubscribe function. Listeners must not
   * throw.
   */
  subscribe(tenantId: string, listener: (event: TenantEvent) => void): () => void;
}

/**
 * Every domain event the stream forwards. A `Record` over the event names, so that a new event in
 * the core does not compile here until it is decided whether the console receives it.
 */
const forwarded: Readonly<Record<DomainEventName, boolean>> = {
  'lead.created': true,
  'lead.opted_out': true,
  'message.received': true,
  'message.sent': true,
  'stage.changed': true,
  'automation.changed': true,
  'appointment.booked': true,
  'appointment.rescheduled': true,
  'appointment.cancelled': true,
  'handoff.requested': true,
  'handoff.resumed': true,
  'scheduled.created': true,
  'scheduled.sent': true,
  'scheduled.skipped': true,
  'scheduled.failed': true,
  'scheduled.cancelled': true,
  'billing.cycle_created': true,
  'billing.cycle_paid': true,
  'billing.cycle_cancelled': true,
  'billing.cycle_completed': true,
  'crm.sync_blocked': true,
  'crm.reconciled': true,
  'alert.raised': true,
  'alert.resolved': true,
};

/** The names the stream forwards. */
export const forwardedEventNames: readonly DomainEventName[] = (Object.keys(forwarded) as DomainEventName[]).filter(
  (name) => forwarded[name],
);

type Listener = (event: TenantEvent) => void;

/**
 * A feed of this process's `DomainEvents` (see the module comment for its limit). It listens to
 * the bus only while someone is subscribed.
 */
export function createDomainEventFeed(events: DomainEvents): TenantEventFeed {
  const subscribers = new Map<string, Set<Listener>>();
  const detachers: (() => void)[] = [];
  let sequence = 0;
  const epoch = Date.now().toString(36);

  const deliver = (name: DomainEventName, data: DomainEvent) => {
    if (data.tenantId === null) return;
    const listeners = subscribers.get(data.tenantId);
    if (listeners === undefined) return;
    sequence += 1;
    const event: TenantEvent = { id: `${epoch}-${sequence}`, name, data };
    for (const listener of listeners) listener(event);
  };
  const attach = () => {
    for (const name of forwardedEventNames) {
      const listener = (data: DomainEvent) => deliver(name, data);
      events.on(name, listener);
      detachers.push(() => events.off(name, listener));
    }
  };
  const detach = () => {
    for (const off of detachers.splice(0)) off();
  };

  return {
    subscribe(tenantId, listener) {
      if (subscribers.size === 0) attach();
      const listeners = subscribers.get(tenantId) ?? new Set<Listener>();
      listeners.add(listener);
      subscribers.set(tenantId, listeners);
      let subscribed = true;
      return () => {
        if (!subscribed) return;
        subscribed = false;
        listeners.delete(listener);
        if (listeners.size === 0) subscribers.delete(tenantId);
        if (subscribers.size === 0) detach();
      };
    },
  };
}
