/**
 * Domain events collected while a unit of work runs and emitted only once it committed, so that
 * no listener ever hears of a change that was rolled back.
 */
import type { DomainEventMap, DomainEventName, DomainEvents } from '../events/domain-events.js';

/** One event waiting for its unit of work to commit. */
export type DeferredEvent = { [Name in DomainEventName]: { readonly name: Name; readonly event: DomainEventMap[Name] } }[DomainEventName];

/** A typed `DeferredEvent`. */
export function deferred<Name extends DomainEventName>(name: Name, event: DomainEventMap[Name]): DeferredEvent {
  return { name, event } as DeferredEvent;
}

/** Emits the events in order; without a bus, nothing happens. */
export function emitDeferred(bus: DomainEvents | undefined, events: readonly DeferredEvent[]): void {
  if (!bus) return;
  for (const { name, event } of events)
    (bus.emit as (name: DomainEventName, event: DomainEventMap[DomainEventName]) => boolean)(name, event);
}
